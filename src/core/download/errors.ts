/** Why a download stopped; the command words each reason for the user. */

export type DownloadFailure =
  | 'badUrl' // not https (nor loopback http)
  | 'http' // the file server refused (after a fresh URL, when it was an expiry)
  | 'network' // dropped too often without progress
  | 'sizeMismatch' // more or fewer bytes than the export's fileSize
  | 'md5Mismatch' // the bytes do not hash to the export's md5
  | 'disk' // the file system refused (full, read-only, permission)
  | 'targetExists' // the target appeared while downloading and overwriting was not allowed
  | 'notReady'; // the export has no finished file (no URL, size or md5)

export class DownloadError extends Error {
  constructor(
    readonly reason: DownloadFailure,
    message: string,
    readonly detail: { readonly status?: number; readonly code?: string; readonly partKept?: boolean; readonly path?: string } = {},
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'DownloadError';
  }
}

const DISK_CODES = new Set([
  'ENOSPC',
  'EDQUOT',
  'EACCES',
  'EPERM',
  'EROFS',
  'EISDIR',
  'ENOTDIR',
  'ENOENT',
  'EIO',
  'EFBIG',
  'EMFILE',
  'ENAMETOOLONG',
  'EBUSY',
  'ELOOP',
]);

/** The Node error code of a file-system failure, when it is one. */
export function diskCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && DISK_CODES.has(code) ? code : undefined;
}

export function diskError(what: string, path: string, error: unknown, partKept: boolean): DownloadError {
  const code = diskCode(error) ?? 'EIO';
  const text: Record<string, string> = {
    ENOSPC: 'the disk is full',
    EDQUOT: 'the disk quota is used up',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EROFS: 'the file system is read-only',
    ENOENT: 'the folder does not exist',
    ELOOP: 'it is a link, and a download never writes through one',
  };
  return new DownloadError('disk', `could not ${what} ${path}: ${text[code] ?? code}`, { code, partKept, path }, error);
}
