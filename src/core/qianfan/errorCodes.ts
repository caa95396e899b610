/**
 * The one table that sorts Qianfan's error codes (and HTTP statuses, the error messages Baidu
 * sends in the `X-Bce-Error-Message` header, and failures with no answer) into classes. Retry,
 * reconciliation and the messages shown to the user all read it.
 *
 * Facts (docs/qianfan-api.md §4, §6 "Dialects"):
 * - an unknown AK is 400 `InvalidHTTPAuthHeader` (Qianfan's table), 403 `InvalidAccessKeyId`
 *   (BCE's table), or a 403 with an empty body and `X-Bce-Error-Message: NotFound, cause: Could
 *   not find credential.` (what the Python SDK matches): the code `NotFound` names a credential
 *   there, so a message about a credential decides before the code does;
 * - a wrong SK is `SignatureDoesNotMatch`, in the body or only as the header message;
 * - throttling: 429, 400 `QuotaLimitExceeded`, or a legacy numeric `error_code` (4 cluster, 18
 *   QPS, 336100 high load, 336501 RPM, 336502 TPM: a few seconds lift them); the legacy 17
 *   (daily) and 19 (total) are quotas that waiting does not lift;
 * - a missing version has no documented code: 404 with some code, or 400
 *   `InvalidRequestArgumentError` / `InappropriateJSON`. 'notFound' is therefore at most a
 *   reason to look (core/presence.ts), never proof that something is gone.
 */

export type ErrorClass =
  | 'auth' // the keys or the signature were refused: fix the keys
  | 'permission' // the key lacks a policy, or the service is not activated
  | 'notFound' // the service says it does not know the model or version: a reason to look, not proof
  | 'throttled' // too many requests: the service did not act; wait and repeat
  | 'quota' // a daily or total quota is used up: the service did not act, and waiting seconds will not help
  | 'transient' // an internal error, a gateway, a dropped connection or a timeout: the service may have acted
  | 'expired' // RequestExpired: the signing time was refused (clock skew); the service did not act
  | 'other'; // anything else (an invalid request among them): an answer that another try will not change

/**
 * The codes whose class is not said otherwise: the refused keys (SignatureDoesNotMatch,
 * InvalidAccessKeyId, InvalidHTTPAuthHeader) are told by authFailure, and every code that says
 * "not found" (ResourceNotFound, NoSuchObject, NotFound, …) by its words.
 */
const CODE_CLASSES: Readonly<Record<string, ErrorClass>> = {
  AccessDenied: 'permission',
  PermissionDeniedError: 'permission',
  OptInRequired: 'permission',
  TooManyRequests: 'throttled',
  RequestLimitExceeded: 'throttled',
  QpsLimitReached: 'throttled',
  QuotaLimitExceeded: 'throttled',
  '4': 'throttled', // legacy: the cluster's request limit
  '18': 'throttled', // legacy: QPS limit reached
  '336100': 'throttled', // legacy: server high load
  '336501': 'throttled', // legacy: RPM limit reached
  '336502': 'throttled', // legacy: TPM limit reached
  '17': 'quota', // legacy: daily request limit reached
  '19': 'quota', // legacy: total request limit reached
  InternalError: 'transient',
  ServiceUnavailable: 'transient',
  '500000': 'transient', // legacy: console internal error
  RequestExpired: 'expired',
  InvalidRequestArgumentError: 'other',
  InappropriateJSON: 'other',
};

/** What the classifier needs to know about a failure. */
export interface ClassifiableError {
  readonly kind: string;
  readonly status?: number;
  readonly code?: string;
  /** The server's message (the body's, else the `X-Bce-Error-Message` header). */
  readonly message?: string;
  /** The `X-Bce-Error-Message` header, when the answer carried one. */
  readonly headerMessage?: string;
}

/** Which key an authentication failure refused. */
export type AuthFailure = 'unknownAccessKey' | 'wrongSecretKey';

const UNKNOWN_AK_MESSAGE = /could not find credential|access key id you provided does ?not ?exist/i;
const WRONG_SK_MESSAGE = /signature does not match/i;

/** Whether the server's words (its message, or the header's) say this. */
function says(error: ClassifiableError, words: RegExp): boolean {
  return [error.message, error.headerMessage].some((m) => words.test(String(m)));
}

/**
 * Whether the service refused the access key (it does not know it) or the secret key (the
 * signature did not match), in any of the forms Baidu's sources allow; undefined otherwise.
 */
export function authFailure(error: ClassifiableError): AuthFailure | undefined {
  if (error.kind !== 'api') {
    return undefined;
  }
  if (says(error, UNKNOWN_AK_MESSAGE) || error.code === 'InvalidAccessKeyId' || error.code === 'InvalidHTTPAuthHeader') {
    return 'unknownAccessKey';
  }
  if (says(error, WRONG_SK_MESSAGE) || error.code === 'SignatureDoesNotMatch') {
    return 'wrongSecretKey';
  }
  return undefined;
}

function statusClass(status: number | undefined): ErrorClass {
  if (status === 401) {
    return 'auth';
  }
  if (status === 403) {
    return 'permission';
  }
  if (status === 404) {
    return 'notFound';
  }
  if (status === 429) {
    return 'throttled';
  }
  const s = status ?? 0;
  return s >= 500 && s <= 599 ? 'transient' : 'other';
}

/**
 * The class of a failure: a refused key by the server's words first (whatever the code), then
 * by code, then by HTTP status; no answer at all is transient.
 */
export function classifyError(error: ClassifiableError): ErrorClass {
  if (error.kind === 'network' || error.kind === 'timeout') {
    return 'transient';
  }
  if (error.kind !== 'api') {
    return 'other';
  }
  if (authFailure(error) !== undefined) {
    return 'auth';
  }
  const code = String(error.code); // 'undefined' when there is none: no class, no match
  const known = Object.prototype.hasOwnProperty.call(CODE_CLASSES, code) ? CODE_CLASSES[code] : undefined;
  if (known) {
    return known;
  }
  if (/NotFound|NoSuch|NotExist/i.test(code)) {
    return 'notFound';
  }
  return statusClass(error.status);
}

/** The service surely did not act: a repeat cannot do anything twice. */
export function isRejectedClass(c: ErrorClass): boolean {
  return c === 'throttled' || c === 'expired';
}
