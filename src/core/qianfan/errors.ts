/** Every failure the client reports is one of these; none carries a secret. */
import { type ErrorClass, classifyError } from './errorCodes';
import { cleanOptional, cleanText } from '../base/text';

export type QianfanErrorKind =
  | 'api' // the service answered with an error body or status
  | 'network' // connection refused, reset or dropped
  | 'timeout' // no answer within the request timeout
  | 'badResponse' // not JSON (e.g. a proxy's HTML page), truncated, or not the expected shape
  | 'tooLarge' // the body (or a listing) was over the size cap
  | 'invalidInput' // rejected before any request was sent
  | 'noCredentials' // no access key / secret key set
  | 'internal'; // an unexpected failure inside the extension (a bug): kept as the cause

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
  /** The body, when it was not Qianfan's JSON: a web page (a proxy's, a gateway's), nothing, or other text. */
  readonly answer?: NonJsonAnswer;
  /** Baidu's `X-Bce-Error-Message` header, when the answer carried one: the server's words. */
  readonly headerMessage?: string;
  readonly cause?: unknown;
}

export type NonJsonAnswer = 'html' | 'empty' | 'text';

const MAX_CODE = 64;
const MAX_REQUEST_ID = 128;
const MAX_HEADER_MESSAGE = 300;

export class QianfanError extends Error {
  readonly kind: QianfanErrorKind;
  readonly action?: string;
  readonly status?: number;
  readonly code?: string;
  readonly requestId?: string;
  readonly serverDate?: number;
  readonly retryAfterMs?: number;
  readonly answer?: NonJsonAnswer;
  readonly headerMessage?: string;

  /** Text from the server (message, code, request ID) is cut short and stripped of control characters. */
  constructor(init: QianfanErrorInit) {
    super(cleanText(init.message), init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'QianfanError';
    this.kind = init.kind;
    this.action = init.action;
    this.status = init.status;
    this.code = cleanOptional(init.code, MAX_CODE);
    this.requestId = cleanOptional(init.requestId, MAX_REQUEST_ID);
    this.serverDate = init.serverDate;
    this.retryAfterMs = init.retryAfterMs;
    this.answer = init.answer;
    this.headerMessage = cleanOptional(init.headerMessage, MAX_HEADER_MESSAGE);
  }

  /** The class of the failure in the one table of codes (errorCodes.ts). */
  get errorClass(): ErrorClass {
    return classifyError(this);
  }

  /** What failed and the code, without the request ID: for a message that shows the ID by itself. */
  summary(): string {
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
    const header = this.headerMessage !== undefined && this.headerMessage !== this.message ? ` [${this.headerMessage}]` : '';
    return (parts.length ? parts.join(' ') + ': ' : '') + this.message + header;
  }

  /** One line for logs: what failed, the code and the request ID. */
  describe(): string {
    return this.summary() + (this.requestId ? ` (requestId ${this.requestId})` : '');
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

/** Any failure as a QianfanError (a cancel stays a cancel): an unknown one is 'internal', kept as the cause. */
export function asQianfanError(error: unknown, action?: string): QianfanError | CancelledError {
  if (error instanceof QianfanError || error instanceof CancelledError) {
    return error;
  }
  if (isCancelled(error)) {
    return new CancelledError();
  }
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new QianfanError({ kind: 'internal', action, message: `unexpected failure (${text})`, cause: error });
}

export function classOf(error: unknown): ErrorClass | undefined {
  return error instanceof QianfanError ? error.errorClass : undefined;
}

/**
 * The service says it does not know a version or model. Baidu documents no code for that, and
 * uses `NotFound` for an unknown credential too: this is a reason to look (core/presence.ts),
 * never proof that anything is gone.
 */
export function isNotFound(error: unknown): boolean {
  return classOf(error) === 'notFound';
}

/**
 * An answer that a missing version may take (Baidu's sources allow a 404 with some code, or a
 * 400 `InvalidRequestArgumentError` / `InappropriateJSON`): a reason to look, never proof.
 */
export function mayMeanMissing(error: unknown): boolean {
  const c = classOf(error);
  return (
    error instanceof QianfanError &&
    error.kind === 'api' &&
    (c === 'notFound' || (c === 'other' && error.status !== undefined && error.status >= 400 && error.status < 500))
  );
}

/**
 * The service may or may not have acted on the request: no answer came (dropped, timed out),
 * it answered 5xx, or its answer could not be read (truncated, malformed, over the cap).
 * After such a failure, look before acting again.
 */
export function isAmbiguousFailure(error: unknown): boolean {
  if (!(error instanceof QianfanError)) {
    return false;
  }
  return error.errorClass === 'transient' || error.kind === 'badResponse' || error.kind === 'tooLarge';
}

/** No keys, or keys the service refused: every request will fail alike until the keys change. */
export function isKeyFailure(error: unknown): boolean {
  return error instanceof QianfanError && (error.kind === 'noCredentials' || error.errorClass === 'auth');
}

/** A failure every request will meet until the user changes something: the keys, or a setting (an invalid endpoint). */
export function isSetupFailure(error: unknown): boolean {
  return isKeyFailure(error) || (error instanceof QianfanError && error.kind === 'invalidInput');
}
