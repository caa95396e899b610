/**
 * The signed `/v2/model` client: one method per action, pagination, reconciliation after an
 * ambiguous outcome, typed results and one error type (QianfanError).
 */
import { QianfanError, isAmbiguousFailure, mayMeanMissing } from './errors';
import { type Presence, PresenceChecker } from './presence';
import { type HttpTransport } from './http';
import { isModelSetId, isModelVersionId } from '../base/ids';
import { parseEndpoint } from './endpoint';
import { startExportOnce, joinExportStart } from './exportStart';
import {
  type CustomModelSet,
  type CustomModelSetPage,
  type ExportTask,
  type ModelSetDetail,
  type ModelVersionDetail,
  ShapeError,
  parseCustomModelSetPage,
  parseExportId,
  parseExportTask,
  parseModelSetDetail,
  parseModelVersionDetail,
} from './model';
import { type AccessKeyPair } from './signer';
import { DEFAULT_RETRY_POLICY, type RetryPolicy, type Sleep, abortableSleep } from './retry';
import { AdaptiveLimiter } from './adaptiveLimit';
import { type RequestGate } from './gate';
import { type ServicePage, type ServiceRef, parseServiceDetail, parseServicePage } from './deployments';
import { type ActionSpec, type CallOptions, type RequestLogEntry, RequestRunner, SERVICE_PATH } from './requestRunner';

export { MODEL_PATH, SIGNED_HEADERS, type CallOptions, type RequestLogEntry } from './requestRunner';

export interface QianfanClientOptions {
  readonly endpoint: string;
  /** Read on every call, so a key change applies at once; undefined means "not set". */
  readonly credentials: () => Promise<AccessKeyPair | undefined> | AccessKeyPair | undefined;
  readonly transport: HttpTransport;
  readonly timeoutMs?: number;
  readonly retry?: RetryPolicy;
  readonly expirationSeconds?: number;
  readonly maxResponseBytes?: number;
  /** The most models a full listing collects before it stops with a 'tooLarge' error. */
  readonly maxListedModels?: number;
  readonly userAgent?: string;
  /** Wall time: signing and the server's dates only. */
  readonly now?: () => number;
  /** A monotonic clock (ms) for durations; default performance.now. */
  readonly monotonic?: () => number;
  readonly sleep?: Sleep;
  readonly random?: () => number;
  /** The starting concurrency of the default adaptive limiter (the qianfan.maxConcurrentRequests setting); default 10. */
  readonly concurrency?: number;
  /** The gate every attempt passes; default `new AdaptiveLimiter({ initial: concurrency })`. A `FixedGate` turns adaptation off. */
  readonly limiter?: RequestGate;
  readonly onRequest?: (entry: RequestLogEntry) => void;
  /** Called when the local clock turns out to be off by more than a minute (the requests are adjusted). */
  readonly onClockSkew?: (skewMs: number) => void;
}

export interface ListAllOptions extends CallOptions {
  readonly pageSize?: number;
  readonly onPage?: (page: CustomModelSetPage) => void;
}

export interface DeleteOptions extends CallOptions {
  /** The version's model (`am-…`), when known: where to look whether the version is gone. */
  readonly modelSetId?: string;
}

export interface DeleteResult {
  /** The version was gone when the service was asked again (an earlier attempt had deleted it). */
  readonly alreadyGone: boolean;
}

export interface StartExportResult {
  readonly exportId: string;
  /** An export of this version was already running, so none was created. */
  readonly resumed: boolean;
}

const MAX_PAGES = 10_000;
export const DEFAULT_MAX_LISTED_MODELS = 20_000;
/** The default of the qianfan.maxConcurrentRequests setting: where the adaptive limiter starts. */
export const DEFAULT_CONCURRENCY = 10;

export class QianfanClient {
  private readonly origin: URL;
  private readonly runner: RequestRunner;
  readonly retryPolicy: RetryPolicy;
  readonly sleep: Sleep;
  readonly random: () => number;
  /** Shared by every request of this client: bulk deletes and background loads keep one pace. */
  readonly limiter: RequestGate;
  private readonly maxListed: number;
  private readonly presence: PresenceChecker;

