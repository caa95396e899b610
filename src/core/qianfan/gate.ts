/**
 * The gate every HTTP attempt of a client passes: `acquire` before the request is sent,
 * `release` with what came of it. Two gates: the adaptive limiter (adaptiveLimit.ts, the
 * default) and a fixed one (a plain semaphore: "the limiter off"). A caller with an order of its
 * own (the detail loader: what the user just opened first) keeps its work in its own queue and
 * `reserve`s a place for one request at a time, so the gate's first-come queue holds only what
 * is about to go.
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
  /**
   * Waits for a place as `acquire` does, then keeps it for the first `acquire` with this same
   * signal (the caller's request, through a client that passes the signal on), which gets it at
   * once. Resolves to a function that gives the place back unused (the request never came to
   * the gate); an abort of the signal gives it back too. Rejects with CancelledError as soon as
   * `signal` aborts while waiting.
   */
  reserve?(signal: AbortSignal): Promise<() => void>;
  /** Whether an attempt made with this signal holds a place now: its request is on the wire (not waiting, nor between retries). */
  sending?(signal: AbortSignal): boolean;
  /**
   * The pace the service announced (`X-Ratelimit-Limit-Requests`, in requests per minute, as
   * the official SDK reads it), in requests per second: never start faster than this.
   */
  setServiceRate?(perSecond: number): void;
}

interface Waiter {
  grant: () => void;
}

/** A FIFO queue of callers that a cancel takes out at once. */
export class WaitQueue {
  private readonly waiters: Waiter[] = [];

  /** `onLeave`: called when a cancel took a caller out (the gate may then have nothing left to wait for). */
  constructor(private readonly onLeave?: () => void) {}

  get length(): number {
    return this.waiters.length;
  }

  /** Waits until `shift` grants this caller (then `onGranted` runs), or the signal aborts. */
  wait<T>(onGranted: () => T, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) {
      return Promise.reject(new CancelledError());
    }
    return new Promise<T>((resolve, reject) => {
      // runs only while the caller waits: a grant takes the listener off
      const onAbort = () => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new CancelledError());
        this.onLeave?.();
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

  /** Grants the first caller in line, if any. */
  shift(): void {
    this.waiters.shift()?.grant();
  }
}

/**
 * What a gate knows of callers by their signal: the places kept for them (`reserve`) and their
 * attempts under way (`sending`).
 */
export class SignalPlaces {
  private readonly held = new WeakMap<AbortSignal, { readonly permit: Permit; readonly giveBack: () => void; readonly onTake?: () => void }>();
  private readonly out = new WeakMap<AbortSignal, number>();

  /** Keeps `permit` for `take(signal)`; returns the function that gives it back (released as cancelled) if not taken. */
  keep(signal: AbortSignal, permit: Permit, onTake?: () => void): () => void {
    this.held.get(signal)?.giveBack();
    const giveBack = () => {
      if (this.held.get(signal) === entry) {
        this.held.delete(signal);
        signal.removeEventListener('abort', giveBack);
        permit.release('cancelled');
      }
    };
    const entry = { permit, giveBack, onTake };
    this.held.set(signal, entry);
    if (signal.aborted) {
      giveBack();
    } else {
      signal.addEventListener('abort', giveBack); // giveBack takes it off
    }
    return giveBack;
  }

  /** The place kept for this signal, if any: no longer kept, and under way from now on. */
  take(signal: AbortSignal): Permit | undefined {
    const entry = this.held.get(signal); // never an aborted signal's: its abort gave the place back
    if (!entry) {
      return undefined;
    }
    this.held.delete(signal);
    signal.removeEventListener('abort', entry.giveBack);
    entry.onTake?.();
    return this.track(signal, entry.permit);
  }

  /** Counts `permit` as an attempt of `signal` under way until it is released. */
  track(signal: AbortSignal | undefined, permit: Permit): Permit {
    if (!signal) {
      return permit;
    }
    this.out.set(signal, (this.out.get(signal) ?? 0) + 1);
    let released = false;
    return {
      release: (outcome, retryAfterMs) => {
        if (!released) {
          released = true;
          this.out.set(signal, (this.out.get(signal) ?? 1) - 1); // a WeakMap: a count of 0 goes with its signal
        }
        permit.release(outcome, retryAfterMs);
      },
    };
  }

  /** Whether an attempt of this signal holds a place now (its request is on the wire). */
  sending(signal: AbortSignal): boolean {
    return (this.out.get(signal) ?? 0) > 0;
  }
}

/** At most `limit` attempts at once, nothing else: no pacing, no adaptation. */
export class FixedGate implements RequestGate {
  readonly ceiling: number;
  private inFlight = 0;
  private readonly queue = new WaitQueue();
  private readonly places = new SignalPlaces();

  constructor(limit: number) {
    this.ceiling = Math.max(1, Math.floor(limit));
  }

  acquire(signal?: AbortSignal): Promise<Permit> {
    const kept = signal && this.places.take(signal);
    if (kept) {
      return Promise.resolve(kept);
    }
    const promise = this.queue.wait(() => this.places.track(signal, this.grant()), signal);
    this.pump();
    return promise;
  }

  reserve(signal: AbortSignal): Promise<() => void> {
    const promise = this.queue.wait(() => this.places.keep(signal, this.grant()), signal);
    this.pump();
    return promise;
  }

  sending(signal: AbortSignal): boolean {
    return this.places.sending(signal);
  }

  private grant(): Permit {
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
  }

  /** One place at a time: each acquire adds one caller, each release frees one place. */
  private pump(): void {
    if (this.inFlight < this.ceiling) {
      this.queue.shift();
    }
  }
}
