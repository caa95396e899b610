/**
 * Keeps followed models up to date: while the view is visible, each followed model is described
 * (DescribeModelSet) in rounds with backoff (the interval grows while nothing is new and starts
 * over when something is); hidden, nothing is asked. An expand of a followed model looks at it
 * too. A version the model did not have before is tracked, marked new (in memory, until the
 * user selects it) and announced once. A model is marked gone only on positive evidence: its
 * DescribeModelSet answer may mean missing AND a complete listing of the account lacks it;
 * it is never dropped. Waits are timers (monotonic), injectable for tests.
 *
 * Under faults: a round that fails (a write throws ELOCKED or ENOSPC, `api()` throws) is logged
 * once, counted, and the next round follows with the usual backoff. A new version is tracked
 * first and recorded as known only then (a failed add leaves it unknown: the next round finds it
 * again). A look works on the profile it started in: it stops, writing nothing, once the active
 * profile is another; `beforeSwitch` stops the looks under way and holds new ones until the
 * switch is done, so what was being written lands in the profile it was learnt in. Callers who
 * join a look each cancel only their own wait (SharedRequest).
 */
import { type Disposable } from '../base/events';
import { SharedRequest } from '../base/sharedRequest';
import { CancelledError, isCancelled, mayMeanMissing } from '../qianfan/errors';
import { type CustomModelSet, type ModelSetDetail } from '../qianfan/model';
import { type FollowedModel, type FollowedModelsStore } from '../state/followedModels';
import { type TrackedInfo } from '../state/trackedVersions';
import { isModelVersionId } from '../base/ids';

export interface FollowTiming {
  readonly intervalMs: number;
  readonly maxIntervalMs: number;
  /** An expand does not look again at a model looked at this recently. */
  readonly expandReuseMs: number;
}

export const DEFAULT_FOLLOW_TIMING: FollowTiming = { intervalMs: 30_000, maxIntervalMs: 600_000, expandReuseMs: 10_000 };

export interface FollowApi {
  describeModelSet(modelSetId: string, opts: { signal?: AbortSignal }): Promise<ModelSetDetail>;
  listAllCustomModelSets(opts: { signal?: AbortSignal }): Promise<CustomModelSet[]>;
  /** The new version's status, for the announcement (optional: announced without it when this fails). */
  describeModel?(modelId: string, opts: { signal?: AbortSignal }): Promise<{ readonly status: string }>;
}

export interface Timers {
  set(run: () => void, ms: number): unknown;
  clear(handle: unknown): void;
  /** A monotonic clock (ms). */
  now(): number;
}

