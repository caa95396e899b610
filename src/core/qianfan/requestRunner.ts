/**
 * Sends one signed `/v2/model` request: signing with a fresh timestamp per attempt, the
 * timeout, retries where a repeat is safe, clock-skew correction and one log entry per attempt.
 * Whatever goes wrong comes out as a QianfanError (or a CancelledError).
 */
import { CancelledError, QianfanError, asQianfanError } from './errors';
import { type AttemptOutcome, type RequestGate } from './gate';
import { type HttpResponse, type HttpTransport } from './http';
import { interpretResponse } from './response';
import { type Idempotency, type RetryPolicy, type Sleep, backoffDelay, isRetryable } from './retry';
import { type AccessKeyPair, BceSigner, formatBceTimestamp } from './signer';

export const MODEL_PATH = '/v2/model';
/** The services API (the services that run a version), signed alike. */
export const SERVICE_PATH = '/v2/service';
export const SIGNED_HEADERS = ['host', 'x-bce-date'] as const;
const NOTABLE_SKEW_MS = 60_000;
/** A server clock further off than this is not believed (a bad Date header, not a skewed clock). */
export const MAX_CLOCK_SKEW_MS = 24 * 3600 * 1000;

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

export interface RunnerOptions {
  readonly origin: URL;
  readonly credentials: () => Promise<AccessKeyPair | undefined> | AccessKeyPair | undefined;
  readonly transport: HttpTransport;
  readonly timeoutMs: number;
  readonly retry: RetryPolicy;
  readonly expirationSeconds: number;
  readonly maxResponseBytes: number;
  readonly userAgent?: string;
  /** Wall time: only for signing (`x-bce-date`), the server's Date and Retry-After dates. */
  readonly now: () => number;
  /** A monotonic clock (ms) for durations; default performance.now. */
  readonly monotonic?: () => number;
  readonly sleep: Sleep;
  readonly random: () => number;
  /** Every attempt waits here for its turn (the client's adaptive limiter). */
  readonly gate: RequestGate;
  readonly onRequest?: (entry: RequestLogEntry) => void;
  readonly onClockSkew?: (skewMs: number) => void;
}

export interface ActionSpec {
  readonly action: string;
  /** The API path; `/v2/model` unless told. */
  readonly path?: typeof MODEL_PATH | typeof SERVICE_PATH;
  readonly body: Record<string, unknown>;
  readonly target?: string;
  readonly idempotency: Idempotency;
}

export interface CallOptions {
  readonly signal?: AbortSignal;
  /** Told as each attempt goes on the wire (the gate let it through): from then on the service may have acted. */
  readonly onSend?: () => void;
}

/** What an attempt's failure tells the gate about the service's pace. */
export function gateOutcome(e: QianfanError | CancelledError): AttemptOutcome {
  if (e instanceof CancelledError) {
    return 'cancelled';
  }
  if (e.errorClass === 'throttled') {
    return 'throttled';
  }
  return e.errorClass === 'transient' ? 'failed' : 'answered'; // transient: no answer, a timeout or a 5xx
}

export class RequestRunner {
  private signer?: { pair: AccessKeyPair; signer: BceSigner };
  /** serverTime - localTime, learnt from a RequestExpired answer's Date header. */
  clockOffsetMs = 0;

  constructor(private readonly o: RunnerOptions) {}

  private elapsed(): number {
    return this.o.monotonic ? this.o.monotonic() : performance.now();
  }

  /** The `result` of one action; onFailedAttempt sees every failure that is retried. */
  async call(spec: ActionSpec, opts: CallOptions, onFailedAttempt?: (e: QianfanError) => void): Promise<unknown> {
    try {
      return await this.loop(spec, opts, onFailedAttempt);
    } catch (error) {
      throw asQianfanError(error, spec.action);
    }
  }

