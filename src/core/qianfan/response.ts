/** Turns one HTTP answer into a `result` value or a QianfanError. */
import { type NonJsonAnswer, QianfanError } from './errors';
import { type HttpResponse } from './http';
import { retryAfterMs } from './retry';

function describeNonJson(response: HttpResponse): string {
  const type = response.headers['content-type'] ?? 'no content type';
  if (response.body.trim() === '') {
    return `an empty body (${type})`;
  }
  const html = /^\s*</.test(response.body) || /html/i.test(type);
  return html ? `an HTML page instead of JSON (${type}); a proxy or gateway may be in the way` : `a body that is not valid JSON (${type}); it may be truncated`;
}

/**
 * The code a header message starts with: Baidu's gateway writes "NotFound, cause: Could not find
 * credential." or "SignatureDoesNotMatch, cause: …" in `X-Bce-Error-Message`.
 */
export function codeOfHeaderMessage(message: string | undefined): string | undefined {
  const m = message === undefined ? null : /^\s*([A-Za-z][A-Za-z0-9]{1,63})\s*,\s*cause\s*:/.exec(message);
  return m ? m[1] : undefined;
}

function nonJsonKind(response: HttpResponse): NonJsonAnswer {
  if (response.body.trim() === '') {
    return 'empty';
  }
  return /^\s*</.test(response.body) || /html/i.test(response.headers['content-type'] ?? '') ? 'html' : 'text';
}

/**
 * The result of an answer, or its failure as a QianfanError. An error is read where Baidu may
 * put it: the JSON body (`code`/`message`, or the legacy `error_code`/`error_msg`) first, then
 * the headers `X-Bce-Error-Code` and `X-Bce-Error-Message` (kept as the server's words).
 */
export function interpretResponse(action: string, response: HttpResponse, nowMs: number): unknown {
  const { status, headers } = response;
  const headerRequestId = headers['x-bce-request-id'];
  const headerMessage = nonEmpty(headers['x-bce-error-message']);
  const headerCode = nonEmpty(headers['x-bce-error-code']) ?? codeOfHeaderMessage(headerMessage);
  const date = headers['date'] ? Date.parse(headers['date']) : NaN;
  const common = {
    action,
    status,
    serverDate: Number.isNaN(date) ? undefined : date,
    retryAfterMs: retryAfterMs(headers, nowMs),
    headerMessage,
  };
  let body: unknown;
  try {
    body = JSON.parse(response.body);
  } catch {
    const fromBaidu = headerCode !== undefined || headerMessage !== undefined;
    throw new QianfanError({
      ...common,
      kind: isSuccess(status) ? 'badResponse' : 'api',
      code: headerCode,
      requestId: headerRequestId,
      message: headerMessage ?? `HTTP ${status} with ${describeNonJson(response)}`,
      // an answer whose headers carry Baidu's error is Baidu's answer, whatever its body
      answer: fromBaidu && !isSuccess(status) ? undefined : nonJsonKind(response),
    });
  }
  const envelope = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
  const requestId = typeof envelope?.requestId === 'string' ? envelope.requestId : headerRequestId;
  const code = scalarText(envelope?.code) ?? scalarText(envelope?.error_code) ?? headerCode;
  if (!isSuccess(status) || (envelope && code !== undefined && code !== '' && code !== '0')) {
    const message = scalarText(envelope?.message) ?? scalarText(envelope?.error_msg) ?? headerMessage ?? statusText(status);
    throw new QianfanError({ ...common, kind: 'api', code, requestId, message });
  }
  if (!envelope || !('result' in envelope)) {
    throw new QianfanError({ ...common, kind: 'badResponse', requestId, message: 'the answer has no "result"' });
  }
  return envelope.result;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

/** Only a 2xx answer can carry a result: a redirect (3xx) is not followed and not taken as success. */
function isSuccess(status: number): boolean {
  return status >= 200 && status <= 299;
}

function statusText(status: number): string {
  return status >= 300 && status <= 399 ? `HTTP ${status}: a redirect, which is not followed` : `HTTP ${status}`;
}

/** Only strings and numbers are taken from an error body; an object there is ignored. */
function scalarText(value: unknown): string | undefined {
  return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value)) ? String(value) : undefined;
}
