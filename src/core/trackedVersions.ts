/**
 * The model versions a user tracks, kept in a KeyValueStore (globalState). Entries are only
 * removed when the user untracks them or a delete succeeds; a malformed stored value is
 * ignored entry by entry, never wiped.
 */
import { type KeyValueStore } from './keyValueStore';
import { isModelSetId, isModelVersionId } from './ids';

export interface TrackedVersion {
  readonly modelId: string;
  readonly modelSetId?: string;
  readonly modelSetName?: string;
  readonly name?: string;
  readonly addedAt: number;
}

export const TRACKED_KEY = 'qianfan.trackedVersions.v1';

function isTracked(value: unknown): value is TrackedVersion {
  const v = value as TrackedVersion;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.modelId === 'string' &&
    isModelVersionId(v.modelId) &&
    (v.modelSetId === undefined || isModelSetId(v.modelSetId)) &&
    typeof v.addedAt === 'number'
  );
}

export class TrackedVersionsStore {
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly store: KeyValueStore,
    private readonly now: () => number = Date.now,
  ) {}

  list(): TrackedVersion[] {
    const raw = this.store.get<unknown>(TRACKED_KEY);
    return Array.isArray(raw) ? raw.filter(isTracked) : [];
  }

  get(modelId: string): TrackedVersion | undefined {
    return this.list().find((v) => v.modelId === modelId);
  }

  has(modelId: string): boolean {
    return this.get(modelId) !== undefined;
  }

  /** Adds new versions and refreshes the names of known ones; returns how many were new. */
  async add(versions: readonly Omit<TrackedVersion, 'addedAt'>[]): Promise<number> {
    const current = this.list();
    const byId = new Map(current.map((v) => [v.modelId, v]));
    let added = 0;
    for (const v of versions) {
      if (!isModelVersionId(v.modelId)) {
        throw new Error(`not a model version ID: ${v.modelId}`);
      }
      const existing = byId.get(v.modelId);
      if (!existing) {
        added++;
      }
      byId.set(v.modelId, { ...existing, ...stripUndefined(v), modelId: v.modelId, addedAt: existing?.addedAt ?? this.now() });
    }
    await this.save([...byId.values()]);
    return added;
  }

  /** Updates what is known of tracked versions (name, model) without adding any. */
  async updateInfo(info: readonly Omit<TrackedVersion, 'addedAt'>[]): Promise<void> {
    const byId = new Map(info.map((v) => [v.modelId, v]));
    let changed = false;
    const next = this.list().map((v) => {
      const update = byId.get(v.modelId);
      if (!update) {
        return v;
      }
      const merged: TrackedVersion = { ...v, ...stripUndefined(update), modelId: v.modelId, addedAt: v.addedAt };
      changed ||= JSON.stringify(merged) !== JSON.stringify(v);
      return merged;
    });
    if (changed) {
      await this.save(next);
    }
  }

  async remove(modelIds: readonly string[]): Promise<number> {
    const drop = new Set(modelIds);
    const current = this.list();
    const next = current.filter((v) => !drop.has(v.modelId));
    if (next.length !== current.length) {
      await this.save(next);
    }
    return current.length - next.length;
  }

  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private async save(versions: TrackedVersion[]): Promise<void> {
    await this.store.update(TRACKED_KEY, versions);
    for (const listener of this.listeners) {
      listener();
    }
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== '')) as Partial<T>;
}
