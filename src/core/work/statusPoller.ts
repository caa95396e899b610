/**
 * Keeps versions that are still being created live: while the view is visible, every version
 * the user can see (under an expanded model) whose known status is Creating is described again, with backoff (the interval grows while
 * nothing changes and starts over when something does); hidden, nothing is polled. When a
 * version seen Creating reaches another status (by a poll or by any other load), that is
 * announced once. Its waits are timers (`setTimeout`, on Node's monotonic clock), never the
 * system time, so a clock set back does not hold polling back.
 */
import { type DetailLoader } from './detailLoader';
import { type Disposable } from '../base/events';
import { type VersionDetailsStore } from '../state/versionDetails';

export interface PollerTiming {
  readonly intervalMs: number;
  readonly maxIntervalMs: number;
}

export const DEFAULT_POLLER_TIMING: PollerTiming = { intervalMs: 3000, maxIntervalMs: 60_000 };
/** The most versions described in one round. */
export const MAX_POLLED_PER_ROUND = 50;
const CREATING = 'Creating';

export interface StatusPollerDeps {
  readonly store: VersionDetailsStore;
  readonly loader: Pick<DetailLoader, 'load'>;
  /** The versions the user can see, with their last stored status. */
  visible(): readonly { readonly modelId: string; readonly status?: string }[];
  /** A version seen Creating has reached another status. */
  announce(modelId: string, status: string): void;
}

export class StatusPoller implements Disposable {
  private active = false;
  private timer?: ReturnType<typeof setTimeout>;
  private delay: number;
  /** Versions seen Creating whose change is to be announced. */
  private readonly watching = new Set<string>();
  /** The round in which each version now polled was last described: the longest waiting go first. */
  private readonly polledIn = new Map<string, number>();
  private round = 0;
  private readonly subscription: Disposable;
  timing: PollerTiming = DEFAULT_POLLER_TIMING;

  constructor(private readonly deps: StatusPollerDeps) {
    this.delay = this.timing.intervalMs;
    this.subscription = deps.store.onDidChange((ids) => this.onChange(ids));
  }

  /** Polls while active (the view is visible), not otherwise. */
  setActive(active: boolean): void {
    if (active === this.active) {
      return;
    }
    this.active = active;
    if (active) {
      this.delay = this.timing.intervalMs;
      this.schedule(0);
    } else {
      clearTimeout(this.timer); // hidden: no timer is left set, so no round runs
      this.timer = undefined;
    }
  }

  get isActive(): boolean {
    return this.active;
  }

  /** The versions polled now: visible and known (live, else stored) to be Creating; those no longer visible are let go. */
  creating(): string[] {
    const ids: string[] = [];
    const visible = new Set<string>();
    for (const t of this.deps.visible()) {
      visible.add(t.modelId);
      if (this.statusOf(t.modelId, t.status) === CREATING) {
        ids.push(t.modelId);
        this.watching.add(t.modelId);
      }
    }
    [...this.watching].filter((id) => !visible.has(id)).forEach((id) => this.watching.delete(id));
    return ids;
  }

  /** Starts over, as in a new window: nothing watched, the first interval next. */
  reset(): void {
    this.watching.clear();
    this.polledIn.clear();
    this.delay = this.timing.intervalMs;
    if (this.active) {
      this.schedule(0);
    }
  }

  private statusOf(modelId: string, stored: string | undefined): string | undefined {
    const live = this.deps.store.get(modelId);
    return live?.kind === 'loaded' ? live.detail.status : live?.kind === 'missing' ? undefined : stored;
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.poll();
    }, ms);
  }

  /** Runs only while active: the timer is set only then, and cleared when hidden. */
  private async poll(): Promise<void> {
    const ids = this.nextRound(this.creating());
    const before = ids.map((id) => this.deps.store.liveStatus(id));
    if (ids.length > 0) {
      await this.deps.loader.load(ids, { force: true, background: true });
    }
    const changed = ids.some((id, i) => this.deps.store.liveStatus(id) !== before[i]);
    const { intervalMs, maxIntervalMs } = this.timing;
    this.delay = changed ? intervalMs : Math.min(maxIntervalMs, Math.round(this.delay * 1.5));
    if (this.active) {
      this.schedule(this.delay);
    }
  }

  /**
   * The versions to describe this round, at most MAX_POLLED_PER_ROUND: never polled first, then
   * the longest unpolled, in view order among equals; so each of n versions is described within
   * ceil(n / MAX_POLLED_PER_ROUND) rounds.
   */
  private nextRound(candidates: readonly string[]): string[] {
    const round = ++this.round;
    const current = new Set(candidates);
    for (const id of this.polledIn.keys()) {
      if (!current.has(id)) {
        this.polledIn.delete(id); // no longer Creating or visible: starts afresh if seen again
      }
    }
    const lastPolled = (id: string) => this.polledIn.get(id) ?? 0;
    const ids = [...current].sort((a, b) => lastPolled(a) - lastPolled(b)).slice(0, MAX_POLLED_PER_ROUND); // a stable sort
    ids.forEach((id) => this.polledIn.set(id, round));
    return ids;
  }

  private onChange(ids: readonly string[]): void {
    for (const id of ids) {
      const state = this.deps.store.get(id);
      if (state?.kind !== 'loaded') {
        continue;
      }
      const status = state.detail.status;
      if (status === CREATING) {
        const isNew = !this.watching.has(id);
        this.watching.add(id);
        if (isNew && this.active) {
          this.delay = this.timing.intervalMs; // something new to follow: look soon
          this.schedule(this.delay);
        }
      } else if (this.watching.delete(id)) {
        this.deps.announce(id, status);
      }
    }
  }

  dispose(): void {
    this.setActive(false);
    this.subscription.dispose();
  }
}
