/**
 * Loads versions' details (DescribeModel) as the view asks for them: what the user just expanded
 * first, in the order shown, a bounded number at once; each answer lands in the store as it
 * arrives, so a slow or failing version never holds back the others. What was learnt is written
 * to the tracked list in batches (last status and its time), so that the next start draws it
 * at once. Keys that are missing or refused, or an invalid endpoint, stop the loading (one
 * problem, not one error per version) until they change; the versions keep their last known status.
 *
 * The order is kept here, not in the client's limiter (a first-come queue shared with every other
 * request): a version is started only once the limiter has a place for it now (`reserve`), so
 * what waits stays in this queue, where an expand goes to the front and a collapse takes it back
 * before anything is sent. The limiter's pace (say 5 requests/s) then delays the next version
 * the user opens by at most one slot, not by everything asked for before it.
 */
import { isCancelled, isSetupFailure, mayMeanMissing } from '../qianfan/errors';
import { type Presence } from '../qianfan/presence';
import { type ModelVersionDetail } from '../qianfan/model';
import { type TrackedInfo } from '../state/trackedVersions';
import { type VersionDetailsStore } from '../state/versionDetails';

export interface DetailLoaderDeps {
  describe(modelId: string, signal: AbortSignal): Promise<ModelVersionDetail>;
  /**
   * Whether a version whose describe answered "not known" is really gone (presence.ts: positive
   * evidence only). Without it such a version shows the failure, never "no longer in Qianfan".
   */
  presence?(modelId: string, signal: AbortSignal): Promise<Presence>;
  /**
   * Waits until the client's limiter can start a request now and keeps that place for `describe`
   * with this signal (RequestGate.reserve); resolves to a function that gives it back unused.
   * Without it, versions start as soon as fewer than `concurrency` run.
   */
  reserve?(signal: AbortSignal): Promise<() => void>;
  /** Whether the request made with this signal is on the wire now (RequestGate.sending); not between retries nor waiting for the limiter. */
  sending?(signal: AbortSignal): boolean;
  /** How many requests at once. */
  concurrency(): number;
  readonly store: VersionDetailsStore;
  /** Writes what was learnt to the tracked list. */
  persist(info: readonly TrackedInfo[]): Promise<void>;
  /** The system time of an answer (stored, shown as "n minutes ago" in later sessions); no wait is timed by it. */
  now(): number;
  log(message: string, error?: unknown): void;
  /** How long answers are gathered before one write (default 500 ms). */
  readonly persistDelayMs?: number;
}

export interface LoadOptions {
  /** Load again what is already known in this session (a refresh, a poll). */
  readonly force?: boolean;
  /** Behind what waits already (background work) instead of before it (what the user looks at). */
  readonly background?: boolean;
}

interface Waiter {
  readonly done: Promise<void>;
  readonly resolve: () => void;
}

export class DetailLoader {
  private queue: string[] = [];
  private readonly waiting = new Map<string, Waiter>();
  private readonly running = new Map<string, AbortController>();
  /** The place being asked of the limiter for the next version (whichever is first when it comes). */
  private reserving?: AbortController;
  private readonly toPersist = new Map<string, TrackedInfo>();
  private persistTimer?: ReturnType<typeof setTimeout>;
  private writes: Promise<void> = Promise.resolve();
  private disposed = false;

  constructor(private readonly deps: DetailLoaderDeps) {}

  /** Asks for these versions; resolves once each is answered, failed or dropped. */
  load(modelIds: readonly string[], options: LoadOptions = {}): Promise<void> {
    if (this.disposed || this.deps.store.problem !== undefined) {
      return Promise.resolve();
    }
    const waits: Promise<void>[] = [];
    const fresh: string[] = [];
    for (const id of new Set(modelIds)) {
      const known = this.waiting.get(id);
      if (known) {
        waits.push(known.done);
        if (!options.background && !this.running.has(id)) {
          fresh.push(id); // moves up to the front
        }
        continue;
      }
      if (!options.force && this.deps.store.get(id)) {
        continue;
      }
      let resolve!: () => void;
      const done = new Promise<void>((r) => (resolve = r));
      this.waiting.set(id, { done, resolve });
      waits.push(done);
      fresh.push(id);
    }
    if (fresh.length > 0) {
      const moving = new Set(fresh);
      const rest = this.queue.filter((id) => !moving.has(id));
      // none of them runs: a version that runs is neither new nor moved up
      this.queue = options.background ? [...rest, ...fresh] : [...fresh, ...rest];
      this.deps.store.setLoading(fresh, true);
      this.pump();
    }
    return Promise.all(waits).then(() => undefined);
  }

  /**
   * Takes back what the user no longer looks at (a collapse): none of what waits is sent, since
   * it all waits here, not in the limiter's queue; a version started but not on the wire now (a
   * retry waiting out its backoff or its turn) is cancelled. A request on the wire finishes.
   */
  drop(modelIds: readonly string[]): void {
    const sending = this.deps.sending?.bind(this.deps);
    if (sending) {
      for (const id of modelIds) {
        const controller = this.running.get(id);
        if (controller && !sending(controller.signal)) {
          controller.abort(); // settles when its run ends, at once
        }
      }
    }
    const drop = new Set(modelIds.filter((id) => !this.running.has(id) && this.waiting.has(id)));
    this.queue = this.queue.filter((id) => !drop.has(id));
    this.settle([...drop]);
    if (this.queue.length === 0) {
      this.stopReserving(); // (a place is asked for only while something waits: dropping nothing stops nothing)
    }
  }

