/**
 * Exports in progress: remembered in a KeyValueStore so polling resumes after a reload, and
 * the poll loop that follows DescribeModelExportTask until the export is done or failed.
 */
import { type KeyValueStore } from '../state/keyValueStore';
import { type ExportTask } from '../qianfan/model';
import { isAmbiguousFailure, mayMeanMissing } from '../qianfan/errors';
import { type Presence } from '../qianfan/presence';
import { isModelVersionId } from '../base/ids';
import { ListStore, isRecord, optionalText, withoutUndefined } from '../state/listStore';
import { type Sleep, abortableSleep } from '../qianfan/retry';

export interface PendingExport {
  readonly modelId: string;
  readonly exportId: string;
  readonly startedAt: number;
  readonly label?: string;
}

export const PENDING_EXPORTS_KEY = 'qianfan.pendingExports.v1';

/** A pending export as stored, checked the same way on read and on write. */
export function normalizePending(value: unknown): PendingExport | undefined {
  if (!isRecord(value) || typeof value.modelId !== 'string' || !isModelVersionId(value.modelId)) {
    return undefined;
  }
  if (typeof value.exportId !== 'string' || value.exportId === '' || typeof value.startedAt !== 'number' || !Number.isFinite(value.startedAt)) {
    return undefined;
  }
  return withoutUndefined({ modelId: value.modelId, exportId: value.exportId, startedAt: value.startedAt, label: optionalText(value.label) });
}

const byVersion = (p: PendingExport) => p.modelId;

export class PendingExportsStore {
  private readonly list_: ListStore<PendingExport>;

  constructor(store: KeyValueStore) {
    this.list_ = new ListStore(store, PENDING_EXPORTS_KEY, normalizePending, 'Pending exports');
  }

  list(): PendingExport[] {
    return this.list_.list();
  }

  async put(pending: PendingExport): Promise<void> {
    const entry = normalizePending(pending);
    if (!entry) {
      throw new Error(`not a pending export of a model version: ${String(pending.modelId).slice(0, 64)}`);
    }
    await this.list_.replace(entry, byVersion);
  }

  async remove(modelId: string): Promise<void> {
    await this.list_.removeKey(modelId, byVersion);
  }

  /** Problems met in the stored list (each once): for the log. */
  onProblem(listener: (problem: string) => void): { dispose(): void } {
    return this.list_.onProblem(listener);
  }
}

/** Why an export ended without a file: the service said Fail, it has no record of ours, or the version is gone. */
export type ExportFailure = 'failed' | 'noRecord' | 'versionGone';

export type ExportOutcome =
  | { readonly status: 'Done'; readonly task: ExportTask }
  | {
      readonly status: 'Fail';
      readonly task?: ExportTask;
      readonly failure: ExportFailure;
      readonly reason: string;
      /** A finished export of the same version that is not ours (an earlier one): never reported as ours. */
      readonly earlier?: ExportTask;
    };

export interface PollOptions {
  readonly signal?: AbortSignal;
  /** First wait between polls; it grows by half each time up to maxIntervalMs. */
  readonly intervalMs?: number;
  readonly maxIntervalMs?: number;
  /** How long "no record of ours" is taken as "not visible yet" rather than "failed". */
  readonly noRecordGraceMs?: number;
  /** Consecutive failed polls (after the client's own retries) before giving up. */
  readonly maxConsecutiveErrors?: number;
  /** Sees each record of our export (never another export's). */
  readonly onStatus?: (task: ExportTask) => void;
  readonly sleep?: Sleep;
  /** Wall time: only to know how old the export was when following began (it may have begun in an earlier session). */
  readonly now?: () => number;
  /** A monotonic clock (ms) for the time spent following; default performance.now. */
  readonly monotonic?: () => number;
}

