/**
 * The models a user follows (every version shown, later ones too), per profile, in a
 * KeyValueStore (the file store windows share) through a ListStore. Each entry remembers the
 * versions already known of its model, so a version is "new" (added and announced) once only,
 * in one window, and a version the user untracked is not brought back.
 */
import { isModelSetId, isModelVersionId } from '../base/ids';
import { type KeyValueStore } from './keyValueStore';
import { ListStore, isRecord, optionalText, withoutUndefined } from './listStore';

export interface FollowedModel {
  readonly modelSetId: string;
  readonly modelSetName?: string;
  /** The versions of the model already known (tracked when it was followed, or learnt since). */
  readonly knownIds: readonly string[];
  readonly followedAt: number;
}

export const FOLLOWED_KEY = 'qianfan.followedModels.v1';

/** A followed model as stored: its ID and time are required; known IDs that are not version IDs are left out. */
export function normalizeFollowed(value: unknown): FollowedModel | undefined {
  if (!isRecord(value) || typeof value.modelSetId !== 'string' || !isModelSetId(value.modelSetId)) {
    return undefined;
  }
  if (!Number.isFinite(value.followedAt)) {
    return undefined; // not a number, or NaN or infinite (Number.isFinite converts nothing)
  }
  const known = Array.isArray(value.knownIds) ? (value.knownIds as unknown[]) : [];
  return withoutUndefined({
    modelSetId: value.modelSetId,
    modelSetName: optionalText(value.modelSetName),
    knownIds: [...new Set(known.filter((id): id is string => typeof id === 'string' && isModelVersionId(id)))],
    followedAt: value.followedAt as number,
  });
}

export class FollowedModelsStore {
  private readonly listeners = new Set<() => void>();
  private readonly list_: ListStore<FollowedModel>;

  constructor(
    store: KeyValueStore,
    private readonly now: () => number = Date.now,
  ) {
    this.list_ = new ListStore(store, FOLLOWED_KEY, normalizeFollowed, 'Followed models');
    this.list_.onDidChangeElsewhere(() => this.changed());
  }

  list(): FollowedModel[] {
    return this.list_.list();
  }

  get(modelSetId: string): FollowedModel | undefined {
    return this.list_.view().find((m) => m.modelSetId === modelSetId);
  }

  has(modelSetId: string): boolean {
    return this.get(modelSetId) !== undefined;
  }

  /** Reads the stored list afresh next time, as a new window would. */
  forgetRead(): void {
    this.list_.forgetRead();
  }

  /** Follows a model whose versions now are `knownIds`; returns false when it was followed already (its known versions grow). */
  async follow(model: { modelSetId: string; modelSetName?: string }, knownIds: readonly string[]): Promise<boolean> {
    const entry = normalizeFollowed({ ...model, knownIds, followedAt: this.now() });
    if (!entry) {
      throw new Error(`not a model ID: ${String(model.modelSetId).slice(0, 64)}`);
    }
    const added = await this.list_.update((current) => {
      const existing = current.find((m) => m.modelSetId === entry.modelSetId);
      const next = existing
        ? withoutUndefined({
            ...existing,
            modelSetName: entry.modelSetName ?? existing.modelSetName,
            knownIds: [...new Set([...existing.knownIds, ...entry.knownIds])],
          })
        : entry;
      return { items: [...current.filter((m) => m !== existing), next], result: !existing };
    });
    this.changed();
    return added === true;
  }

  /** Forgets the model; returns whether it was followed. */
  async unfollow(modelSetId: string): Promise<boolean> {
    const removed = await this.list_.update((current) => {
      const items = current.filter((m) => m.modelSetId !== modelSetId);
      return items.length === current.length ? undefined : { items, result: true };
    });
    if (removed) {
      this.changed();
    }
    return removed ?? false;
  }

  /**
   * Records `modelIds` as known versions of the followed model, on a fresh read: returns those
   * that were not known yet (another window that learnt them first leaves none here). Nothing
   * when the model is not followed (any more).
   */
  async learn(modelSetId: string, modelIds: readonly string[]): Promise<string[]> {
    const valid = modelIds.filter((id) => isModelVersionId(id));
    const fresh = await this.list_.update((current) => {
      const existing = current.find((m) => m.modelSetId === modelSetId);
      if (!existing) {
        return undefined;
      }
      const known = new Set(existing.knownIds);
      const unknown = [...new Set(valid.filter((id) => !known.has(id)))];
      if (unknown.length === 0) {
        return undefined;
      }
      const next = { ...existing, knownIds: [...existing.knownIds, ...unknown] };
      return { items: current.map((m) => (m === existing ? next : m)), result: unknown };
    });
    if (fresh) {
      this.changed();
    }
    return fresh ?? [];
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
    this.listeners.forEach((l) => l());
  }
}