const realTimers: Timers = {
  set: (run, ms) => setTimeout(run, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  now: () => performance.now(),
};

/** A version found in a followed model, to announce. */
export interface NewVersion {
  readonly modelSetId: string;
  readonly modelSetName: string;
  readonly modelId: string;
  readonly name?: string;
  readonly status?: string;
}

export interface FollowPollerDeps {
  readonly followed: FollowedModelsStore;
  readonly tracked: { add(versions: readonly TrackedInfo[]): Promise<number> };
  api(): FollowApi;
  announce(version: NewVersion): void;
  /** Failures while looking (for the log). */
  log?(message: string, error: unknown): void;
  readonly timers?: Timers;
  /** The active profile's ID, read at each call: a look stops once it is not the one it started in. */
  profile?(): string;
}

/** A look stopped by a switch of profile (or a switch about to be): nothing more is written. */
class SwitchedProfile extends Error {
  constructor() {
    super('the active profile changed');
    this.name = 'SwitchedProfile';
  }
}

export class FollowPoller implements Disposable {
  private active = false;
  private timer?: unknown;
  private delay: number;
  private readonly timers: Timers;
  /** Versions found new in this window, until the user has seen them. */
  private readonly fresh = new Set<string>();
  /** Followed models found gone from Qianfan. */
  private readonly gone = new Set<string>();
  /** When each model was last looked at (monotonic ms). */
  private readonly lookedAt = new Map<string, number>();
  /** Looks under way, one per model, shared by the callers who joined. */
  private readonly running = new Map<string, SharedRequest<boolean>>();
  private readonly listeners = new Set<() => void>();
  private disposed = false;
  /** Aborted by a switch of profile: every look under way stops. */
  private stop = new AbortController();
  /** A switch of profile is under way from this profile: no look starts until it is done. */
  private held?: string;
  /** The round under way, if any. */
  private inRound?: Promise<void>;
  /** Failures already logged (a look joined by a round and an expand is logged once). */
  private readonly logged = new WeakSet<object>();
  private failures = 0;
  timing: FollowTiming = DEFAULT_FOLLOW_TIMING;

  constructor(private readonly deps: FollowPollerDeps) {
    this.timers = deps.timers ?? realTimers;
    this.delay = this.timing.intervalMs;
  }

  /** Looks at the followed models while active (the view is visible), not otherwise. */
  setActive(active: boolean): void {
    if (active === this.active) {
      return; // shown while shown: a round, failed or not, has set the next wait already
    }
    this.active = active;
    if (active) {
      this.delay = this.timing.intervalMs;
      this.schedule(0);
    } else {
      this.cancelTimer();
    }
  }

  get isActive(): boolean {
    return this.active;
  }

  /** The interval before the next round. */
  get currentDelay(): number {
    return this.delay;
  }

  /** How many rounds failed (a write or the client threw) since this poller was made. */
  get failedRounds(): number {
    return this.failures;
  }

  isNew(modelId: string): boolean {
    return this.fresh.has(modelId);
  }

  isGone(modelSetId: string): boolean {
    return this.gone.has(modelSetId);
  }

  /** The user has seen these versions: no longer marked new. */
  seen(modelIds: readonly string[]): void {
    if (modelIds.filter((id) => this.fresh.delete(id)).length > 0) {
      this.changed();
    }
  }

  /** An expand of a model: a followed one not looked at lately is looked at now. */
  expanded(modelSetId: string): void {
    if (!this.deps.followed.has(modelSetId)) {
      return;
    }
    const at = this.lookedAt.get(modelSetId) ?? -Infinity; // never looked at: look now
    if (this.timers.now() - at < this.timing.expandReuseMs) {
      return;
    }
    this.check(modelSetId).catch((error: unknown) => this.logFailure(`Could not bring followed model ${modelSetId} up to date`, error));
  }

  /** A switch held for did not happen: looks go on in this profile, with what was learnt in it. */
  resume(): void {
    if (this.held !== (this.deps.profile?.() ?? '')) {
      return; // not held (undefined), or held for a switch that did happen (reset() follows)
    }
    this.held = undefined;
    if (this.active) {
      this.schedule(0);
    }
  }

  /** Starts over, as in a new window: nothing marked. */
  reset(): void {
    this.held = undefined; // a switch is done: looks start again, in the new profile
    this.fresh.clear();
    this.gone.clear();
    this.lookedAt.clear();
    this.delay = this.timing.intervalMs;
    this.changed();
    if (this.active) {
      this.schedule(0);
    }
  }

  /**
   * Brings one followed model up to date; resolves to whether something changed (a new version,
   * gone or back). A second caller joins the look under way; each caller's `signal` cancels only
   * its own wait, and the look is aborted only when every caller has cancelled. Rejects when a
   * write (or the client) failed.
   */
  check(modelSetId: string, signal?: AbortSignal): Promise<boolean> {
    let look = this.running.get(modelSetId);
    if (!look || look.abandoned) {
      if (signal?.aborted) {
        return Promise.resolve(false); // a cancel decides nothing, as a cancelled request does
      }
      look = this.startLook(modelSetId);
    }
    if (!signal) {
      return look.join(); // the look itself: every caller without a signal gets the same promise
    }
    return look.join(signal).catch((error: unknown) => {
      if (isCancelled(error)) {
        return false; // this caller's own cancel
      }
      throw error;
    });
  }

  private startLook(modelSetId: string): SharedRequest<boolean> {
    const stop = this.stop.signal;
    const look = new SharedRequest(
      (own) =>
        this.look(modelSetId, AbortSignal.any([own, stop]), this.deps.profile?.()).finally(() => {
          if (this.running.get(modelSetId) === look) {
            this.running.delete(modelSetId);
          }
        }),
      () => new CancelledError(),
    );
    this.running.set(modelSetId, look);
    return look;
  }

  /** One round over every followed model: each is looked at even when another fails; then the first failure is thrown. */
  async checkAll(): Promise<boolean> {
    let changed = false;
    let failure: { error: unknown } | undefined;
    const profile = this.deps.profile?.();
    for (const model of this.deps.followed.list()) {
      if (this.disposed || this.held !== undefined || this.deps.profile?.() !== profile) {
        break; // the models of the profile the round started in, while it is the active one
      }
      try {
        changed = (await this.check(model.modelSetId)) || changed;
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure) {
      throw failure.error;
    }
    return changed;
  }

  /**
   * Before a switch of profile: the looks under way stop (what they were writing is written, in
   * this profile), no new one starts until `reset()` after the switch; resolves once they ended.
   */
  async beforeSwitch(): Promise<void> {
    this.held = this.deps.profile?.() ?? '';
    this.cancelTimer();
    this.stop.abort();
    this.stop = new AbortController();
    const looks = [...this.running.values()].map((l) => l.result.catch(() => undefined));
    await Promise.all([this.inRound, ...looks]);
  }

  onDidChange(listener: () => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Throws SwitchedProfile when the look can no longer write in the profile it started in. */
  private inProfile(profile: string | undefined, signal: AbortSignal): void {
    if (this.held !== undefined || signal.aborted || this.deps.profile?.() !== profile) {
      throw new SwitchedProfile();
    }
  }

  private async look(modelSetId: string, signal: AbortSignal, profile: string | undefined): Promise<boolean> {
    if (this.held !== undefined) {
      return false; // a switch is under way
    }
    this.lookedAt.set(modelSetId, this.timers.now());
    const api = this.deps.api();
    let detail: ModelSetDetail;
    try {
      detail = await api.describeModelSet(modelSetId, { signal });
    } catch (error) {
      if (isCancelled(error)) {
        return false;
      }
      if (!mayMeanMissing(error)) {
        this.deps.log?.(`Could not look at followed model ${modelSetId}`, error);
        return false;
      }
      return this.lookInListing(api, modelSetId, signal, profile);
    }
    try {
      this.inProfile(profile, signal);
      let changed = this.setGone(modelSetId, false);
      const model = this.deps.followed.get(modelSetId);
      if (!model || detail.versionsListed === false) {
        return changed;
      }
      const known = new Set(model.knownIds);
      const unknown = [...new Set(detail.modelIds.filter((id) => isModelVersionId(id) && !known.has(id)))];
      if (unknown.length > 0) {
        changed = (await this.adopt(api, model, detail, unknown, signal, profile)) || changed;
      }
      return changed;
    } catch (error) {
      if (error instanceof SwitchedProfile) {
        return false; // another profile is active now: nothing of this look is written there
      }
      throw error;
    }
  }

  /** DescribeModelSet may have meant "no such model": gone only when a complete listing lacks it. */
  private async lookInListing(api: FollowApi, modelSetId: string, signal: AbortSignal, profile: string | undefined): Promise<boolean> {
    let listing: CustomModelSet[];
    try {
      listing = await api.listAllCustomModelSets({ signal });
    } catch (error) {
      if (!isCancelled(error)) {
        this.deps.log?.(`Could not list the models to look for followed model ${modelSetId}`, error);
      }
      return false;
    }
    if (this.held !== undefined || signal.aborted || this.deps.profile?.() !== profile) {
      return false; // learnt for a profile no longer active
    }
    return this.setGone(modelSetId, !listing.some((m) => m.modelSetId === modelSetId));
  }

  /**
   * The versions found that the model's entry does not know yet: tracked first, then recorded
   * as known (a failed add records nothing: the next look finds them again); those this window
   * recorded (another window may have been first) are marked new and announced. Resolves to
   * whether any was.
   */
  private async adopt(
    api: FollowApi,
    model: FollowedModel,
    detail: ModelSetDetail,
    unknown: readonly string[],
    signal: AbortSignal,
    profile: string | undefined,
  ): Promise<boolean> {
    const modelSetName = detail.modelSetName || model.modelSetName || model.modelSetId;
    const found: NewVersion[] = [];
    for (const modelId of unknown) {
      this.inProfile(profile, signal);
      const name = detail.modelNames[detail.modelIds.indexOf(modelId)] || undefined;
      const status = await api.describeModel?.(modelId, { signal }).then(
        (d) => d.status,
        () => undefined,
      );
      found.push({ modelSetId: model.modelSetId, modelSetName, modelId, name, status });
    }
    this.inProfile(profile, signal);
    await this.deps.tracked.add(
      found.map((v) => ({
        modelId: v.modelId,
        modelSetId: v.modelSetId,
        modelSetName: detail.modelSetName || undefined,
        name: v.name,
        ...(v.status ? { status: v.status, statusAt: Date.now() } : {}),
      })),
    );
    if (this.deps.profile?.() !== profile) {
      return false; // tracked in its profile, not recorded as known there: found again when it is active
    }
    const fresh = new Set(await this.deps.followed.learn(model.modelSetId, unknown));
    const mine = found.filter((v) => fresh.has(v.modelId));
    if (mine.length === 0) {
      return false;
    }
    mine.forEach((v) => this.fresh.add(v.modelId));
    this.changed();
    mine.forEach((v) => this.deps.announce(v));
    return true;
  }

  private setGone(modelSetId: string, gone: boolean): boolean {
    const was = this.gone.has(modelSetId);
    if (was === gone) {
      return false;
    }
    if (gone) {
      this.gone.add(modelSetId);
    } else {
      this.gone.delete(modelSetId);
    }
    this.changed();
    return true;
  }

  private schedule(ms: number): void {
    this.cancelTimer();
    this.timer = this.timers.set(() => {
      this.timer = undefined;
      void this.round();
    }, ms);
  }

  private cancelTimer(): void {
    this.timers.clear(this.timer); // clearing no timer (undefined) or one that ran does nothing
    this.timer = undefined;
  }

  /** Runs only while active: hiding clears the pending wait. A failed round is logged once, counted, and followed by the next with the usual backoff. */
  private round(): Promise<void> {
    const run = this.roundOnce().finally(() => {
      if (this.inRound === run) {
        this.inRound = undefined;
      }
    });
    this.inRound = run;
    return run;
  }

  private async roundOnce(): Promise<void> {
    let changed = false;
    try {
      changed = await this.checkAll();
    } catch (error) {
      this.failures++;
      this.logFailure('A round over the followed models failed; trying again later', error);
    }
    const { intervalMs, maxIntervalMs } = this.timing;
    this.delay = changed ? intervalMs : Math.min(maxIntervalMs, Math.round(this.delay * 1.5));
    if (this.active && !this.disposed && this.held === undefined) {
      this.schedule(this.delay);
    }
  }

  /** Logs a failure once, however many callers of the look it reached. */
  private logFailure(message: string, error: unknown): void {
    if (typeof error === 'object' && error !== null) {
      if (this.logged.has(error)) {
        return;
      }
      this.logged.add(error);
    }
    this.deps.log?.(message, error);
  }

  private changed(): void {
    this.listeners.forEach((l) => l());
  }

  dispose(): void {
    this.disposed = true;
    this.setActive(false);
    this.listeners.clear();
  }
}
