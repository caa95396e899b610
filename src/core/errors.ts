/** Every failure the client reports is one of these; none carries a secret. */

export type QianfanErrorKind =
  | 'api' // the service answered with an error body or status
  | 'network' // connection refused, reset or dropped
  | 'timeout' // no answer within the request timeout
  | 'badResponse' // not JSON (e.g. a proxy's HTML page), truncated, or not the expected shape
  | 'tooLarge' // the body was over the size cap
  | 'invalidInput' // rejected before any request was sent
  | 'noCredentials'; // no access key / secret key set

export interface QianfanErrorInit {
  readonly kind: QianfanErrorKind;
  readonly message: string;
  readonly action?: string;
  readonly status?: number;
  readonly code?: string;
  readonly requestId?: string;
  /** Server time from the response `Date` header, when present (clock-skew diagnosis). */
  readonly serverDate?: number;
  /** The server's Retry-After hint, in milliseconds. */
  readonly retryAfterMs?: number;
  readonly cause?: unknown;
}

export class QianfanError extends Error {
  readonly kind: QianfanErrorKind;
  readonly action?: string;
  readonly status?: number;
  readonly code?: string;
  readonly requestId?: string;
  readonly serverDate?: number;
  readonly retryAfterMs?: number;

  constructor(init: QianfanErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'QianfanError';
    this.kind = init.kind;
    this.action = init.action;
    this.status = init.status;
    this.code = init.code;
    this.requestId = init.requestId;
    this.serverDate = init.serverDate;
    this.retryAfterMs = init.retryAfterMs;
  }

  /** One line for logs and notifications: what failed, the code and the request ID. */
  describe(): string {
    const parts: string[] = [];
    if (this.action) {
      parts.push(this.action);
    }
    if (this.status !== undefined) {
      parts.push(`HTTP ${this.status}`);
    }
    if (this.code) {
      parts.push(this.code);
    }
    const head = parts.length ? parts.join(' ') + ': ' : '';
    const tail = this.requestId ? ` (requestId ${this.requestId})` : '';
    return head + this.message + tail;
  }
}

/** The user (or a disposed window) cancelled: reported nowhere. */
export class CancelledError extends Error {
  constructor() {
    super('Cancelled');
    this.name = 'CancelledError';
  }
}

export function isCancelled(error: unknown): boolean {
  return error instanceof CancelledError || (error instanceof Error && error.name === 'AbortError');
}

/** A version the service does not know: a delete that finds nothing has nothing left to do. */
export function isNotFound(error: unknown): boolean {
  return error instanceof QianfanError && error.kind === 'api' && (error.status === 404 || /NotFound|NoSuch|NotExist/i.test(error.code ?? ''));
}

/**
 * The service may or may not have acted on the request: the connection dropped, no answer came
 * in time, or it answered 5xx. Such a failure is worth another look (or another try, if safe).
 */
export function isAmbiguousFailure(error: unknown): boolean {
  return error instanceof QianfanError && (error.kind === 'network' || error.kind === 'timeout' || (error.status ?? 0) >= 500);
}

export const ACCESS_DENIED_HINT = 'The key needs QianfanFullControlAccessPolicy or QianfanModelTuningFullControlAccessPolicy.';
