/**
 * The model versions a user tracks, kept in a KeyValueStore (the file store windows share) through a ListStore:
 * one check on read and on write, nothing unreadable dropped, a fresh read before each write.
 * Entries are only removed when the user untracks them or a delete succeeds.
 */
import { type KeyValueStore } from './keyValueStore';
import { isModelSetId, isModelVersionId } from '../base/ids';
import { ListStore, isRecord, optionalText, withoutUndefined } from './listStore';

export interface TrackedVersion {
  readonly modelId: string;
  readonly modelSetId?: string;
  readonly modelSetName?: string;
  readonly name?: string;
  /** The last status Qianfan reported (Ready, Creating, Fail, …), kept so a reload draws at once. */
  readonly status?: string;
  /** When that status was reported (ms since the epoch). */
  readonly statusAt?: number;
  readonly addedAt: number;
}

export type TrackedInfo = Omit<TrackedVersion, 'addedAt'>;

/** What a change of the tracked list did: versions that left it, or only what is known of them. */
export interface TrackedChange {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  /** Versions whose name, model or last status changed. */
  readonly updated: readonly string[];
}

const STATUS = /^[A-Za-z]{1,32}$/;

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
    status: optionalText(value.status, (v) => STATUS.test(v)),
    statusAt: typeof value.statusAt === 'number' && Number.isFinite(value.statusAt) ? value.statusAt : undefined,
    addedAt: value.addedAt,
  });
}

function merge(existing: TrackedVersion | undefined, info: TrackedInfo, addedAt: number): TrackedVersion {
  const known: Record<string, unknown> = {};
  for (const key of Object.keys(info)) {
    const v = (info as Record<string, unknown>)[key];
    if (v !== undefined && v !== '') {
      known[key] = v;
    }
  }
  const entry = normalizeTracked({ ...existing, ...known, modelId: info.modelId, addedAt: existing?.addedAt ?? addedAt });
  if (!entry) {
    throw new Error(`not a model version ID: ${String(info.modelId).slice(0, 64)}`);
  }
  return entry;
}

export class TrackedVersionsStore {
  private readonly listeners = new Set<(change: TrackedChange) => void>();
  private readonly list_: ListStore<TrackedVersion>;
  private index?: { readonly items: readonly TrackedVersion[]; readonly byId: ReadonlyMap<string, TrackedVersion> };

  constructor(
    store: KeyValueStore,
    private readonly now: () => number = Date.now,
  ) {
    this.list_ = new ListStore(store, TRACKED_KEY, normalizeTracked, 'Tracked versions');
    // another window's change (a store windows share): told as this window's own changes are
    this.list_.onDidChangeElsewhere(({ added, removed, updated }) => {
      this.index = undefined;
      this.changed({ added, removed, updated });
    });
  }

  list(): TrackedVersion[] {
    return this.list_.list();
  }

  /** Reads the stored list afresh next time, as a new window would. */
  forgetRead(): void {
    this.list_.forgetRead();
    this.index = undefined;
  }

  /** The tracked versions without a copy (large lists are read often). */
  view(): readonly TrackedVersion[] {
    return this.list_.view();
  }

  get(modelId: string): TrackedVersion | undefined {
    const items = this.list_.view();
    if (this.index?.items !== items) {
      this.index = { items, byId: new Map(items.map((v) => [v.modelId, v])) };
    }
    return this.index.byId.get(modelId);
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
      const fresh: string[] = [];
      for (const v of checked) {
        const existing = byId.get(v.modelId);
        if (!existing) {
          fresh.push(v.modelId);
        }
        byId.set(v.modelId, existing ? merge(existing, v, addedAt) : v);
      }
      return { items: [...byId.values()], result: fresh };
    });
    const isNew = new Set(added); // a Set: an import of tens of thousands stays linear
    this.changed({ added: added ?? [], removed: [], updated: checked.map((v) => v.modelId).filter((id) => !isNew.has(id)) });
    return added?.length ?? 0;
  }

  /** Updates what is known of tracked versions (name, model) without adding any. */
  async updateInfo(info: readonly TrackedInfo[]): Promise<void> {
    const byId = new Map(info.map((v) => [v.modelId, v]));
    const updated = await this.list_.update((current) => {
      const ids: string[] = [];
      const items = current.map((v) => {
        const update = byId.get(v.modelId);
        const merged = update ? merge(v, update, v.addedAt) : v;
        if (merged !== v && JSON.stringify(merged) !== JSON.stringify(v)) {
          ids.push(v.modelId);
        }
        return merged;
      });
      return ids.length > 0 ? { items, result: ids } : undefined;
    });
    if (updated) {
      this.changed({ added: [], removed: [], updated });
    }
  }

  async remove(modelIds: readonly string[]): Promise<number> {
    const drop = new Set(modelIds);
    const removed = await this.list_.update((current) => {
      const items = current.filter((v) => !drop.has(v.modelId));
      const gone = current.filter((v) => drop.has(v.modelId)).map((v) => v.modelId);
      return gone.length === 0 ? undefined : { items, result: gone };
    });
    if (removed) {
      this.changed({ added: [], removed, updated: [] });
    }
    return removed?.length ?? 0;
  }

  onDidChange(listener: (change: TrackedChange) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Problems met in the stored list (each once): for the log. */
  onProblem(listener: (problem: string) => void): { dispose(): void } {
    return this.list_.onProblem(listener);
  }

  private changed(change: TrackedChange): void {
    for (const listener of this.listeners) {
      listener(change);
    }
  }
}
