/**
 * The signed `/v2/model` client: one method per action, pagination, retries where a repeat
 * is safe, timeouts and cancellation, typed results and one error type.
 */
import { CancelledError, QianfanError, isAmbiguousFailure, isNotFound } from './errors';
import { type HttpResponse, type HttpTransport } from './http';
import { isModelSetId, isModelVersionId } from './ids';
import { parseEndpoint } from './endpoint';
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
import { type AccessKeyPair, BceSigner, formatBceTimestamp } from './signer';
import { DEFAULT_RETRY_POLICY, type Idempotency, type RetryPolicy, type Sleep, abortableSleep, backoffDelay, isRetryable } from './retry';
import { interpretResponse } from './response';

export const MODEL_PATH = '/v2/model';
export const SIGNED_HEADERS = ['host', 'x-bce-date'] as const;

export interface RequestLogEntry {
  readonly action: string;
  readonly target?: string;
  readonly attempt: number;
  readonly status?: number;
  readonly requestId?: string;
  readonly ms: number;
  readonly outcome: 'ok' | 'retry' | 'error' | 'cancelled';
  readonly error?: string;
}

export interface QianfanClientOptions {
  readonly endpoint: string;
  /** Read on every call, so a key change applies at once; undefined means "not set". */
  readonly credentials: () => Promise<AccessKeyPair | undefined> | AccessKeyPair | undefined;
  readonly transport: HttpTransport;
  readonly timeoutMs?: number;
  readonly retry?: RetryPolicy;
  readonly expirationSeconds?: number;
  readonly maxResponseBytes?: number;
  readonly userAgent?: string;
  readonly now?: () => number;
  readonly sleep?: Sleep;
  readonly random?: () => number;
  readonly onRequest?: (entry: RequestLogEntry) => void;
  /** Called when the local clock turns out to be off by more than a minute (the requests are adjusted). */
  readonly onClockSkew?: (skewMs: number) => void;
}

const NOTABLE_SKEW_MS = 60_000;

export interface CallOptions {
  readonly signal?: AbortSignal;
}

export interface ListAllOptions extends CallOptions {
  readonly pageSize?: number;
  readonly onPage?: (page: CustomModelSetPage) => void;
}

export interface DeleteResult {
  /** The version was already gone when a repeated attempt arrived (an earlier one had succeeded). */
  readonly alreadyGone: boolean;
}

export interface StartExportResult {
  readonly exportId: string;
  /** An export of this version was already running, so none was created. */
  readonly resumed: boolean;
}

interface ActionSpec {
  readonly action: string;
  readonly body: Record<string, unknown>;
  readonly target?: string;
  readonly idempotency: Idempotency;
}

const MAX_PAGES = 10_000;

export class QianfanClient {
  private readonly origin: URL;
  private readonly timeoutMs: number;
  private readonly retry: RetryPolicy;
  private readonly expirationSeconds: number;
  private readonly maxResponseBytes: number;
  private readonly now: () => number;
  private readonly sleep: Sleep;
  private readonly random: () => number;
  private signer?: { pair: AccessKeyPair; signer: BceSigner };
  /** serverTime - localTime, learnt from a RequestExpired answer's Date header. */
  private clockOffsetMs = 0;

  constructor(private readonly options: QianfanClientOptions) {
    this.origin = parseEndpoint(options.endpoint);
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.retry = options.retry ?? DEFAULT_RETRY_POLICY;
    this.expirationSeconds = options.expirationSeconds ?? 1800;
    this.maxResponseBytes = options.maxResponseBytes ?? 8 * 1024 * 1024;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? abortableSleep;
    this.random = options.random ?? Math.random;
  }

  get endpoint(): string {
    return this.origin.origin;
  }

  get clockSkewMs(): number {
    return this.clockOffsetMs;
  }

  async listCustomModelSets(page: { marker?: string; maxKeys?: number } = {}, opts: CallOptions = {}): Promise<CustomModelSetPage> {
    const body: Record<string, unknown> = { maxKeys: page.maxKeys ?? 100 };
    if (page.marker) {
      body.marker = page.marker;
    }
    return this.parsed(parseCustomModelSetPage, { action: 'DescribeCustomModelSets', body, idempotency: 'safe' }, opts);
  }