  constructor(options: QianfanClientOptions) {
    this.origin = parseEndpoint(options.endpoint);
    this.retryPolicy = options.retry ?? DEFAULT_RETRY_POLICY;
    this.sleep = options.sleep ?? abortableSleep;
    this.random = options.random ?? Math.random;
    this.maxListed = options.maxListedModels ?? DEFAULT_MAX_LISTED_MODELS;
    this.limiter = options.limiter ?? new AdaptiveLimiter({ initial: options.concurrency ?? DEFAULT_CONCURRENCY });
    this.runner = new RequestRunner({
      ...options,
      origin: this.origin,
      timeoutMs: options.timeoutMs ?? 30_000,
      retry: this.retryPolicy,
      expirationSeconds: options.expirationSeconds ?? 1800,
      maxResponseBytes: options.maxResponseBytes ?? 8 * 1024 * 1024,
      now: options.now ?? Date.now,
      sleep: this.sleep,
      random: this.random,
      gate: this.limiter,
    });
    this.presence = new PresenceChecker(this);
  }

  get endpoint(): string {
    return this.origin.origin;
  }

  get clockSkewMs(): number {
    return this.runner.clockOffsetMs;
  }

  async listCustomModelSets(page: { marker?: string; maxKeys?: number } = {}, opts: CallOptions = {}): Promise<CustomModelSetPage> {
    const body: Record<string, unknown> = { maxKeys: page.maxKeys ?? 100 };
    if (page.marker) {
      body.marker = page.marker;
    }
    return this.parsed(parseCustomModelSetPage, { action: 'DescribeCustomModelSets', body, idempotency: 'safe' }, opts);
  }

  /** Every model of the account, following `nextMarker` until the last page, up to maxListedModels. */
  async listAllCustomModelSets(opts: ListAllOptions = {}): Promise<CustomModelSet[]> {
    const all: CustomModelSet[] = [];
    const seen = new Set<string>();
    let marker: string | undefined;
    for (let i = 0; i < MAX_PAGES; i++) {
      const page = await this.listCustomModelSets({ marker, maxKeys: opts.pageSize ?? 100 }, opts);
      if (all.length + page.items.length > this.maxListed) {
        throw listingError('tooLarge', `the account lists more than ${this.maxListed} models; stopped listing`);
      }
      for (const item of page.items) {
        all.push(item); // one by one: spreading a huge page would overflow the stack
      }
      opts.onPage?.(page);
      if (!page.pageInfo.isTruncated) {
        return all;
      }
      const next = page.pageInfo.nextMarker;
      if (!next || seen.has(next)) {
        throw listingError('badResponse', next ? `the page marker "${next}" repeated; stopped paging` : 'a truncated page came without nextMarker');
      }
      seen.add(next);
      marker = next;
    }
    throw listingError('badResponse', `more than ${MAX_PAGES} pages`);
  }

  /**
   * A page of the account's custom services (`/v2/service`) of one protocol version (1, the
   * service's default, or 2: each lists its own services; findDeployments asks for both).
   */
  async listServices(page: { marker?: string; maxKeys?: number; protocolVersion?: 1 | 2 } = {}, opts: CallOptions = {}): Promise<ServicePage> {
    // JSON leaves out what is undefined: no marker when there is none (or it is empty), no protocolVersion unless asked
    const body = { maxKeys: page.maxKeys ?? 100, marker: page.marker || undefined, protocolVersion: page.protocolVersion };
    return this.parsed(parseServicePage, { path: SERVICE_PATH, action: 'DescribeServices', body, idempotency: 'safe' }, opts);
  }

  /** One service: the version it runs (`modelId` or `modelVersionId`) among the rest. */
  async describeService(serviceId: string, opts: CallOptions = {}): Promise<ServiceRef> {
    if (!/^[A-Za-z0-9-]{1,64}$/.test(serviceId)) {
      throw new QianfanError({ kind: 'invalidInput', action: 'DescribeService', message: `not a service ID: ${serviceId.slice(0, 64)}` });
    }
    return this.parsed(
      parseServiceDetail,
      { path: SERVICE_PATH, action: 'DescribeService', body: { serviceId }, target: serviceId, idempotency: 'safe' },
      opts,
    );
  }

  async describeModelSet(modelSetId: string, opts: CallOptions = {}): Promise<ModelSetDetail> {
    checkId(modelSetId, isModelSetId, 'DescribeModelSet', 'model ID (am-…)');
    return this.parsed(parseModelSetDetail, { action: 'DescribeModelSet', body: { modelSetId }, target: modelSetId, idempotency: 'safe' }, opts);
  }

