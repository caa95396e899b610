/**
 * The adaptive limiter: one per client, it gates every HTTP attempt (bulk deletes, the tree's
 * DescribeModel loads, retries), so all of them share one pace. Two controls, both AIMD:
 *
 * 1. **Concurrency** (attempts in flight). Starts at the `qianfan.maxConcurrentRequests`
 *    setting; grows by one per window of clean answers (about +1 per round trip) while it is
 *    actually the bottleneck and latency is normal; halves on a rate-limit answer (429 or a
 *    throttling code) or when latency rises well above the recent baseline (a short average
 *    above `latencyFactor` × baseline + `latencySlackMs`; the baseline follows a fall at once and
 *    a rise slowly). Never below 1 nor above `ceiling` (4 × the start, at most 64).
 *
 * 2. **Rate** (attempts started per second). Halving concurrency cannot hold a rate limit: at
 *    50 ms latency a 50 req/s limit is 2.5 attempts in flight, so halving from 8 overshoots to
 *    4 and then 2 (40 req/s, 80 %), or stays above the limit and keeps drawing 429s. So the first
 *    429 also teaches a rate: what the service let through in the last second (the clean answers
 *    of the last second, plus the attempts still in flight that started before the refused one:
 *    their answers are on the way). For a sliding window that is exactly its limit; for a token
 *    bucket, limit + burst. Starts are then spaced at `rateBackoff` (0.95) × that. While callers
 *    wait for that pace the rate grows by 2 % (at least 0.5 req/s) per second; the next 429
 *    takes it back by 5 % (or, if far less got through than the rate, to 95 % of what did).
 *    A sawtooth between 95 % and 100 % of the limit, with a 429 every few seconds.
 *    Spacing keeps a grid: a late timer or a busy event loop does not push later starts back (up
 *    to 3 missed slots are caught up; never slots the service refused). A 429 teaches a rate only
 *    when at least `minRateEvidence` (2) requests got through in the second before it, or
 *    concurrency is already 1: a lone 429 says nothing about our pace. Concurrency is not halved
 *    below what the learnt rate needs at the recent latency (Little's law, × 1.5), so the two
 *    controls do not fight.
 *
 * A decrease happens at most once per round trip: an answer to an attempt that started before
 * the last decrease does not decrease again. `Retry-After` (or `retry-after-ms`) closes the gate:
 * no attempt starts before it (at most `maxPauseMs` ahead); the runner still retries the
 * throttled request after its own backoff, which is at least the hint, so no item is lost and
 * a success is never turned into a failure: the limiter only delays. A cancel takes a waiting
 * caller out of the queue at once (CancelledError). `reserve` hands a place to a caller that
 * keeps its own queue (the detail loader), for its next request. Every pace, pause and wait is
 * timed on a monotonic clock (`performance.now()`): setting the system clock back does not hold
 * requests back. Clock and timers are injected for tests.
 */
import { type AttemptOutcome, SignalPlaces, type Permit, type RequestGate, WaitQueue } from './gate';

export interface Timers {
  /** A monotonic clock in ms: never steps back when the system clock is set (the pace, pauses and timeouts). */
  now(): number;
  /** Calls `fn` after `ms`; returns a function that cancels it. */
  setTimer(fn: () => void, ms: number): () => void;
}

/** `performance.now()`, not `Date.now()`: a system clock set back must not hold every request back as long. */
export const REAL_TIMERS: Timers = {
  now: () => performance.now(),
  setTimer: (fn, ms) => {
    const t = setTimeout(fn, ms);
    return () => clearTimeout(t);
  },
};

export interface AdaptiveLimitOptions {
  /** The starting concurrency (the user's setting). */
  readonly initial: number;
  /** The most in flight; default 4 × initial, at most 64 (never below initial). */
  readonly ceiling?: number;
  readonly timers?: Timers;
  readonly latencyFactor?: number;
  readonly latencySlackMs?: number;
  readonly rateBackoff?: number;
  readonly minRateEvidence?: number;
  readonly maxPauseMs?: number;
}

export interface LimiterState {
  readonly limit: number;
  /** Starts per second, once a 429 taught one. */
  readonly rate?: number;
  readonly inFlight: number;
  readonly waiting: number;
  readonly throttled: number;
}