  /** Every model of the account, following `nextMarker` until the last page. */
  async listAllCustomModelSets(opts: ListAllOptions = {}): Promise<CustomModelSet[]> {
    const all: CustomModelSet[] = [];
    const seen = new Set<string>();
    let marker: string | undefined;
    for (let i = 0; i < MAX_PAGES; i++) {
      const page = await this.listCustomModelSets({ marker, maxKeys: opts.pageSize ?? 100 }, opts);
      all.push(...page.items);
      opts.onPage?.(page);
      if (!page.pageInfo.isTruncated) {
        return all;
      }
      const next = page.pageInfo.nextMarker;
      if (!next || seen.has(next)) {
        throw new QianfanError({
          kind: 'badResponse',
          action: 'DescribeCustomModelSets',
          message: next ? `the page marker "${next}" repeated; stopped paging` : 'a truncated page came without nextMarker',
        });
      }
      seen.add(next);
      marker = next;
    }
    throw new QianfanError({ kind: 'badResponse', action: 'DescribeCustomModelSets', message: `more than ${MAX_PAGES} pages` });
  }

  async describeModelSet(modelSetId: string, opts: CallOptions = {}): Promise<ModelSetDetail> {
    this.checkId(modelSetId, isModelSetId, 'DescribeModelSet', 'model ID (am-…)');
    return this.parsed(parseModelSetDetail, { action: 'DescribeModelSet', body: { modelSetId }, target: modelSetId, idempotency: 'safe' }, opts);
  }

  async describeModel(modelId: string, opts: CallOptions = {}): Promise<ModelVersionDetail> {
    this.checkVersionId(modelId, 'DescribeModel');
    return this.parsed(parseModelVersionDetail, { action: 'DescribeModel', body: { modelId }, target: modelId, idempotency: 'safe' }, opts);
  }

  async deleteModel(modelId: string, opts: CallOptions = {}): Promise<DeleteResult> {
    this.checkVersionId(modelId, 'DeleteModel');
    let ambiguousEarlierAttempt = false;
    try {
      await this.call({ action: 'DeleteModel', body: { modelId }, target: modelId, idempotency: 'safe' }, opts, (error) => {
        ambiguousEarlierAttempt ||= isAmbiguousFailure(error);
      });
      return { alreadyGone: false };
    } catch (error) {
      if (ambiguousEarlierAttempt && isNotFound(error)) {
        return { alreadyGone: true };
      }
      throw error;
    }
  }

  /** Sends CreateModelExportTask once; a 429 or RequestExpired (surely not acted on) may repeat it. */
  async createModelExportTask(modelId: string, opts: CallOptions = {}): Promise<string> {
    this.checkVersionId(modelId, 'CreateModelExportTask');
    return this.parsed(parseExportId, { action: 'CreateModelExportTask', body: { modelId }, target: modelId, idempotency: 'rejectedOnly' }, opts);
  }

  async describeModelExportTask(modelId: string, opts: CallOptions = {}): Promise<ExportTask> {
    this.checkVersionId(modelId, 'DescribeModelExportTask');
    return this.parsed(parseExportTask, { action: 'DescribeModelExportTask', body: { modelId }, target: modelId, idempotency: 'safe' }, opts);
  }

  /**
   * Starts an export without ever creating two: a running export is resumed; after an
   * ambiguous failure (timeout, dropped connection, 5xx) the service is asked whether the
   * task was created before the error is reported.
   */
  async startExport(modelId: string, opts: CallOptions = {}): Promise<StartExportResult> {
    const before = await this.describeModelExportTask(modelId, opts);
    if (before.hasRecord && before.status === 'Doing' && before.exportId) {
      return { exportId: before.exportId, resumed: true };
    }
    try {
      return { exportId: await this.createModelExportTask(modelId, opts), resumed: false };
    } catch (error) {
      if (!isAmbiguousFailure(error)) {
        throw error;
      }
      const after = await this.describeModelExportTask(modelId, opts).catch(() => undefined);
      if (after?.hasRecord && after.exportId && after.exportId !== before.exportId && after.status !== 'Fail') {
        return { exportId: after.exportId, resumed: false };
      }
      throw error;
    }
  }

  private checkVersionId(id: string, action: string): void {
    this.checkId(id, isModelVersionId, action, 'model version ID (amv-…)');
  }

  private checkId(id: string, valid: (s: string) => boolean, action: string, what: string): void {
    if (typeof id !== 'string' || !valid(id)) {
      throw new QianfanError({ kind: 'invalidInput', action, message: `"${String(id).slice(0, 64)}" is not a valid ${what}` });
    }
  }