  async describeModel(modelId: string, opts: CallOptions = {}): Promise<ModelVersionDetail> {
    checkVersionId(modelId, 'DescribeModel');
    return this.parsed(parseModelVersionDetail, { action: 'DescribeModel', body: { modelId }, target: modelId, idempotency: 'safe' }, opts);
  }

  /**
   * Deletes a version. When the outcome is not a plain answer (an earlier attempt got no answer,
   * a 5xx or an unreadable one; or the last answer may mean "no such version", which Baidu
   * documents no code for), the service is asked whether the version is still there
   * (presence.ts: its model's `modelIds`, or the listing): only when it is gone is the delete
   * done. Any other doubt keeps the failure.
   */
  async deleteModel(modelId: string, opts: DeleteOptions = {}): Promise<DeleteResult> {
    checkVersionId(modelId, 'DeleteModel');
    let ambiguousEarlierAttempt = false;
    try {
      await this.runner.call({ action: 'DeleteModel', body: { modelId }, target: modelId, idempotency: 'safe' }, opts, (error) => {
        ambiguousEarlierAttempt ||= isAmbiguousFailure(error);
      });
      return { alreadyGone: false };
    } catch (error) {
      const look = ambiguousEarlierAttempt || isAmbiguousFailure(error) || mayMeanMissing(error);
      if (look && (await this.versionPresence(modelId, opts.modelSetId, opts)) === 'gone') {
        return { alreadyGone: true };
      }
      throw error;
    }
  }

  /** Whether a version is still in Qianfan, on positive evidence only (presence.ts). A cancel is thrown on. */
  versionPresence(modelId: string, modelSetId: string | undefined, opts: CallOptions = {}): Promise<Presence> {
    return this.presence.presence(modelId, modelSetId, opts);
  }

  /** Sends CreateModelExportTask once, never repeated: use startExport, which looks before any repeat. */
  async createModelExportTask(modelId: string, opts: CallOptions = {}): Promise<string> {
    checkVersionId(modelId, 'CreateModelExportTask');
    return this.parsed(parseExportId, { action: 'CreateModelExportTask', body: { modelId }, target: modelId, idempotency: 'never' }, opts);
  }

  async describeModelExportTask(modelId: string, opts: CallOptions = {}): Promise<ExportTask> {
    checkVersionId(modelId, 'DescribeModelExportTask');
    return this.parsed(parseExportTask, { action: 'DescribeModelExportTask', body: { modelId }, target: modelId, idempotency: 'safe' }, opts);
  }

  /**
   * Starts an export without ever creating two: one start per version is in flight in this
   * process (a second caller, of this client or another, joins the first); a running export is
   * followed; after an ambiguous or rejected create the service is asked what exists before
   * anything is repeated (see exportStart.ts).
   */
  async startExport(modelId: string, opts: CallOptions = {}): Promise<StartExportResult> {
    checkVersionId(modelId, 'CreateModelExportTask');
    return joinExportStart(`${this.endpoint} ${modelId}`, (signal) => startExportOnce(this, modelId, { ...opts, signal }), opts.signal);
  }

  private async parsed<T>(parse: (result: unknown) => T, spec: ActionSpec, opts: CallOptions): Promise<T> {
    const result = await this.runner.call(spec, opts);
    try {
      return parse(result);
    } catch (error) {
      const message = error instanceof ShapeError ? `unexpected answer: ${error.message}` : `unexpected answer (${String(error)})`;
      throw new QianfanError({ kind: 'badResponse', action: spec.action, message, cause: error });
    }
  }
}

function listingError(kind: 'tooLarge' | 'badResponse', message: string): QianfanError {
  return new QianfanError({ kind, action: 'DescribeCustomModelSets', message });
}

function checkVersionId(id: string, action: string): void {
  checkId(id, isModelVersionId, action, 'model version ID (amv-…)');
}

function checkId(id: string, valid: (s: string) => boolean, action: string, what: string): void {
  if (typeof id !== 'string' || !valid(id)) {
    throw new QianfanError({ kind: 'invalidInput', action, message: `"${String(id).slice(0, 64)}" is not a valid ${what}` });
  }
}
