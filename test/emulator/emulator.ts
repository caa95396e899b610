/**
 * A loopback HTTP server that behaves like Qianfan's `/v2/model` console API for the actions
 * the extension uses. Every request's signature is checked with Baidu's own signer.
 */
import { randomUUID } from 'crypto';
import * as http from 'http';
import { type AddressInfo } from 'net';
import { ExportFiles } from './exportFiles';
import { type Fixture, DEMO_ACCESS_KEY, DEMO_SECRET_KEY, demoFixture } from './fixture';
import { officialAuthorization, parseAuthorization } from './officialAuth';
import { type Dialect, DIALECTS } from './dialects';
import { ApiError, ModelStore, missingError } from './store';

export type Fault =
  | { kind: 'status'; status: number; code?: string; message?: string; retryAfter?: string }
  | { kind: 'requestExpired' }
  | { kind: 'malformed' } // 200 with a cut-off JSON body
  | { kind: 'html' } // a proxy's HTML error page
  | { kind: 'drop' } // the connection is destroyed with no answer
  | { kind: 'truncate' } // headers promise more body than is sent
  | { kind: 'hang' } // no answer until the client gives up
  | { kind: 'huge'; bytes: number } // a very large (valid) body
  | { kind: 'raw'; status: number; body: string; headers?: Record<string, string> } // any answer at all
  | { kind: 'bigPage'; items: number; last?: boolean }; // a listing page of many minimal models: truncated with a fresh nextMarker each time, or the last

export interface FaultRule {
  /** Action name, or '*' for any. */
  action: string;
  /** Only requests whose body names this modelId. */
  modelId?: string;
  fault: Fault;
  /** How many matching requests it applies to (default 1). */
  times?: number;
  /** 'before': the action is not carried out; 'after': it is, then the fault replaces the answer. */
  phase?: 'before' | 'after';
}

export interface RequestRecord {
  action: string;
  body: unknown;
  status: number;
  authorization: string;
}

export interface EmulatorOptions {
  fixture?: Fixture;
  keys?: Record<string, string>;
  /** Added to every answer, in ms. */
  latencyMs?: number;
  /** How long an export stays `Doing`, in ms. */
  exportDurationMs?: number;
  /** The server clock minus the real clock, in ms (to test clock skew). */
  clockOffsetMs?: number;
  /** How far a timestamp may lie in the future, in seconds. */
  allowedFutureSkewSeconds?: number;
  /** Serve each finished export as a file of this many bytes from this emulator (see exportFiles.ts). */
  exportBytes?: number;
  /** Requests per second (sliding 1-second window) beyond which the answer is 429; 0 or unset: no limit. */
  rateLimit?: number;
  /** The account's custom services (`/v2/service`); none by default. */
  services?: EmulatedService[];
  /** Whether DescribeServices items name the version they run (`modelId`); by default only DescribeService does. */
  listNamesVersion?: boolean;
  /**
   * IAM policies per access key; a key not listed has full control. Each action needs one of the
   * policies Qianfan documents for it (see ACTION_POLICIES), else 403 AccessDenied.
   */
  policies?: Record<string, string[]>;
  /** How to answer where Baidu's sources allow several answers (dialects.ts); default `DIALECTS.today`. */
  dialect?: Dialect;
}

export interface EmulatedService {
  serviceId: string;
  name: string;
  /** The version it runs. */
  modelId: string;
  modelSetId?: string;
  runStatus?: 'New' | 'Deploying' | 'Serving' | 'Failed' | 'Stopped';
  /** The protocol version it was created with (1 by default): a dialect that splits lists it only under its own. */
  protocolVersion?: 1 | 2;
}

const MODEL_READ = [
  'QianfanFullControlAccessPolicy',
  'QianfanReadAccessPolicy',
  'QianfanModelTuningFullControlAccessPolicy',
  'QianfanModelTuningReadAccessPolicy',
];
const MODEL_WRITE = ['QianfanFullControlAccessPolicy', 'QianfanModelTuningFullControlAccessPolicy'];
const SERVICE_READ = ['QianfanFullControlAccessPolicy', 'QianfanServiceReadAccessPolicy', 'QianfanServiceOperateAccessPolicy'];
const SERVICE_LIST = ['QianfanFullControlAccessPolicy', 'QianfanDataOperateAccessPolicy', 'QianfanDataFullControlAccessPolicy'];

