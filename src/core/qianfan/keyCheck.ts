/**
 * Keys checked when they are entered: what was pasted is looked at first (an application API
 * Key or an empty box), then one signed read call tells apart the outcomes a user can act on.
 * The core returns codes only; the UI words them.
 *
 * Facts (docs/qianfan-api.md §3.10, §4, §6): an unknown AK is 400 `InvalidHTTPAuthHeader`
 * (Qianfan's table), 403 `InvalidAccessKeyId` (BCE's), or a 403 with an empty body and the header
 * message "NotFound, cause: Could not find credential." (the SDK's); a wrong SK is
 * `SignatureDoesNotMatch`, in the body or only in the header message (errorCodes.authFailure);
 * a key without the policy is 403 `AccessDenied` or 400 `PermissionDeniedError`; a timestamp the
 * service does not accept is 400 `RequestExpired` (the client corrects a skewed clock once, from
 * the answer's Date header). An application API Key (`bce-v3/ALTAK-…/…`) authenticates the
 * inference APIs only; managing models needs the IAM Access Key / Secret Key.
 */
import { authFailure } from './errorCodes';
import { QianfanError, isCancelled } from './errors';
import { READ_POLICIES } from './permissions';

export { READ_POLICIES };

/** A clock off by more than this is worth telling even when the client corrected it. */
export const NOTABLE_CLOCK_SKEW_MS = 60_000;

export type KeyFormatProblem = 'empty' | 'apiKey' | 'format';

export type KeyCheckOutcome =
  | { readonly kind: 'ok'; readonly clockSkewMs?: number }
  /** The service does not know the AK; `appKey`: it has the shape of an application's API Key. */
  | { readonly kind: 'unknownAccessKey'; readonly appKey: boolean }
  | { readonly kind: 'wrongSecretKey' }
  | { readonly kind: 'permission'; readonly policies: readonly string[]; readonly requestId?: string }
  | { readonly kind: 'clockSkew'; readonly clockSkewMs?: number }
  | { readonly kind: 'network'; readonly timeout: boolean }
  | { readonly kind: 'endpoint' }
  | { readonly kind: 'failed'; readonly status?: number; readonly code?: string; readonly requestId?: string };

/** An application API Key of the v3 kind: "bce-v3/ALTAK-…/…". */
export function isApiKey(value: string): boolean {
  return /^\s*bce-v3\//i.test(value);
}

/**
 * Whether an AK has the shape of a Qianfan application's API Key (the old `access_token` kind):
 * 24 letters and digits. IAM access keys are 32 hex digits or start with "ALTAK".
 */
export function looksLikeAppKey(accessKeyId: string): boolean {
  return /^[A-Za-z0-9]{24}$/.test(accessKeyId) && !/^ALTAK/i.test(accessKeyId);
}

/** What is wrong with a typed access key or secret key before anything is sent, or undefined. */
export function keyFormatProblem(value: string): KeyFormatProblem | undefined {
  const key = value.trim();
  if (key === '') {
    return 'empty';
  }
  if (isApiKey(key)) {
    return 'apiKey';
  }
  return /^[A-Za-z0-9]{16,128}$/.test(key) ? undefined : 'format';
}

/** The outcome of the check call's failure. A cancel is thrown on, not classified. */
export function classifyKeyFailure(error: unknown, accessKeyId: string, now: number = Date.now()): KeyCheckOutcome {
  if (isCancelled(error)) {
    throw error;
  }
  if (!(error instanceof QianfanError)) {
    return { kind: 'failed' };
  }
  if (error.kind === 'network' || error.kind === 'timeout') {
    return { kind: 'network', timeout: error.kind === 'timeout' };
  }
  if (error.kind === 'invalidInput') {
    return { kind: 'endpoint' };
  }
  const refused = authFailure(error);
  if (refused === 'unknownAccessKey') {
    return { kind: 'unknownAccessKey', appKey: looksLikeAppKey(accessKeyId) };
  }
  if (refused === 'wrongSecretKey') {
    return { kind: 'wrongSecretKey' };
  }
  const code = error.code ?? '';
  if (code === 'AccessDenied' || code === 'PermissionDeniedError') {
    return { kind: 'permission', policies: READ_POLICIES, requestId: error.requestId };
  }
  if (code === 'RequestExpired') {
    return { kind: 'clockSkew', clockSkewMs: error.serverDate === undefined ? undefined : error.serverDate - now };
  }
  return { kind: 'failed', status: error.status, code: error.code, requestId: error.requestId };
}

/**
 * Runs the check: `read` is one signed read call with the keys being checked; `skew` gives what
 * the client learnt of the clock on the way (it corrects a skewed clock by itself).
 */
export async function checkKeys(accessKeyId: string, read: () => Promise<unknown>, skew: () => number | undefined): Promise<KeyCheckOutcome> {
  try {
    await read();
  } catch (error) {
    return classifyKeyFailure(error, accessKeyId);
  }
  const clockSkewMs = skew();
  return clockSkewMs !== undefined && Math.abs(clockSkewMs) > NOTABLE_CLOCK_SKEW_MS ? { kind: 'ok', clockSkewMs } : { kind: 'ok' };
}