  private async loop(spec: ActionSpec, opts: CallOptions, onFailedAttempt?: (e: QianfanError) => void): Promise<unknown> {
    const signer = await this.currentSigner(spec.action);
    const bodyText = JSON.stringify(spec.body);
    let throttles = 0;
    let failures = 0;
    for (let attempt = 0; ; attempt++) {
      // an aborted signal: the gate throws CancelledError at once, and nothing is sent
      const permit = await this.o.gate.acquire(opts.signal);
      const started = this.elapsed();
      opts.onSend?.();
      try {
        const response = await this.send(spec.path ?? MODEL_PATH, spec.action, bodyText, signer, opts.signal);
        this.learnServiceRate(response);
        const result = interpretResponse(spec.action, response, this.o.now());
        permit.release('answered');
        this.log(spec, attempt, started, 'ok', response.status, response.headers['x-bce-request-id']);
        return result;
      } catch (error) {
        const e = asQianfanError(error, spec.action);
        permit.release(gateOutcome(e), e instanceof QianfanError ? e.retryAfterMs : undefined);
        if (e instanceof CancelledError) {
          this.log(spec, attempt, started, 'cancelled');
          throw e;
        }
        this.learnClockSkew(e);
        const throttled = e.errorClass === 'throttled';
        const used = throttled ? ++throttles : ++failures;
        const budget = throttled ? (this.o.retry.maxThrottledRetries ?? this.o.retry.maxRetries) : this.o.retry.maxRetries;
        const retry = used <= budget && isRetryable(e, spec.idempotency);
        this.log(spec, attempt, started, retry ? 'retry' : 'error', e.status, e.requestId, e.describe());
        if (!retry) {
          throw e;
        }
        onFailedAttempt?.(e);
        await this.o.sleep(backoffDelay(this.o.retry, attempt, this.o.random, e.retryAfterMs), opts.signal);
      }
    }
  }

  private headers(path: string, action: string, signer: BceSigner): Record<string, string> {
    const timestampSeconds = Math.floor((this.o.now() + this.clockOffsetMs) / 1000);
    const headers: Record<string, string> = {
      host: this.o.origin.host,
      'x-bce-date': formatBceTimestamp(timestampSeconds),
      'content-type': 'application/json',
      accept: 'application/json',
    };
    if (this.o.userAgent) {
      headers['user-agent'] = this.o.userAgent;
    }
    headers.authorization = signer.sign({
      method: 'POST',
      path,
      query: { Action: action },
      headers,
      headersToSign: SIGNED_HEADERS,
      timestampSeconds,
      expirationSeconds: this.o.expirationSeconds,
    }).authorization;
    return headers;
  }

  private async send(path: string, action: string, body: string, signer: BceSigner, signal?: AbortSignal): Promise<HttpResponse> {
    const headers = this.headers(path, action, signer);
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), this.o.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal;
    try {
      return await this.o.transport.send({
        url: `${this.o.origin.origin}${path}?Action=${encodeURIComponent(action)}`,
        method: 'POST',
        headers,
        body,
        signal: combined,
        maxResponseBytes: this.o.maxResponseBytes,
      });
    } catch (error) {
      if (signal?.aborted) {
        throw new CancelledError();
      }
      if (timeout.signal.aborted) {
        throw new QianfanError({ kind: 'timeout', action, message: `no answer within ${this.o.timeoutMs} ms` });
      }
      if (error instanceof QianfanError) {
        throw new QianfanError({ ...error, kind: error.kind, message: error.message, action, cause: error.cause });
      }
      const message = error instanceof Error ? error.message : String(error);
      throw new QianfanError({ kind: 'network', action, message, cause: error });
    } finally {
      clearTimeout(timer);
    }
  }

  /** `X-Ratelimit-Limit-Requests` (requests per minute, as the official SDK reads it) sets the gate's ceiling on the pace. */
  private learnServiceRate(response: HttpResponse): void {
    // absent, empty or not a number: NaN or 0, which the gate ignores as it ignores any value that is not a positive number
    this.o.gate.setServiceRate?.(Number(response.headers['x-ratelimit-limit-requests']) / 60);
  }

  /** Learns serverTime - localTime from a RequestExpired answer, anew each time, within ±1 day. */
  private learnClockSkew(error: QianfanError): void {
    if (error.errorClass !== 'expired') {
      return;
    }
    const skew = (error.serverDate ?? NaN) - this.o.now(); // no Date header: nothing to learn
    if (!Number.isFinite(skew) || Math.abs(skew) > MAX_CLOCK_SKEW_MS) {
      return;
    }
    this.clockOffsetMs = skew;
    if (Math.abs(skew) > NOTABLE_SKEW_MS) {
      this.o.onClockSkew?.(skew);
    }
  }

  private async currentSigner(action: string): Promise<BceSigner> {
    const pair = await this.o.credentials();
    if (!pair || !pair.accessKeyId || !pair.secretAccessKey) {
      throw new QianfanError({ kind: 'noCredentials', action, message: 'No Qianfan access key / secret key is set' });
    }
    const cached = this.signer; // kept while the keys stay: its signing key serves every request of the same second
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
    const entry: RequestLogEntry = {
      action: spec.action,
      target: spec.target,
      attempt,
      status,
      requestId,
      ms: Math.round(this.elapsed() - started),
      outcome,
      error,
    };
    try {
      this.o.onRequest?.(entry);
    } catch {
      // a failing log sink must not turn an answer into a failure
    }
  }
}