  private async parsed<T>(parse: (result: unknown) => T, spec: ActionSpec, opts: CallOptions): Promise<T> {
    const result = await this.call(spec, opts);
    try {
      return parse(result);
    } catch (error) {
      if (error instanceof ShapeError) {
        throw new QianfanError({ kind: 'badResponse', action: spec.action, message: `unexpected answer: ${error.message}` });
      }
      throw error;
    }
  }

  private async call(spec: ActionSpec, opts: CallOptions, onFailedAttempt?: (e: QianfanError) => void): Promise<unknown> {
    const signer = await this.currentSigner(spec.action);
    const bodyText = JSON.stringify(spec.body);
    for (let attempt = 0; ; attempt++) {
      if (opts.signal?.aborted) {
        throw new CancelledError();
      }
      const started = this.now();
      try {
        const { result, response } = await this.attempt(spec.action, bodyText, signer, opts.signal);
        this.log(spec, attempt, started, 'ok', response.status, response.headers['x-bce-request-id']);
        return result;
      } catch (error) {
        if (error instanceof CancelledError) {
          this.log(spec, attempt, started, 'cancelled');
          throw error;
        }
        const e = error as QianfanError;
        const retry = attempt < this.retry.maxRetries && isRetryable(e, spec.idempotency);
        this.log(spec, attempt, started, retry ? 'retry' : 'error', e.status, e.requestId, e.describe());
        if (!retry) {
          throw e;
        }
        onFailedAttempt?.(e);
        this.learnClockSkew(e);
        await this.sleep(backoffDelay(this.retry, attempt, this.random, e.retryAfterMs), opts.signal);
      }
    }
  }

  private async attempt(action: string, body: string, signer: BceSigner, signal?: AbortSignal) {
    const timestampSeconds = Math.floor((this.now() + this.clockOffsetMs) / 1000);
    const headers: Record<string, string> = {
      host: this.origin.host,
      'x-bce-date': formatBceTimestamp(timestampSeconds),
      'content-type': 'application/json',
      accept: 'application/json',
    };
    if (this.options.userAgent) {
      headers['user-agent'] = this.options.userAgent;
    }
    headers.authorization = signer.sign({
      method: 'POST',
      path: MODEL_PATH,
      query: { Action: action },
      headers,
      headersToSign: SIGNED_HEADERS,
      timestampSeconds,
      expirationSeconds: this.expirationSeconds,
    }).authorization;
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), this.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal;
    let response: HttpResponse;
    try {
      response = await this.options.transport.send({
        url: `${this.origin.origin}${MODEL_PATH}?Action=${encodeURIComponent(action)}`,
        method: 'POST',
        headers,
        body,
        signal: combined,
        maxResponseBytes: this.maxResponseBytes,
      });
    } catch (error) {
      if (signal?.aborted) {
        throw new CancelledError();
      }
      if (timeout.signal.aborted) {
        throw new QianfanError({ kind: 'timeout', action, message: `no answer within ${this.timeoutMs} ms` });
      }
      if (error instanceof QianfanError) {
        throw new QianfanError({ ...error, kind: error.kind, message: error.message, action });
      }
      throw new QianfanError({ kind: 'network', action, message: (error as Error)?.message ?? String(error), cause: error });
    } finally {
      clearTimeout(timer);
    }
    return { result: interpretResponse(action, response, this.now()), response };
  }

  private learnClockSkew(error: QianfanError): void {
    if (error.code === 'RequestExpired' && error.serverDate !== undefined) {
      this.clockOffsetMs = error.serverDate - this.now();
      if (Math.abs(this.clockOffsetMs) > NOTABLE_SKEW_MS) {
        this.options.onClockSkew?.(this.clockOffsetMs);
      }
    }
  }

  private async currentSigner(action: string): Promise<BceSigner> {
    const pair = await this.options.credentials();
    if (!pair || !pair.accessKeyId || !pair.secretAccessKey) {
      throw new QianfanError({ kind: 'noCredentials', action, message: 'No Qianfan access key / secret key is set' });
    }
    const cached = this.signer;
    if (cached && cached.pair.accessKeyId === pair.accessKeyId && cached.pair.secretAccessKey === pair.secretAccessKey) {
      return cached.signer;
    }
    const signer = new BceSigner(pair);
    this.signer = { pair, signer };
    return signer;
  }

  private log(
    spec: ActionSpec,
    attempt: number,
    started: number,
    outcome: RequestLogEntry['outcome'],
    status?: number,
    requestId?: string,
    error?: string,
  ): void {
    this.options.onRequest?.({ action: spec.action, target: spec.target, attempt, status, requestId, ms: this.now() - started, outcome, error });
  }
}