  /** Stops everything: running requests are cancelled, what waits is dropped. */
  cancelAll(): void {
    this.running.forEach((c) => c.abort());
    const dropped = this.queue;
    this.queue = [];
    this.stopReserving();
    this.settle(dropped);
  }

  /** Resolves once nothing runs or waits (including what is asked for meanwhile). */
  async idle(): Promise<void> {
    while (this.waiting.size > 0) {
      await Promise.all([...this.waiting.values()].map((w) => w.done));
    }
  }

  /** How many requests are out now and how many wait (for tests and the log). */
  get pending(): { readonly running: number; readonly queued: number } {
    return { running: this.running.size, queued: this.queue.length };
  }

  private settle(modelIds: readonly string[]): void {
    this.deps.store.setLoading(modelIds, false);
    for (const id of modelIds) {
      this.waiting.get(id)?.resolve();
      this.waiting.delete(id);
    }
  }

  private pump(): void {
    const limit = Math.max(1, Math.floor(this.deps.concurrency()));
    const reserve = this.deps.reserve?.bind(this.deps);
    if (!reserve) {
      while (this.running.size < limit && this.queue.length > 0) {
        this.start(this.queue.shift()!, new AbortController());
      }
      return;
    }
    if (this.reserving || this.disposed || this.running.size >= limit || this.queue.length === 0) {
      return;
    }
    // one place at a time; it goes to whatever is first in line when it comes
    const controller = new AbortController();
    this.reserving = controller;
    const place = Promise.resolve().then(() => reserve(controller.signal));
    place.then(
      (giveBack) => {
        this.doneReserving(controller);
        const id = controller.signal.aborted ? undefined : this.queue.shift();
        if (id === undefined) {
          giveBack(); // nothing left to send (or cancelled meanwhile): the limiter gets its place back
        } else {
          this.start(id, controller, giveBack);
        }
        this.pump();
      },
      (error: unknown) => {
        this.doneReserving(controller);
        if (!controller.signal.aborted) {
          // no limiter to ask (no client yet): go without a place; the request says what is wrong
          this.deps.log('Could not wait for the limiter', error);
          const id = this.queue.shift();
          if (id !== undefined) {
            this.start(id, controller);
          }
        }
        this.pump();
      },
    );
  }

  private start(id: string, controller: AbortController, giveBack?: () => void): void {
    this.running.set(id, controller);
    void this.run(id, controller.signal).finally(() => {
      giveBack?.(); // the request never came for its place (it failed before): the limiter gets it back
      this.running.delete(id);
      this.settle([id]);
      this.pump();
    });
  }

  private doneReserving(controller: AbortController): void {
    if (this.reserving === controller) {
      this.reserving = undefined;
    }
  }

  private stopReserving(): void {
    this.reserving?.abort();
    this.reserving = undefined;
  }

  private async run(modelId: string, signal: AbortSignal): Promise<void> {
    try {
      const detail = await this.deps.describe(modelId, signal);
      const at = this.deps.now();
      this.deps.store.set(modelId, { kind: 'loaded', detail, at });
      this.remember({ modelId, modelSetId: detail.modelSetId, name: detail.modelName || undefined, status: detail.status || undefined, statusAt: at });
    } catch (error) {
      if (isCancelled(error) || this.disposed) {
        return;
      }
      if (mayMeanMissing(error)) {
        const gone = await this.isGone(modelId, signal);
        if (signal.aborted || this.disposed) {
          return;
        }
        if (gone) {
          this.deps.store.set(modelId, { kind: 'missing', at: this.deps.now() });
          return;
        }
      }
      if (isSetupFailure(error)) {
        this.deps.log('Loading stopped until the keys or the settings change', error);
        this.deps.store.setProblem(error);
        this.cancelAll();
        return;
      }
      this.deps.log(`Could not load ${modelId}`, error);
      this.deps.store.set(modelId, { kind: 'error', error, at: this.deps.now() });
    }
  }

  /** Asks whether the version is gone; a failure while looking decides nothing. */
  private async isGone(modelId: string, signal: AbortSignal): Promise<boolean> {
    try {
      return (await this.deps.presence?.(modelId, signal)) === 'gone';
    } catch {
      return false;
    }
  }

  private remember(info: TrackedInfo): void {
    this.toPersist.set(info.modelId, info);
    this.persistTimer ??= setTimeout(() => void this.flush(), this.deps.persistDelayMs ?? 500);
  }

  /** Writes what was learnt and not yet written; resolves once every write begun so far is done. */
  flush(): Promise<void> {
    clearTimeout(this.persistTimer);
    this.persistTimer = undefined;
    if (this.toPersist.size > 0) {
      const batch = [...this.toPersist.values()];
      this.toPersist.clear();
      this.writes = this.writes.then(() => this.deps.persist(batch).catch((error: unknown) => this.deps.log('Could not store the last known statuses', error)));
    }
    return this.writes;
  }

  dispose(): Promise<void> {
    this.disposed = true;
    this.cancelAll();
    return this.flush();
  }
}
