/**
 * Exports in progress: remembered in a KeyValueStore so polling resumes after a reload, and
 * the poll loop that follows DescribeModelExportTask until the export is done or failed.
 */
import { type KeyValueStore } from './keyValueStore';
import { type ExportTask } from './model';
import { isAmbiguousFailure } from './errors';
import { type Sleep, abortableSleep } from './retry';

export interface PendingExport {
  readonly modelId: string;
  readonly exportId: string;
  readonly startedAt: number;
  readonly label?: string;
}

export const PENDING_EXPORTS_KEY = 'qianfan.pendingExports.v1';

export class PendingExportsStore {
  constructor(private readonly store: KeyValueStore) {}

  list(): PendingExport[] {
    const raw = this.store.get<unknown>(PENDING_EXPORTS_KEY);
    return Array.isArray(raw)
      ? raw.filter((p): p is PendingExport => {
          const e = p as Partial<Record<keyof PendingExport, unknown>> | null;
          return typeof e?.modelId === 'string' && typeof e.exportId === 'string' && typeof e.startedAt === 'number';
        })
      : [];
  }

  async put(pending: PendingExport): Promise<void> {
    await this.store.update(PENDING_EXPORTS_KEY, [...this.list().filter((p) => p.modelId !== pending.modelId), pending]);
  }

  async remove(modelId: string): Promise<void> {
    await this.store.update(
      PENDING_EXPORTS_KEY,
      this.list().filter((p) => p.modelId !== modelId),
    );
  }
}

export type ExportOutcome =
  { readonly status: 'Done'; readonly task: ExportTask } | { readonly status: 'Fail'; readonly task?: ExportTask; readonly reason: string };

export interface PollOptions {
  readonly signal?: AbortSignal;
  /** First wait between polls; it grows by half each time up to maxIntervalMs. */
  readonly intervalMs?: number;
  readonly maxIntervalMs?: number;
  /** How long "no record" is taken as "not visible yet" rather than "failed". */
  readonly noRecordGraceMs?: number;
  /** Consecutive failed polls (after the client's own retries) before giving up. */
  readonly maxConsecutiveErrors?: number;
  readonly onStatus?: (task: ExportTask) => void;
  readonly sleep?: Sleep;
  readonly now?: () => number;
}

export interface ExportReader {
  describeModelExportTask(modelId: string, opts?: { signal?: AbortSignal }): Promise<ExportTask>;
}

export async function pollExport(client: ExportReader, pending: PendingExport, options: PollOptions = {}): Promise<ExportOutcome> {
  const sleep = options.sleep ?? abortableSleep;
  const now = options.now ?? Date.now;
  const maxInterval = options.maxIntervalMs ?? 30_000;
  const grace = options.noRecordGraceMs ?? 30_000;
  let interval = options.intervalMs ?? 2_000;
  let errors = 0;
  for (;;) {
    let task: ExportTask | undefined;
    try {
      task = await client.describeModelExportTask(pending.modelId, { signal: options.signal });
      errors = 0;
    } catch (error) {
      if (!isAmbiguousFailure(error)) {
        throw error; // a cancel, or an answer that polling again will not change
      }
      if (++errors >= (options.maxConsecutiveErrors ?? 5)) {
        throw error;
      }
    }
    if (task) {
      options.onStatus?.(task);
      if (task.hasRecord && task.status === 'Done') {
        return { status: 'Done', task };
      }
      if (task.hasRecord && task.status === 'Fail') {
        return { status: 'Fail', task, reason: 'the service reported the export as failed' };
      }
      if (!task.hasRecord && now() - pending.startedAt > grace) {
        return { status: 'Fail', task, reason: 'the service has no record of the export (failed exports are not listed)' };
      }
    }
    await sleep(interval, options.signal);
    interval = Math.min(maxInterval, Math.round(interval * 1.5));
  }
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
