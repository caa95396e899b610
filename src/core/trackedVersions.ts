/**
 * The model versions a user tracks, kept in a KeyValueStore (globalState) through a ListStore:
 * one check on read and on write, nothing unreadable dropped, a fresh read before each write.
 * Entries are only removed when the user untracks them or a delete succeeds.
 */
import { type KeyValueStore } from './keyValueStore';
import { isModelSetId, isModelVersionId } from './ids';
import { ListStore, isRecord, optionalText, withoutUndefined } from './listStore';

export interface TrackedVersion {
  readonly modelId: string;
  readonly modelSetId?: string;
  readonly modelSetName?: string;
  readonly name?: string;
  readonly addedAt: number;
}

export type TrackedInfo = Omit<TrackedVersion, 'addedAt'>;

export const TRACKED_KEY = 'qianfan.trackedVersions.v1';

/** A tracked version as stored: its ID and time are required, a field that is not valid is left out. */
export function normalizeTracked(value: unknown): TrackedVersion | undefined {
  if (!isRecord(value) || typeof value.modelId !== 'string' || !isModelVersionId(value.modelId)) {
    return undefined;
  }
  if (typeof value.addedAt !== 'number' || !Number.isFinite(value.addedAt)) {
    return undefined;
  }
  return withoutUndefined({
    modelId: value.modelId,
    modelSetId: optionalText(value.modelSetId, isModelSetId),
    modelSetName: optionalText(value.modelSetName),
    name: optionalText(value.name),
    addedAt: value.addedAt,
  });
}

function merge(existing: TrackedVersion | undefined, info: TrackedInfo, addedAt: number): TrackedVersion {
  const known = Object.fromEntries(Object.entries(info).filter(([, v]) => v !== undefined && v !== ''));
  const entry = normalizeTracked({ ...existing, ...known, modelId: info.modelId, addedAt: existing?.addedAt ?? addedAt });
  if (!entry) {
    throw new Error(`not a model version ID: ${String(info.modelId).slice(0, 64)}`);
  }
  return entry;
}

export class TrackedVersionsStore {
  private readonly listeners = new Set<() => void>();
  private readonly list_: ListStore<TrackedVersion>;

  constructor(
    store: KeyValueStore,
    private readonly now: () => number = Date.now,
  ) {
    this.list_ = new ListStore(store, TRACKED_KEY, normalizeTracked, 'Tracked versions');
  }

  list(): TrackedVersion[] {
    return this.list_.list();
  }

  get(modelId: string): TrackedVersion | undefined {
    return this.list().find((v) => v.modelId === modelId);
  }

  has(modelId: string): boolean {
    return this.get(modelId) !== undefined;
  }

  /** Adds new versions and refreshes the names of known ones; returns how many were new. */
  async add(versions: readonly TrackedInfo[]): Promise<number> {
    const addedAt = this.now();
    const checked = versions.map((v) => merge(undefined, v, addedAt)); // throws before anything is written
    const added = await this.list_.update((current) => {
      const byId = new Map(current.map((v) => [v.modelId, v]));
      let count = 0;
      for (const v of checked) {
        const existing = byId.get(v.modelId);
        count += existing ? 0 : 1;
        byId.set(v.modelId, existing ? merge(existing, v, addedAt) : v);
      }
      return { items: [...byId.values()], result: count };
    });
    this.changed();
    return added ?? 0;
  }

  /** Updates what is known of tracked versions (name, model) without adding any. */
  async updateInfo(info: readonly TrackedInfo[]): Promise<void> {
    const byId = new Map(info.map((v) => [v.modelId, v]));
    const changed = await this.list_.update((current) => {
      let any = false;
      const items = current.map((v) => {
        const update = byId.get(v.modelId);
        const merged = update ? merge(v, update, v.addedAt) : v;
        any ||= JSON.stringify(merged) !== JSON.stringify(v);
        return merged;
      });
      return any ? { items, result: true } : undefined;
    });
    if (changed) {
      this.changed();
    }
  }

  async remove(modelIds: readonly string[]): Promise<number> {
    const drop = new Set(modelIds);
    const removed = await this.list_.update((current) => {
      const items = current.filter((v) => !drop.has(v.modelId));
      return items.length === current.length ? undefined : { items, result: current.length - items.length };
    });
    if (removed) {
      this.changed();
    }
    return removed ?? 0;
  }

  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Problems met in the stored list (each once): for the log. */
  onProblem(listener: (problem: string) => void): { dispose(): void } {
    return this.list_.onProblem(listener);
  }

  private changed(): void {
    for (const listener of this.listeners) {
      listener();
    }
  }
}
