/**
 * Keeps followed models up to date: while the view is visible, each followed model is described
 * (DescribeModelSet) in rounds with backoff (the interval grows while nothing is new and starts
 * over when something is); hidden, nothing is asked. An expand of a followed model looks at it
 * too. A version the model did not have before is tracked, marked new (in memory, until the
 * user selects it) and announced once. A model is marked gone only on positive evidence: its
 * DescribeModelSet answer may mean missing AND a complete listing of the account lacks it;
 * it is never dropped. Waits are timers (monotonic), injectable for tests.
 */
import { type Disposable } from '../base/events';
import { isCancelled, mayMeanMissing } from '../qianfan/errors';
import { type CustomModelSet, type ModelSetDetail } from '../qianfan/model';
import { type FollowedModel, type FollowedModelsStore } from '../state/followedModels';
import { type TrackedInfo } from '../state/trackedVersions';

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
  /** Looks under way, one per model. */
  private readonly running = new Map<string, Promise<boolean>>();
  private readonly listeners = new Set<() => void>();
  private disposed = false;
  timing: FollowTiming = DEFAULT_FOLLOW_TIMING;

  constructor(private readonly deps: FollowPollerDeps) {
    this.timers = deps.timers ?? realTimers;
    this.delay = this.timing.intervalMs;
  }

  /** Looks at the followed models while active (the view is visible), not otherwise. */
  setActive(active: boolean): void {
    if (active === this.active) {
      return;
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
    void this.check(modelSetId);
  }

  /** Starts over, as in a new window: nothing marked. */
  reset(): void {
    this.fresh.clear();
    this.gone.clear();
    this.lookedAt.clear();
    this.delay = this.timing.intervalMs;
    this.changed();
    if (this.active) {
      this.schedule(0);
    }
  }

  /** Brings one followed model up to date; resolves to whether something changed (a new version, gone or back). */
  check(modelSetId: string, signal?: AbortSignal): Promise<boolean> {
    const running = this.running.get(modelSetId);
    if (running) {
      return running;
    }
    const look = this.look(modelSetId, signal).finally(() => this.running.delete(modelSetId));
    this.running.set(modelSetId, look);
    return look;
  }

  /** One round over every followed model. */
  async checkAll(): Promise<boolean> {
    let changed = false;
    for (const model of this.deps.followed.list()) {
      if (this.disposed) {
        break;
      }
      changed = (await this.check(model.modelSetId)) || changed;
    }
    return changed;
  }

  onDidChange(listener: () => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private async look(modelSetId: string, signal?: AbortSignal): Promise<boolean> {
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
      return this.lookInListing(api, modelSetId, signal);
    }
    let changed = this.setGone(modelSetId, false);
    const model = this.deps.followed.get(modelSetId);
    if (!model || detail.versionsListed === false) {
      return changed;
    }
    const fresh = await this.deps.followed.learn(modelSetId, detail.modelIds);
    if (fresh.length > 0) {
      changed = true;
      await this.adopt(api, model, detail, fresh, signal);
    }
    return changed;
  }

  /** DescribeModelSet may have meant "no such model": gone only when a complete listing lacks it. */
  private async lookInListing(api: FollowApi, modelSetId: string, signal?: AbortSignal): Promise<boolean> {
    let listing: CustomModelSet[];
    try {
      listing = await api.listAllCustomModelSets({ signal });
    } catch (error) {
      if (!isCancelled(error)) {
        this.deps.log?.(`Could not list the models to look for followed model ${modelSetId}`, error);
      }
      return false;
    }
    return this.setGone(modelSetId, !listing.some((m) => m.modelSetId === modelSetId));
  }

  private async adopt(api: FollowApi, model: FollowedModel, detail: ModelSetDetail, fresh: readonly string[], signal?: AbortSignal): Promise<void> {
    const modelSetName = detail.modelSetName || model.modelSetName || model.modelSetId;
    const found: NewVersion[] = [];
    for (const modelId of fresh) {
      const name = detail.modelNames[detail.modelIds.indexOf(modelId)] || undefined;
      const status = await api.describeModel?.(modelId, { signal }).then(
        (d) => d.status,
        () => undefined,
      );
      found.push({ modelSetId: model.modelSetId, modelSetName, modelId, name, status });
    }
    await this.deps.tracked.add(
      found.map((v) => ({
        modelId: v.modelId,
        modelSetId: v.modelSetId,
        modelSetName: detail.modelSetName || undefined,
        name: v.name,
        ...(v.status ? { status: v.status, statusAt: Date.now() } : {}),
      })),
    );
    found.forEach((v) => this.fresh.add(v.modelId));
    this.changed();
    found.forEach((v) => this.deps.announce(v));
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

  /** Runs only while active: hiding clears the pending wait. */
  private async round(): Promise<void> {
    const changed = await this.checkAll();
    const { intervalMs, maxIntervalMs } = this.timing;
    this.delay = changed ? intervalMs : Math.min(maxIntervalMs, Math.round(this.delay * 1.5));
    if (this.active && !this.disposed) {
      this.schedule(this.delay);
    }
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