export interface ExportReader {
  describeModelExportTask(modelId: string, opts?: { signal?: AbortSignal }): Promise<ExportTask>;
  /** Whether the version is still there, on positive evidence (presence.ts); without it, a describe error is only an error. */
  versionPresence?(modelId: string, modelSetId: string | undefined, opts?: { signal?: AbortSignal }): Promise<Presence>;
}

/** A record of the export we created, not of another export of the same version. */
function isOurs(task: ExportTask, pending: PendingExport): boolean {
  return task.hasRecord && task.exportId === pending.exportId;
}

/**
 * Polls DescribeModelExportTask until our export (the record whose `exportId` is the one we
 * created) is Done or Fail. The service does not list failed exports: a record of another export
 * (an earlier one, say), or none, past the grace period means ours failed; a Done record of
 * another export is never reported as ours (it comes back as `earlier`). "The version is gone"
 * only on positive evidence (presence.ts), never from an error code alone.
 */
export async function pollExport(client: ExportReader, pending: PendingExport, options: PollOptions = {}): Promise<ExportOutcome> {
  const sleep = options.sleep ?? abortableSleep;
  const monotonic = options.monotonic ?? (() => performance.now());
  const maxInterval = options.maxIntervalMs ?? 30_000;
  const grace = options.noRecordGraceMs ?? 30_000;
  // how old the export was when following began (wall time, once), then monotonic time on top
  const ageAtStart = Math.max(0, (options.now ?? Date.now)() - pending.startedAt);
  const followStart = monotonic();
  const age = () => ageAtStart + (monotonic() - followStart);
  let interval = options.intervalMs ?? 2_000;
  let errors = 0;
  for (;;) {
    let task: ExportTask | undefined;
    try {
      task = await client.describeModelExportTask(pending.modelId, { signal: options.signal });
      errors = 0;
    } catch (error) {
      if (mayMeanMissing(error) && (await client.versionPresence?.(pending.modelId, undefined, { signal: options.signal })) === 'gone') {
        return { status: 'Fail', failure: 'versionGone', reason: 'the model version no longer exists (absent from its model)' };
      }
      if (!isAmbiguousFailure(error) && !mayMeanMissing(error)) {
        throw error; // a cancel, or an answer that polling again will not change
      }
      if (++errors >= (options.maxConsecutiveErrors ?? 5)) {
        throw error;
      }
    }
    if (task && isOurs(task, pending)) {
      options.onStatus?.(task);
      if (task.status === 'Done') {
        return { status: 'Done', task };
      }
      if (task.status === 'Fail') {
        return { status: 'Fail', task, failure: 'failed', reason: 'the service reported the export as failed' };
      }
    } else if (task && age() > grace) {
      const other = task.hasRecord ? task : undefined;
      return {
        status: 'Fail',
        task,
        failure: 'noRecord',
        reason: other
          ? `the service lists another export (${other.exportId ?? 'no ID'}, ${other.status ?? '?'}), not ${pending.exportId}: failed exports are not listed`
          : 'the service has no record of the export (failed exports are not listed)',
        ...(other?.status === 'Done' ? { earlier: other } : {}),
      };
    }
    await sleep(interval, options.signal);
    interval = Math.min(maxInterval, Math.round(interval * 1.5));
  }
}

export interface FollowOptions extends PollOptions {
  /** Called once the export is remembered (a reload from then on resumes it), before the first poll. */
  readonly onRemembered?: () => void;
}

/**
 * Follows a remembered export to its end and then forgets it: Done, failed, or its version
 * gone (deleted elsewhere). A cancel or an error leaves it remembered, to resume later.
 */
export async function followExport(
  client: ExportReader,
  store: PendingExportsStore,
  pending: PendingExport,
  options: FollowOptions = {},
): Promise<ExportOutcome> {
  await store.put(pending);
  options.onRemembered?.();
  const outcome = await pollExport(client, pending, options);
  await store.remove(pending.modelId);
  return outcome;
}

export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined || !Number.isFinite(bytes)) {
    return '?';
  }
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}
