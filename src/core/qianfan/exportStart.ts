/**
 * Starting an export without ever creating two tasks for one version:
 * - in this process, one start per version is in flight; a second caller joins the first;
 * - before creating, DescribeModelExportTask: an export already running (started by another
 *   window, say) is followed instead;
 * - after a create that failed ambiguously (no answer, 5xx, an unreadable answer) or was
 *   rejected (429, RequestExpired), the service is asked again: a task it created is followed.
 *   Only a rejected create, with no new task to be seen, is sent again.
 */
import { SharedRequest } from '../base/sharedRequest';
import { CancelledError, QianfanError, isAmbiguousFailure } from './errors';
import { isRejectedClass } from './errorCodes';
import { type ExportTask } from './model';
import { type RetryPolicy, type Sleep, backoffDelay } from './retry';

export interface ExportStartClient {
  readonly retryPolicy: RetryPolicy;
  readonly sleep: Sleep;
  readonly random: () => number;
  createModelExportTask(modelId: string, opts: { signal?: AbortSignal }): Promise<string>;
  describeModelExportTask(modelId: string, opts: { signal?: AbortSignal }): Promise<ExportTask>;
}

export interface ExportStart {
  readonly exportId: string;
  readonly resumed: boolean;
}

/** The start under way for each key, shared by every caller who joined it. */
const inFlight = new Map<string, SharedRequest<ExportStart>>();

const cancelled = () => new CancelledError();

/**
 * Runs start(signal) unless a start under the same key is on its way, which is joined instead.
 * Each caller's `signal` cancels only its own wait (it rejects with CancelledError at once); the
 * shared start goes on while any caller still waits, and its signal aborts only when all have
 * cancelled (SharedRequest). A caller who comes while an abandoned start is still settling waits
 * for it (never two creates at once): its result if it had one, else a new start, which looks
 * before creating.
 */
export function joinExportStart(key: string, start: (signal: AbortSignal) => Promise<ExportStart>, signal?: AbortSignal): Promise<ExportStart> {
  if (signal?.aborted) {
    return Promise.reject(cancelled());
  }
  let shared = inFlight.get(key);
  if (!shared || shared.abandoned) {
    shared = launch(key, start, shared);
  }
  return shared.join(signal);
}

function launch(key: string, start: (signal: AbortSignal) => Promise<ExportStart>, abandoned?: SharedRequest<ExportStart>): SharedRequest<ExportStart> {
  const begin = (signal: AbortSignal) => (signal.aborted ? Promise.reject(cancelled()) : start(signal));
  const shared = new SharedRequest((signal) => (abandoned ? abandoned.result.catch(() => begin(signal)) : begin(signal)), cancelled);
  const settled = () => {
    if (inFlight.get(key) === shared) {
      inFlight.delete(key);
    }
  };
  void shared.result.then(settled, settled); // before any caller hears of it: a caller told of the outcome finds no start under way
  inFlight.set(key, shared);
  return shared;
}

/** A task that the create we sent may have made: on record, not failed, and not the one seen before. */
function createdSince(before: ExportTask, after: ExportTask | undefined): after is ExportTask & { exportId: string } {
  return !!after?.hasRecord && !!after.exportId && after.status !== 'Fail' && (!before.hasRecord || after.exportId !== before.exportId);
}

function isRunning(task: ExportTask): task is ExportTask & { exportId: string } {
  return task.hasRecord && task.status === 'Doing' && !!task.exportId;
}

export async function startExportOnce(client: ExportStartClient, modelId: string, opts: { signal?: AbortSignal }): Promise<ExportStart> {
  const before = await client.describeModelExportTask(modelId, opts);
  if (isRunning(before)) {
    return { exportId: before.exportId, resumed: true };
  }
  for (let attempt = 0; ; attempt++) {
    try {
      return { exportId: await client.createModelExportTask(modelId, opts), resumed: false };
    } catch (error) {
      const rejected = error instanceof QianfanError && isRejectedClass(error.errorClass);
      if (!rejected && !isAmbiguousFailure(error)) {
        throw error;
      }
      const after = await client.describeModelExportTask(modelId, opts).catch(() => undefined);
      if (createdSince(before, after)) {
        return { exportId: after.exportId, resumed: false };
      }
      if (!rejected || after === undefined || attempt >= client.retryPolicy.maxRetries) {
        throw error;
      }
      await client.sleep(backoffDelay(client.retryPolicy, attempt, client.random, error.retryAfterMs), opts.signal);
    }
  }
}
