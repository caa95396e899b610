/**
 * Starting an export without ever creating two tasks for one version:
 * - in this process, one start per version is in flight; a second caller joins the first;
 * - before creating, DescribeModelExportTask: an export already running (started by another
 *   window, say) is followed instead;
 * - after a create that failed ambiguously (no answer, 5xx, an unreadable answer) or was
 *   rejected (429, RequestExpired), the service is asked again: a task it created is followed.
 *   Only a rejected create, with no new task to be seen, is sent again.
 */
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

/** One start under way for a key, shared by every caller who joined it. */
interface SharedStart {
  readonly run: Promise<ExportStart>;
  /** Aborts the shared request: only once every caller has cancelled. */
  readonly controller: AbortController;
  /** Callers still waiting for it (one without a signal never stops waiting). */
  waiting: number;
}

const inFlight = new Map<string, SharedStart>();

/**
 * Runs start(signal) unless a start under the same key is on its way, which is joined instead.
 * Each caller's `signal` cancels only its own wait (it rejects with CancelledError at once); the
 * shared start goes on while any caller still waits, and its signal aborts only when all have
 * cancelled. A caller who comes while an abandoned start is still settling waits for it (never
 * two creates at once): its result if it had one, else a new start, which looks before creating.
 */
export function joinExportStart(key: string, start: (signal: AbortSignal) => Promise<ExportStart>, signal?: AbortSignal): Promise<ExportStart> {
  if (signal?.aborted) {
    return Promise.reject(new CancelledError());
  }
  let shared = inFlight.get(key);
  if (!shared || shared.controller.signal.aborted) {
    shared = launch(key, start, shared);
  }
  return waitFor(shared, signal);
}

function launch(key: string, start: (signal: AbortSignal) => Promise<ExportStart>, abandoned?: SharedStart): SharedStart {
  const controller = new AbortController();
  const begin = () => (controller.signal.aborted ? Promise.reject(new CancelledError()) : start(controller.signal));
  const run = (abandoned ? abandoned.run.catch(begin) : begin()).finally(() => {
    if (inFlight.get(key) === shared) {
      inFlight.delete(key);
    }
  });
  const shared: SharedStart = { run, controller, waiting: 0 };
  inFlight.set(key, shared);
  return shared;
}

/** The shared start's outcome for one caller, or CancelledError at once when its signal aborts. */
function waitFor(shared: SharedStart, signal: AbortSignal | undefined): Promise<ExportStart> {
  shared.waiting++;
  if (!signal) {
    return shared.run;
  }
  let over = false;
  let onAbort = () => {};
  const cancelled = new Promise<never>((_resolve, reject) => {
    onAbort = () => {
      if (over) {
        return;
      }
      over = true;
      reject(new CancelledError());
      if (--shared.waiting === 0) {
        shared.controller.abort();
      }
    };
  });
  signal.addEventListener('abort', onAbort, { once: true });
  return Promise.race([shared.run, cancelled]).finally(() => {
    over = true;
    signal.removeEventListener('abort', onAbort);
  });
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
