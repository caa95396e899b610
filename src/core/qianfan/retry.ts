/** When a failed attempt may be repeated, and how long to wait first. */
import { CancelledError, QianfanError } from './errors';
import { isRejectedClass } from './errorCodes';

export interface RetryPolicy {
  /** Repeats after the first attempt. */
  readonly maxRetries: number;
  /**
   * Repeats after a throttled answer (429 and kin), counted apart from the other failures: the
   * service did not act and asked to slow down, and the limiter does, so a bulk action waits it
   * out rather than fail an item that was unlucky several times in a burst. Default: maxRetries.
   */
  readonly maxThrottledRetries?: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxRetries: 3, maxThrottledRetries: 8, baseDelayMs: 300, maxDelayMs: 20_000 };

/**
 * How safe an action is to repeat:
 * - 'safe': reads and DeleteModel (deleting twice leaves the same state);
 * - 'never': CreateModelExportTask, which must never run twice: the client does not repeat it
 *   at all; startExport looks (DescribeModelExportTask) before any repeat.
 */
export type Idempotency = 'safe' | 'never';

/** Whether the request loop may send the same request again after this failure. */
export function isRetryable(error: unknown, idempotency: Idempotency): boolean {
  if (idempotency !== 'safe' || !(error instanceof QianfanError)) {
    return false;
  }
  const c = error.errorClass;
  return isRejectedClass(c) || c === 'transient';
}

/** Exponential backoff with "equal jitter": half fixed, half random; a server hint wins if larger. */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number, hintMs?: number): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  const jittered = exp / 2 + random() * (exp / 2);
  return Math.min(policy.maxDelayMs, Math.max(jittered, hintMs ?? 0));
}

/** `Retry-After` (seconds or an HTTP date) or `retry-after-ms`, in milliseconds. */
export function retryAfterMs(headers: Readonly<Record<string, string>>, nowMs: number): number | undefined {
  const ms = Number(headers['retry-after-ms']);
  if (headers['retry-after-ms'] && Number.isFinite(ms) && ms >= 0) {
    return ms;
  }
  const value = headers['retry-after'];
  if (!value) {
    return undefined;
  }
  const seconds = Number(value);
  if (Number.isFinite(seconds)) {
    return Math.max(0, seconds * 1000);
  }
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export const abortableSleep: Sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new CancelledError());
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(new CancelledError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