/** The policies that allow each action (Qianfan's permission lists, docs/qianfan-api.md §3.9–3.10). */
export const ACTION_POLICIES: Record<string, string[]> = {
  DescribeCustomModelSets: MODEL_READ,
  DescribeModelSet: MODEL_READ,
  DescribeModel: MODEL_READ,
  DeleteModel: MODEL_WRITE,
  DeleteModelSet: MODEL_WRITE,
  CreateModelExportTask: MODEL_WRITE,
  DescribeModelExportTask: MODEL_WRITE,
  DescribeServices: SERVICE_LIST,
  DescribeService: SERVICE_READ,
};

/** Our assumption (Baidu documents no rate-limit code for /v2/model): HTTP 429, this code, Retry-After. */
export const RATE_LIMIT_CODE = 'TooManyRequests';

export class QianfanEmulator {
  readonly store: ModelStore;
  readonly requests: RequestRecord[] = [];
  readonly keys: Map<string, string>;
  /** The served export files and their faults, when `exportBytes` was given. */
  readonly files?: ExportFiles;
  latencyMs: number;
  clockOffsetMs: number;
  /** Requests per second beyond which requests are refused with 429 (0: no limit); may change between runs. */
  rateLimit: number;
  /** How many requests the rate limit refused. */
  throttled = 0;
  /** When each request the rate limit let through arrived (performance.now), the last second only. */
  private readonly admitted: number[] = [];
  /** Requests being handled now, and the most there have been at once. */
  inFlight = 0;
  maxInFlight = 0;
  private readonly futureSkew: number;
  /** The account's services; a test may change the list. */
  services: EmulatedService[];
  private readonly listNamesVersion: boolean;
  /** IAM policies per access key (a test may change them). */
  readonly policies: Record<string, string[]>;
  private faults: FaultRule[] = [];
  /** How this emulator answers where Baidu's sources allow several answers; a test may change it. */
  get dialect(): Dialect {
    return this.store.dialect;
  }
  set dialect(dialect: Dialect) {
    this.store.dialect = dialect;
  }
  private bigPages = 0;
  private server?: http.Server;
  private readonly sockets = new Set<import('net').Socket>();

  constructor(options: EmulatorOptions = {}) {
    this.store = new ModelStore(options.fixture ?? demoFixture(), options.exportDurationMs ?? 1500);
    this.keys = new Map(Object.entries(options.keys ?? { [DEMO_ACCESS_KEY]: DEMO_SECRET_KEY }));
    this.latencyMs = options.latencyMs ?? 0;
    this.clockOffsetMs = options.clockOffsetMs ?? 0;
    this.rateLimit = options.rateLimit ?? 0;
    this.futureSkew = options.allowedFutureSkewSeconds ?? 900;
    this.services = options.services ?? [];
    this.listNamesVersion = options.listNamesVersion === true;
    this.policies = options.policies ?? {};
    this.store.dialect = options.dialect ?? DIALECTS.today;
    if (options.exportBytes !== undefined) {
      const files = new ExportFiles(options.exportBytes);
      this.files = files;
      this.store.exportFile = (modelId, exportId, now) => files.describe(this.url, modelId, exportId, now);
    }
  }

  get url(): string {
    const address = this.server?.address() as AddressInfo | null;
    if (!address) {
      throw new Error('the emulator is not running');
    }
    return `http://127.0.0.1:${address.port}`;
  }

