/**
 * The one table that sorts Qianfan's error codes (and HTTP statuses, and failures with no
 * answer) into classes. Retry, reconciliation and the messages shown to the user all read it.
 */

export type ErrorClass =
  | 'auth' // the keys or the signature were refused: fix the keys
  | 'permission' // the key lacks a policy, or the service is not activated
  | 'notFound' // the model or version does not exist
  | 'throttled' // too many requests: the service did not act; wait and repeat
  | 'transient' // an internal error, a gateway, a dropped connection or a timeout: the service may have acted
  | 'expired' // RequestExpired: the signing time was refused (clock skew); the service did not act
  | 'other'; // anything else: an answer that another try will not change

const CODE_CLASSES: Readonly<Record<string, ErrorClass>> = {
  SignatureDoesNotMatch: 'auth',
  InvalidAccessKeyId: 'auth',
  InvalidHTTPAuthHeader: 'auth',
  AccessDenied: 'permission',
  PermissionDeniedError: 'permission',
  OptInRequired: 'permission',
  ResourceNotFound: 'notFound',
  NoSuchObject: 'notFound',
  NotFound: 'notFound',
  TooManyRequests: 'throttled',
  RequestLimitExceeded: 'throttled',
  QpsLimitReached: 'throttled',
  '18': 'throttled', // legacy: QPS limit reached
  '336100': 'throttled', // legacy: server high load
  InternalError: 'transient',
  ServiceUnavailable: 'transient',
  '500000': 'transient', // legacy: console internal error
  RequestExpired: 'expired',
};

/** What the classifier needs to know about a failure. */
export interface ClassifiableError {
  readonly kind: string;
  readonly status?: number;
  readonly code?: string;
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
  return status !== undefined && status >= 500 && status <= 599 ? 'transient' : 'other';
}

/** The class of a failure: by code first, then by HTTP status; no answer at all is transient. */
export function classifyError(error: ClassifiableError): ErrorClass {
  if (error.kind === 'network' || error.kind === 'timeout') {
    return 'transient';
  }
  if (error.kind !== 'api') {
    return 'other';
  }
  const code = error.code ?? '';
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
