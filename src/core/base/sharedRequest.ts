/**
 * One request shared by every caller who joined it, each of whom can stop waiting on their own.
 * The request runs with a signal of its own, not any caller's: it is aborted only when every
 * caller who joined has cancelled (a caller without a signal never stops waiting). A caller who
 * cancels gets `cancelled()` at once; the others still get the request's outcome.
 */
export class SharedRequest<T> {
  /** The request's own outcome (a rejection of it is never left unhandled). */
  readonly result: Promise<T>;
  private readonly controller = new AbortController();
  private waiting = 0;
  private settled = false;

  /** Starts `start` with the request's own signal (`start` runs now; a throw becomes the result's rejection). */
  constructor(
    start: (signal: AbortSignal) => Promise<T>,
    private readonly cancelled: () => Error,
  ) {
    const signal = this.controller.signal;
    this.result = new Promise<T>((resolve) => resolve(start(signal)));
    const settle = () => {
      this.settled = true;
    };
    this.result.then(settle, settle); // a rejection is told to the callers who wait; nobody waiting is not a failure
  }

  /** Every caller who joined has cancelled: the request's signal is aborted, a new caller should start anew. */
  get abandoned(): boolean {
    return this.controller.signal.aborted;
  }

  /** How many callers wait for it now. */
  get waiters(): number {
    return this.waiting;
  }

  /**
   * This caller's wait: the request's outcome, or `cancelled()` as soon as `signal` aborts (at
   * once when it already has). The last caller to cancel aborts the request.
   */
  join(signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) {
      if (this.waiting === 0 && !this.settled) {
        this.controller.abort(); // nobody waits for it
      }
      return Promise.reject(this.cancelled());
    }
    this.waiting++;
    if (!signal) {
      return this.result;
    }
    let over = false;
    let onAbort = () => {};
    const cancel = new Promise<never>((_resolve, reject) => {
      onAbort = () => {
        if (over) {
          return;
        }
        over = true;
        reject(this.cancelled());
        if (--this.waiting === 0 && !this.settled) {
          this.controller.abort();
        }
      };
    });
    signal.addEventListener('abort', onAbort, { once: true });
    return Promise.race([this.result, cancel]).finally(() => {
      signal.removeEventListener('abort', onAbort);
      if (!over) {
        over = true;
        this.waiting--;
      }
    });
  }
}

/**
 * Runs `run` with a signal that follows `signal` only until the request was sent: once `sent()`
 * was called (the request went on the wire), a cancel no longer stops it, so its outcome (done,
 * failed, already gone) is learnt and never mistaken for "not sent". A cancel before that stops
 * it as usual.
 */
export function cancelUntilSent<T>(signal: AbortSignal | undefined, run: (signal: AbortSignal, sent: () => void) => Promise<T>): Promise<T> {
  const own = new AbortController();
  let sent = false;
  const onAbort = () => {
    if (!sent) {
      own.abort();
    }
  };
  if (signal?.aborted) {
    own.abort();
  } else {
    signal?.addEventListener('abort', onAbort, { once: true });
  }
  const markSent = () => {
    if (!own.signal.aborted) {
      sent = true;
    }
  };
  return new Promise<T>((resolve) => resolve(run(own.signal, markSent))).finally(() => signal?.removeEventListener('abort', onAbort));
}
