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
 * Each caller's signal cancels only its own wait: the shared request is aborted only when every
 * caller has cancelled (a collapse in the tree never cancels a delete's look).
 */
import { SharedRequest } from '../base/sharedRequest';
import { CancelledError, isCancelled, mayMeanMissing } from './errors';
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
  readonly request: SharedRequest<T>;
}

const cancelled = () => new CancelledError();

/** The cached request when it is fresh and someone still may wait for it. */
function reusable<T>(cached: Cached<T> | undefined, now: number): cached is Cached<T> {
  return !!cached && now - cached.at < PRESENCE_REUSE_MS && !cached.request.abandoned;
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
        await this.api.describeModel(modelId, { signal: opts.signal });
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
    if (reusable(cached, now)) {
      return cached.request.join(opts.signal);
    }
    if (opts.signal?.aborted) {
      return Promise.reject(cancelled());
    }
    const entry: Cached<ModelVersions> = {
      at: now,
      // the request's own signal, not this caller's: aborted only when every caller has cancelled
      request: new SharedRequest(
        (signal) =>
          this.api.describeModelSet(modelSetId, { signal }).then(
            (detail): ModelVersions => (detail.versionsListed === false ? undefined : detail.modelIds),
            (error: unknown): ModelVersions => {
              if (this.models.get(modelSetId) === entry) {
                this.models.delete(modelSetId); // a failed look is not reused
              }
              rethrowCancel(error);
              return mayMeanMissing(error) ? 'missing' : undefined;
            },
          ),
        cancelled,
      ),
    };
    this.models.set(modelSetId, entry);
    return entry.request.join(opts.signal);
  }

  private allModels(opts: { signal?: AbortSignal }): Promise<CustomModelSet[] | undefined> {
    const now = this.clock();
    if (reusable(this.listing, now)) {
      return this.listing.request.join(opts.signal);
    }
    if (opts.signal?.aborted) {
      return Promise.reject(cancelled());
    }
    const entry: Cached<CustomModelSet[] | undefined> = {
      at: now,
      request: new SharedRequest(
        (signal) =>
          this.api.listAllCustomModelSets({ signal }).catch((error: unknown) => {
            if (this.listing === entry) {
              this.listing = undefined;
            }
            rethrowCancel(error);
            return undefined;
          }),
        cancelled,
      ),
    };
    this.listing = entry;
    return entry.request.join(opts.signal);
  }
}

function rethrowCancel(error: unknown): void {
  if (isCancelled(error)) {
    throw error;
  }
}
