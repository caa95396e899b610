/**
 * The gate every HTTP attempt of a client passes: `acquire` before the request is sent,
 * `release` with what came of it. Two gates: the adaptive limiter (adaptiveLimit.ts, the
 * default) and a fixed one (a plain semaphore: "the limiter off").
 */
import { CancelledError } from './errors';

/** What one attempt came to, as the gate needs to know it. */
export type AttemptOutcome =
  | 'answered' // the service answered and was not overloaded (a success, or a 4xx such as not-found)
  | 'throttled' // a rate-limit answer (429 or a throttling code): the service did not act
  | 'failed' // no answer, a 5xx or a timeout: tells nothing about the pace
  | 'cancelled';

export interface Permit {
  /** Ends the attempt; only the first call counts. `retryAfterMs`: the service's hint on a throttled answer. */
  release(outcome: AttemptOutcome, retryAfterMs?: number): void;
}

export interface RequestGate {
  /** Resolves when the attempt may start; rejects with CancelledError as soon as `signal` aborts. */
  acquire(signal?: AbortSignal): Promise<Permit>;
  /** The most attempts it may ever let run at once: a batch needs no more workers than this. */
  readonly ceiling: number;
}

interface Waiter {
  grant: () => void;
}

/** A FIFO queue of callers that a cancel takes out at once. */
export class WaitQueue {
  private readonly waiters: Waiter[] = [];

  get length(): number {
    return this.waiters.length;
  }

  /** Waits until `shift` grants this caller (then `onGranted` runs), or the signal aborts. */
  wait<T>(onGranted: () => T, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) {
      return Promise.reject(new CancelledError());
    }
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) {
          this.waiters.splice(i, 1);
        }
        reject(new CancelledError());
      };
      const waiter: Waiter = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve(onGranted());
        },
      };
      this.waiters.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Grants the first caller in line. */
  shift(): void {
    this.waiters.shift()?.grant();
  }
}

/** At most `limit` attempts at once, nothing else: no pacing, no adaptation. */
export class FixedGate implements RequestGate {
  readonly ceiling: number;
  private inFlight = 0;
  private readonly queue = new WaitQueue();

  constructor(limit: number) {
    this.ceiling = Math.max(1, Math.floor(limit));
  }

  acquire(signal?: AbortSignal): Promise<Permit> {
    const grant = (): Permit => {
      this.inFlight++;
      let released = false;
      return {
        release: () => {
          if (!released) {
            released = true;
            this.inFlight--;
            this.pump();
          }
        },
      };
    };
    const promise = this.queue.wait(grant, signal);
    this.pump();
    return promise;
  }

  private pump(): void {
    while (this.queue.length > 0 && this.inFlight < this.ceiling) {
      this.queue.shift();
    }
  }
}