const WINDOW_MS = 1000;
const BASELINE_RISE = 0.01;
const SHORT_WEIGHT = 0.2;
const MIN_SAMPLES = 20;
/** How many missed slots of the pace may be caught up (a late timer, a busy event loop). */
const CATCH_UP = 3;

export class AdaptiveLimiter implements RequestGate {
  readonly ceiling: number;
  private limit: number;
  private rate?: number;
  /** The pace the service announced (X-Ratelimit-Limit-Requests), per second: a ceiling on the pace. */
  private serviceRate?: number;
  /** The attempts in flight, by when each started. */
  private readonly running = new Set<{ startedAt: number }>();
  private throttled = 0;
  private epoch = 0;
  private pausedUntil = -Infinity;
  private nextStartAt = -Infinity;
  private lastRateGrowth = 0;
  private baseline?: number;
  private short?: number;
  private samples = 0;
  /** When each clean answer of the last second came. */
  private readonly recent: number[] = [];
  private readonly queue = new WaitQueue(() => this.pump());
  private readonly places = new SignalPlaces();
  private readonly timers: Timers;
  private readonly o: Required<Omit<AdaptiveLimitOptions, 'timers' | 'ceiling'>>;
  /** The last caller held back waited for the pace (not for a free place nor Retry-After). */
  private paceBound?: boolean;
  private cancelTimer?: () => void;
  /** When the pending timer fires (Infinity: none pending). */
  private timerAt = Infinity;

  constructor(options: AdaptiveLimitOptions) {
    const initial = Math.max(1, Math.floor(options.initial));
    this.ceiling = Math.max(initial, Math.floor(options.ceiling ?? Math.min(64, 4 * initial)));
    this.limit = initial;
    this.timers = options.timers ?? REAL_TIMERS;
    this.o = {
      initial,
      latencyFactor: options.latencyFactor ?? 2,
      latencySlackMs: options.latencySlackMs ?? 50,
      rateBackoff: options.rateBackoff ?? 0.95,
      minRateEvidence: options.minRateEvidence ?? 2,
      maxPauseMs: options.maxPauseMs ?? 60_000,
    };
  }

  get state(): LimiterState {
    return { limit: Math.floor(this.limit), rate: this.pace(), inFlight: this.running.size, waiting: this.queue.length, throttled: this.throttled };
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
    const promise = this.queue.wait(() => {
      const permit = this.grant();
      // the round trip is timed from when the request comes for its place, not from the grant
      return this.places.keep(signal, permit, () => (permit.attempt.startedAt = this.timers.now()));
    }, signal);
    this.pump();
    return promise;
  }

  sending(signal: AbortSignal): boolean {
    return this.places.sending(signal);
  }

  /** Takes the service's announced pace (requests per second) as a ceiling on the pace; a value that is not a positive number is ignored. */
  setServiceRate(perSecond: number): void {
    if (Number.isFinite(perSecond) && perSecond > 0) {
      this.serviceRate = perSecond; // the next grant spaces by it; who waits keeps the slot already set
    }
  }

  /** Starts per second: the learnt rate, never above what the service announced; undefined while neither is known. */
  private pace(): number | undefined {
    if (this.serviceRate === undefined) {
      return this.rate;
    }
    return this.rate === undefined ? this.serviceRate : Math.min(this.rate, this.serviceRate);
  }

  private grant(): Permit & { readonly attempt: { startedAt: number } } {
    const startedAt = this.timers.now();
    const epoch = this.epoch;
    const attempt = { startedAt };
    this.running.add(attempt);
    const pace = this.pace();
    if (pace !== undefined) {
      const interval = 1000 / pace;
      this.nextStartAt = Math.max(this.nextStartAt, startedAt - CATCH_UP * interval) + interval;
    }
    let released = false;
    return {
      attempt,
      release: (outcome, retryAfterMs) => {
        if (!released) {
          released = true;
          this.running.delete(attempt);
          this.settle(outcome, attempt.startedAt, epoch, retryAfterMs);
        }
      },
    };
  }

  private settle(outcome: AttemptOutcome, startedAt: number, epoch: number, retryAfterMs?: number): void {
    const now = this.timers.now();
    const wasFull = this.running.size + 1 >= Math.floor(this.limit);
    if (outcome === 'answered') {
      this.onAnswer(now, now - startedAt, epoch, wasFull);
    } else if (outcome === 'throttled') {
      this.onThrottled(now, startedAt, epoch, retryAfterMs);
    }
    this.pump();
  }