  async start(port = 0): Promise<string> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 5000;
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', resolve);
    });
    return this.url;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) {
      return;
    }
    for (const socket of this.sockets) {
      socket.destroy();
    }
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  inject(rule: FaultRule): void {
    this.faults.push({ times: 1, phase: 'before', ...rule });
  }

  clearFaults(): void {
    this.faults = [];
  }

  count(action: string): number {
    return this.requests.filter((r) => r.action === action).length;
  }

  private takeFault(action: string, body: unknown, phase: 'before' | 'after'): Fault | undefined {
    const modelId = (body as { modelId?: unknown } | undefined)?.modelId;
    const rule = this.faults.find(
      (f) => (f.action === '*' || f.action === action) && (f.modelId === undefined || f.modelId === modelId) && f.phase === phase && (f.times ?? 1) > 0,
    );
    if (!rule) {
      return undefined;
    }
    rule.times = (rule.times ?? 1) - 1;
    return rule.fault;
  }

  /** Requests answered so far, by action: what `GET /__counts` returns (for a client in another process). */
  counts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const r of this.requests) {
      counts[r.action] = (counts[r.action] ?? 0) + 1;
    }
    return counts;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (req.method === 'GET' && req.url === '/__counts') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(this.counts()));
      return;
    }
    if (this.files?.handles(req)) {
      return this.files.serve(req, res, this.now());
    }
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    res.once('close', () => this.inFlight--);
    const chunks: Buffer[] = [];
    for await (const chunk of req) {
      chunks.push(chunk as Buffer);
    }
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const action = url.searchParams.get('Action') ?? '';
    const requestId = randomUUID();
    let body: unknown;
    const answer = (status: number, payload: unknown) => {
      this.requests.push({ action, body, status, authorization: String(req.headers.authorization ?? '') });
      this.send(res, status, requestId, payload);
    };
    const answerError = (error: ApiError) => {
      this.requests.push({ action, body, status: error.status, authorization: String(req.headers.authorization ?? '') });
      this.sendError(res, requestId, error);
    };
    if (this.dialect.rateHeader && this.rateLimit > 0) {
      res.setHeader('x-ratelimit-limit-requests', String(this.rateLimit * 60)); // requests per minute, as the SDK reads it
    }
    if (this.latencyMs > 0) {
      await new Promise((r) => setTimeout(r, this.latencyMs));
    }
    try {
      const accessKeyId = this.authenticate(req, url);
      if (req.method !== 'POST' || (url.pathname !== '/v2/model' && url.pathname !== '/v2/service')) {
        throw new ApiError(404, 'InvalidURI', `No such API: ${req.method} ${url.pathname}`);
      }
      this.authorize(accessKeyId, action);
      try {
        body = raw === '' ? {} : JSON.parse(raw);
      } catch {
        throw new ApiError(400, 'MalformedJSON', 'The JSON you provided was not well-formed.');
      }
      const waitMs = this.rateLimited();
      if (waitMs !== undefined) {
        this.throttled++;
        if (this.dialect.retryAfter) {
          res.setHeader('retry-after', String(Math.ceil(waitMs / 1000)));
          res.setHeader('retry-after-ms', String(waitMs));
        }
        switch (this.dialect.throttle) {
          case 'status429':
            return answerError(new ApiError(429, RATE_LIMIT_CODE, `Request rate exceeded the limit of ${this.rateLimit} per second.`));
          case 'quotaLimitExceeded':
            return answerError(new ApiError(400, 'QuotaLimitExceeded', 'The request quota limit has been exceeded.'));
          case 'legacyErrorCode':
            return answer(200, { error_code: 18, error_msg: 'Open api qps request limit reached', log_id: requestId });
        }
      }
      const before = this.takeFault(action, body, 'before');
      if (before) {
        this.requests.push({ action, body, status: 0, authorization: String(req.headers.authorization ?? '') });
        return this.applyFault(res, requestId, before);
      }
      const result =
        url.pathname === '/v2/service'
          ? this.handleService(action, body as Record<string, unknown>)
          : this.store.handle(action, body as Record<string, unknown>, this.now());
      const after = this.takeFault(action, body, 'after');
      if (after) {
        this.requests.push({ action, body, status: 0, authorization: String(req.headers.authorization ?? '') });
        return this.applyFault(res, requestId, after);
      }
      answer(200, { requestId, result });
    } catch (error) {
      answerError(error instanceof ApiError ? error : new ApiError(500, 'InternalError', 'We encountered an internal error. Please try again.'));
    }
  }

  /**
   * The rate limit, a sliding window: at most `rateLimit` requests are let through in any 1,000 ms.
   * Undefined: this request is let through (and counted); otherwise the ms until a place frees up.
   * A refused request is not counted and has no effect.
   */
  private rateLimited(): number | undefined {
    if (!(this.rateLimit > 0)) {
      return undefined;
    }
    const t = performance.now();
    while (this.admitted.length > 0 && this.admitted[0] <= t - 1000) {
      this.admitted.shift();
    }
    if (this.admitted.length < this.rateLimit) {
      this.admitted.push(t);
      return undefined;
    }
    return Math.max(1, Math.ceil(this.admitted[this.admitted.length - this.rateLimit] + 1000 - t));
  }

  private now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  private authorize(accessKeyId: string, action: string): void {
    const held = this.policies[accessKeyId];
    const allowed = ACTION_POLICIES[action];
    if (held && allowed && !allowed.some((p) => held.includes(p))) {
      throw new ApiError(403, 'AccessDenied', `Access denied: ${action} needs one of ${allowed.join(', ')}`);
    }
  }

  /** DescribeServices (paged by serviceId, like the model list) and DescribeService. */
  private handleService(action: string, body: Record<string, unknown>): unknown {
    const version = (s: EmulatedService) =>
      this.dialect.serviceDetail === 'sdk'
        ? { modelId: s.modelSetId ?? '', modelVersionId: s.modelId } // the SDK mock's shape
        : { modelSetId: s.modelSetId ?? '', modelId: s.modelId }; // the doc's
    const view = (s: EmulatedService, withVersion: boolean) => ({
      serviceId: s.serviceId,
      name: s.name,
      serviceType: 'chat',
      runStatus: s.runStatus ?? 'Serving',
      ...(withVersion ? version(s) : {}),
    });
    if (action === 'DescribeService') {
      const service = this.services.find((s) => s.serviceId === body.serviceId);
      if (!service) {
        throw missingError(this.dialect, `The service ${String(body.serviceId)} does not exist.`);
      }
      return view(service, true);
    }
    if (action !== 'DescribeServices') {
      throw new ApiError(400, 'InvalidAction', `No such action: ${action}`);
    }
    const maxKeys = Math.min(100, Math.max(1, Number(body.maxKeys ?? 10) || 10));
    const protocol = body.protocolVersion === undefined ? 1 : Number(body.protocolVersion);
    if (protocol !== 1 && protocol !== 2) {
      throw new ApiError(400, 'InvalidRequestArgumentError', 'param[protocolVersion] invalid.');
    }
    const listed = this.dialect.services === 'split' ? this.services.filter((s) => (s.protocolVersion ?? 1) === protocol) : this.services;
    const start = typeof body.marker === 'string' ? listed.findIndex((s) => s.serviceId === body.marker) : 0;
    if (start < 0) {
      throw new ApiError(400, 'InvalidMarker', 'The marker is not valid.');
    }
    const page = listed.slice(start, start + maxKeys);
    const next = listed[start + maxKeys];
    return {
      serviceList: page.map((s) => view(s, this.listNamesVersion)),
      pageInfo: {
        marker: typeof body.marker === 'string' ? body.marker : '',
        maxKeys,
        isTruncated: next !== undefined,
        ...(next ? { nextMarker: next.serviceId } : {}),
      },
    };
  }

  private authenticate(req: http.IncomingMessage, url: URL): string {
    const auth = parseAuthorization(req.headers.authorization);
    if (!auth) {
      throw new ApiError(400, 'InvalidHTTPAuthHeader', 'The Authorization header you provided is invalid.');
    }
    const secret = this.keys.get(auth.accessKeyId);
    if (!secret) {
      switch (this.dialect.unknownAccessKey) {
        case 'invalidAccessKeyId':
          throw new ApiError(403, 'InvalidAccessKeyId', 'NotFound, cause: Could not find credential.');
        case 'invalidHTTPAuthHeader':
          throw new ApiError(400, 'InvalidHTTPAuthHeader', 'The Access Key ID you provided does notexist in our records.');
        case 'credentialHeader':
          throw new ApiError(403, 'NotFound', 'Could not find credential.', true);
      }
    }
    if (!auth.signedHeaders.includes('host')) {
      throw new ApiError(400, 'InvalidHTTPAuthHeader', 'The host header must be signed.');
    }
    const query: Record<string, string | null> = {};
    url.searchParams.forEach((v, k) => (query[k] = v));
    const expected = officialAuthorization(auth, secret, req.method ?? '', url.pathname, query, req.headers);
    if (expected.slice(expected.lastIndexOf('/') + 1) !== auth.signature) {
      throw new ApiError(400, 'SignatureDoesNotMatch', 'Fail to authn user: Signature does not match', this.dialect.errors === 'headers');
    }
    const nowSeconds = this.now() / 1000;
    const dateHeader = req.headers['x-bce-date']?.toString();
    if (dateHeader !== undefined && dateHeader !== auth.timestamp) {
      throw new ApiError(400, 'RequestExpired', `x-bce-date ${dateHeader} differs from the signing time ${auth.timestamp}`);
    }
    if (auth.timestampSeconds + auth.expirationSeconds < nowSeconds || auth.timestampSeconds > nowSeconds + this.futureSkew) {
      throw new ApiError(400, 'RequestExpired', `Request has expired. Timestamp date is ${auth.timestamp}`);
    }
    return auth.accessKeyId;
  }

  private send(res: http.ServerResponse, status: number, requestId: string, payload: unknown, contentType = 'application/json; charset=utf-8'): void {
    const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
    const defaults = {
      'content-type': contentType,
      'content-length': String(Buffer.byteLength(text)),
      'x-bce-request-id': requestId,
      date: new Date(this.now()).toUTCString(),
    };
    for (const [name, value] of Object.entries(defaults)) {
      if (!res.hasHeader(name)) {
        res.setHeader(name, value); // a header a fault set (a raw answer's Date, say) wins
      }
    }
    res.writeHead(status);
    res.end(text);
  }

  /**
   * An error as the dialect says: a JSON body, or an empty body with `X-Bce-Error-Code` and
   * `X-Bce-Error-Message: <code>, cause: <message>` (only the message header for the SDK's auth answers).
   */
  private sendError(res: http.ServerResponse, requestId: string, error: ApiError): void {
    if (this.dialect.errors === 'body' && !error.headerOnly) {
      return this.send(res, error.status, requestId, { requestId, code: error.code, message: error.message });
    }
    if (!error.headerOnly) {
      res.setHeader('x-bce-error-code', error.code);
    }
    res.setHeader('x-bce-error-message', `${error.code}, cause: ${error.message}`);
    return this.send(res, error.status, requestId, '', 'text/plain; charset=utf-8');
  }

  private applyFault(res: http.ServerResponse, requestId: string, fault: Fault): void {
    switch (fault.kind) {
      case 'status':
        if (fault.retryAfter !== undefined) {
          res.setHeader('retry-after', fault.retryAfter);
        }
        return this.sendError(
          res,
          requestId,
          new ApiError(
            fault.status,
            fault.code ?? (fault.status === 429 ? 'TooManyRequests' : 'InternalError'),
            fault.message ?? `Injected HTTP ${fault.status}`,
          ),
        );
      case 'requestExpired':
        return this.sendError(res, requestId, new ApiError(400, 'RequestExpired', 'Request has expired.'));
      case 'malformed':
        return this.send(res, 200, requestId, `{"requestId":"${requestId}","result":{"customModelSetList":[`);
      case 'html':
        return this.send(res, 502, requestId, '<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>', 'text/html');
      case 'drop':
        res.socket?.destroy();
        return;
      case 'truncate':
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '4096', 'x-bce-request-id': requestId });
        res.write('{"requestId":"x","result":{');
        setTimeout(() => res.socket?.destroy(), 20);
        return;
      case 'hang':
        return;
      case 'huge':
        return this.send(res, 200, requestId, { requestId, result: { customModelSetList: [], padding: 'x'.repeat(fault.bytes) } });
      case 'raw':
        for (const [name, value] of Object.entries(fault.headers ?? {})) {
          res.setHeader(name, value);
        }
        return this.send(res, fault.status, requestId, fault.body);
      case 'bigPage':
        return this.send(res, 200, requestId, bigPage(requestId, fault.items, ++this.bigPages, fault.last === true));
    }
  }
}

/** A page of `items` models with only an ID each, built as text (fast, and small per item). */
function bigPage(requestId: string, items: number, n: number, last: boolean): string {
  const item = `{"modelSetId":"am-bigpage${String(n).padStart(4, '0')}"}`;
  const list = new Array<string>(items).fill(item).join(',');
  const pageInfo = last ? '{"isTruncated":false}' : `{"isTruncated":true,"nextMarker":"m${n}"}`;
  return `{"requestId":"${requestId}","result":{"customModelSetList":[${list}],"pageInfo":${pageInfo}}}`;
}

export { DEMO_ACCESS_KEY, DEMO_SECRET_KEY };
