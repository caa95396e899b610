/**
 * The name a download is saved under by default: the model and version a user knows
 * ("customer-support-zh-V3.tar.gz"), not the export's ID ("amv-…-exp-….tar.gz", which the log
 * keeps), made safe for every file system the file may land on (Windows the strictest).
 */

/** Characters no file name may hold on Windows (and `/` nowhere), and the control characters. */
// eslint-disable-next-line no-control-regex -- control characters are what it removes
const UNSAFE = /[<>:"/\\|?*\u0000-\u001f\u007f]/g;
/** Names Windows keeps for devices, with or without an extension. */
const RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;
/** Long enough for any model and version name, short of every file system's 255. */
const MAX_STEM = 120;

/** The export file's extension (".tar.gz" when it says none). */
export function archiveExtension(exportFileName: string | undefined): string {
  const base = (exportFileName ?? '').replace(/\\/g, '/').split('/').pop() ?? '';
  const m = /(\.tar\.gz|\.tar|\.tgz|\.zip|\.gz)$/i.exec(base);
  return m ? m[1].toLowerCase() : '.tar.gz';
}

/** One part of a name: unsafe characters and white space to "-", no run of them, no dot or dash at either end. */
function part(text: string | undefined): string {
  return (text ?? '')
    .normalize('NFC')
    .replace(UNSAFE, '-')
    .replace(/\s+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '');
}

/**
 * "model-name-V3.tar.gz" from the model's and the version's names; the version's ID stands in for
 * what is not known (never an empty name, never "..", never a device name).
 */
export function downloadFileName(modelName: string | undefined, versionName: string | undefined, modelId: string, exportFileName?: string): string {
  const model = part(modelName);
  const version = part(versionName) || part(modelId);
  let stem = [model, version].filter(Boolean).join('-');
  if (stem.length > MAX_STEM) {
    stem = [...stem]
      .slice(0, MAX_STEM)
      .join('')
      .replace(/[-.]+$/, '');
  }
  const ext = archiveExtension(exportFileName);
  const name = `${stem || part(modelId) || 'export'}${ext}`;
  return RESERVED.test(name) ? `_${name}` : name;
}
