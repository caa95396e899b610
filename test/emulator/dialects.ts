/**
 * The emulator's dialects: every answer Baidu's pages and SDKs allow for the same question
 * (docs/qianfan-api.md §6). The emulator is our reading of Qianfan, not Qianfan: where the
 * sources allow several answers, it can speak each, and the tests run under each.
 */

export interface Dialect {
  /** Where an error is: a JSON body `{requestId, code, message}`, or an empty body with the `X-Bce-Error-Code` / `X-Bce-Error-Message` headers. */
  readonly errors: 'body' | 'headers';
  /**
   * An unknown access key: 403 `InvalidAccessKeyId` (BCE's table), 400 `InvalidHTTPAuthHeader`
   * "The Access Key ID you provided does notexist in our records." (Qianfan's table), or a 403 with
   * an empty body and `X-Bce-Error-Message: NotFound, cause: Could not find credential.` (the SDK's).
   */
  readonly unknownAccessKey: 'invalidAccessKeyId' | 'invalidHTTPAuthHeader' | 'credentialHeader';
  /** A missing version or model (undocumented): 404 `ResourceNotFound`, or 400 `InvalidRequestArgumentError`. */
  readonly missing: 'notFound404' | 'invalidArgument400';
  /** Throttling (undocumented for /v2): 429 `TooManyRequests`, 400 `QuotaLimitExceeded`, or the legacy `error_code` 18 in a 200. */
  readonly throttle: 'status429' | 'quotaLimitExceeded' | 'legacyErrorCode';
  /** Whether a throttled answer carries `Retry-After` / `retry-after-ms`. */
  readonly retryAfter: boolean;
  /**
   * A failed export ("不包含失败任务"): `status: Fail`; hidden (`hasRecord: false`); or hidden
   * behind an older export of the same version (its record, another `exportId`), when there is one.
   */
  readonly failedExport: 'fail' | 'hidden' | 'older';
  /** DescribeServices: one list whatever `protocolVersion`, or each protocol version's services on their own (1 by default). */
  readonly services: 'one' | 'split';
  /** DescribeService: the doc's `modelId` (the version), or the SDK mock's `modelVersionId` (with `modelId` the `am-…` model). */
  readonly serviceDetail: 'doc' | 'sdk';
  /** Whether every answer carries `X-Ratelimit-Limit-Requests` (requests per minute) when a rate limit is set. */
  readonly rateHeader: boolean;
}

export const DIALECTS = {
  /** What the emulator always answered (our first reading). */
  today: {
    errors: 'body',
    unknownAccessKey: 'invalidAccessKeyId',
    missing: 'notFound404',
    throttle: 'status429',
    retryAfter: true,
    failedExport: 'fail',
    services: 'one',
    serviceDetail: 'doc',
    rateHeader: false,
  },
  /** Qianfan's own pages: its error table, its throttling code, its export and services pages. */
  documented: {
    errors: 'body',
    unknownAccessKey: 'invalidHTTPAuthHeader',
    missing: 'invalidArgument400',
    throttle: 'quotaLimitExceeded',
    retryAfter: false,
    failedExport: 'hidden',
    services: 'split',
    serviceDetail: 'doc',
    rateHeader: false,
  },
  /** What the official SDK (bce-qianfan-sdk) matches and mocks: errors in headers, legacy codes. */
  sdk: {
    errors: 'headers',
    unknownAccessKey: 'credentialHeader',
    missing: 'notFound404',
    throttle: 'legacyErrorCode',
    retryAfter: false,
    failedExport: 'older',
    services: 'split',
    serviceDetail: 'sdk',
    rateHeader: true,
  },
} as const satisfies Record<string, Dialect>;

export type DialectName = keyof typeof DIALECTS;
export const DIALECT_NAMES = Object.keys(DIALECTS) as DialectName[];

export function dialectNamed(name: string): Dialect {
  if (!Object.prototype.hasOwnProperty.call(DIALECTS, name)) {
    throw new Error(`unknown dialect "${name}" (one of ${DIALECT_NAMES.join(', ')})`);
  }
  return DIALECTS[name as DialectName];
}
