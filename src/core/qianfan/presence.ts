/**
 * Whether a version is still in Qianfan, decided only on positive evidence. Baidu documents no
 * error code for a missing version (docs/qianfan-api.md §6): an error answer to DescribeModel or
 * DeleteModel is at most a reason to look. A version is gone when
 * - its model's DescribeModelSet answer lists its versions (`modelIds`) without it, or
 * - its model is absent from the account's listing (DescribeCustomModelSets, every page), or,
 *   when its model is not known, no model of the listing names it (and every listed model gives
 *   its whole list of versions).
 * Anything else (a failure while looking, an answer that contradicts itself) is 'unknown': no
 * decision may rest on it. Looks for the same model share one request while it runs and reuse
 * its answer for a few seconds, so a model deleted elsewhere with many versions costs one look.
 */
import { isCancelled, mayMeanMissing } from './errors';
import { type CustomModelSet, type ModelSetDetail } from './model';

export type Presence = 'present' | 'gone' | 'unknown';

export interface PresenceApi {
  describeModelSet(modelSetId: string, opts: { signal?: AbortSignal }): Promise<ModelSetDetail>;
  describeModel(modelId: string, opts: { signal?: AbortSignal }): Promise<{ readonly modelSetId: string }>;
  listAllCustomModelSets(opts: { signal?: AbortSignal }): Promise<CustomModelSet[]>;
}

/** How long an answer is reused for other versions of the same model. */
export const PRESENCE_REUSE_MS = 5_000;

interface Cached<T> {
  readonly at: number;
  readonly value: Promise<T>;
}

/** The model's versions as the service listed them, or 'missing' (the service did not know the model), or undefined (unknown). */
type ModelVersions = readonly string[] | 'missing' | undefined;

export class PresenceChecker {
  private readonly models = new Map<string, Cached<ModelVersions>>();
  private listing?: Cached<CustomModelSet[] | undefined>;

  constructor(
    private readonly api: PresenceApi,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  /** Whether `modelId` is still in Qianfan; `modelSetId`: its model, when known. A cancel is thrown on. */
  async presence(modelId: string, modelSetId: string | undefined, opts: { signal?: AbortSignal } = {}): Promise<Presence> {
    const model = modelSetId;
    if (model === undefined) {
      try {
        await this.api.describeModel(modelId, opts);
        return 'present'; // it answered for the version itself
      } catch (error) {
        rethrowCancel(error);
        return mayMeanMissing(error) ? this.inListing(modelId, opts) : 'unknown';
      }
    }
    const versions = await this.versionsOf(model, opts);
    if (Array.isArray(versions)) {
      return versions.includes(modelId) ? 'present' : 'gone';
    }
    if (versions !== 'missing') {
      return 'unknown';
    }
    const listing = await this.allModels(opts);
    if (!listing) {
      return 'unknown';
    }
    const listed = listing.find((m) => m.modelSetId === model);
    if (!listed) {
      return 'gone'; // the model itself is gone from the listing
    }
    return listed.modelIds.includes(modelId) ? 'present' : 'unknown'; // the answers disagree: decide nothing
  }

  /** With no model known: the version is gone when no model of a complete listing names it. */
  private async inListing(modelId: string, opts: { signal?: AbortSignal }): Promise<Presence> {
    const listing = await this.allModels(opts);
    if (!listing) {
      return 'unknown';
    }
    if (listing.some((m) => m.modelIds.includes(modelId))) {
      return 'present';
    }
    return listing.every((m) => m.versionsListed !== false && m.modelIds.length >= m.modelCount) ? 'gone' : 'unknown';
  }

  private versionsOf(modelSetId: string, opts: { signal?: AbortSignal }): Promise<ModelVersions> {
    const now = this.clock();
    const cached = this.models.get(modelSetId);
    if (cached && now - cached.at < PRESENCE_REUSE_MS) {
      return cached.value;
    }
    const value = this.api.describeModelSet(modelSetId, opts).then(
      (detail): ModelVersions => (detail.versionsListed === false ? undefined : detail.modelIds),
      (error: unknown): ModelVersions => {
        this.models.delete(modelSetId); // a failed look is not reused
        rethrowCancel(error);
        return mayMeanMissing(error) ? 'missing' : undefined;
      },
    );
    this.models.set(modelSetId, { at: now, value });
    return value;
  }

  private allModels(opts: { signal?: AbortSignal }): Promise<CustomModelSet[] | undefined> {
    const now = this.clock();
    if (this.listing && now - this.listing.at < PRESENCE_REUSE_MS) {
      return this.listing.value;
    }
    const value = this.api.listAllCustomModelSets(opts).catch((error: unknown) => {
      this.listing = undefined;
      rethrowCancel(error);
      return undefined;
    });
    this.listing = { at: now, value };
    return value;
  }
}

function rethrowCancel(error: unknown): void {
  if (isCancelled(error)) {
    throw error;
  }
}