  private onAnswer(now: number, latency: number, epoch: number, wasFull: boolean): void {
    this.recent.push(now);
    this.trimRecent(now);
    this.samples++;
    this.short = this.short === undefined ? latency : this.short + SHORT_WEIGHT * (latency - this.short);
    this.baseline = this.baseline === undefined ? latency : Math.min(latency, this.baseline + BASELINE_RISE * (latency - this.baseline));
    const slow = this.samples >= MIN_SAMPLES && this.short > this.o.latencyFactor * this.baseline + this.o.latencySlackMs;
    if (slow) {
      this.decrease(epoch);
      return;
    }
    if (wasFull) {
      this.limit = Math.min(this.ceiling, this.limit + 1 / Math.floor(this.limit));
    }
    if (this.rate !== undefined && this.paceBound) {
      const dt = Math.min(WINDOW_MS, now - this.lastRateGrowth);
      this.rate += (Math.max(0.5, 0.02 * this.rate) * dt) / 1000;
    }
    this.lastRateGrowth = now;
  }

  private onThrottled(now: number, startedAt: number, epoch: number, retryAfterMs?: number): void {
    this.throttled++;
    this.pausedUntil = Math.max(this.pausedUntil, now + Math.min(retryAfterMs ?? 0, this.o.maxPauseMs));
    this.nextStartAt = Math.max(this.nextStartAt, now, this.pausedUntil); // no catching up on slots the service refused
    if (epoch !== this.epoch) {
      return; // started before the last decrease: that decrease already answered this load
    }
    this.trimRecent(now);
    // what got through in the last second: the clean answers, and the attempts still in flight
    // that started before this one (the service let them in; their answers are on the way)
    let gotThrough = this.recent.length;
    for (const a of this.running) {
      gotThrough += a.startedAt < startedAt ? 1 : 0;
    }
    if (gotThrough >= this.o.minRateEvidence || Math.floor(this.limit) <= 1) {
      const through = Math.max(1, gotThrough);
      // the first 429 learns what got through; later ones back off from the current rate, unless
      // far less got through than that (the limit itself went down)
      const from = this.rate === undefined || through < this.rate * this.o.rateBackoff ** 2 ? through : this.rate;
      this.rate = this.o.rateBackoff * Math.min(from, this.rate ?? Infinity);
      this.lastRateGrowth = now;
    }
    this.decrease(epoch);
  }

  /** Halves concurrency, not below 1 nor below what the learnt rate needs at the recent latency. */
  private decrease(epoch: number): void {
    if (epoch !== this.epoch) {
      return;
    }
    this.epoch++;
    const latency = this.short ?? 0; // never below the baseline: it follows a rise slower and a fall at once
    const needed = this.rate !== undefined ? Math.ceil((1.5 * this.rate * latency) / 1000) + 1 : 1;
    this.limit = Math.max(1, Math.min(this.limit, Math.max(Math.floor(this.limit / 2), needed)));
  }

  private trimRecent(now: number): void {
    while ((this.recent[0] ?? Infinity) <= now - WINDOW_MS) {
      this.recent.shift();
    }
  }

  /** Starts whoever may start now; otherwise sets one timer for when the next may. */
  private pump(): void {
    while (this.queue.length > 0 && this.running.size < Math.floor(this.limit)) {
      const now = this.timers.now();
      const openAt = Math.max(this.pausedUntil, this.nextStartAt); // set only by a pace or a refusal
      if (now < openAt) {
        this.paceBound = openAt > this.pausedUntil;
        this.wakeAt(openAt, now);
        return;
      }
      this.queue.shift();
    }
    this.paceBound = false; // nobody waits, or they wait for a free place: a release pumps again
    this.clearTimer();
  }

  /** One timer at most: the one pending when it is for the same time, else a new one in its place. */
  private wakeAt(at: number, now: number): void {
    if (at === this.timerAt) {
      return;
    }
    this.clearTimer();
    this.timerAt = at;
    this.cancelTimer = this.timers.setTimer(
      () => {
        this.timerAt = Infinity;
        this.pump();
      },
      Math.max(1, Math.ceil(at - now)),
    );
  }

  private clearTimer(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.timerAt = Infinity;
  }
}
