/** Turns one HTTP answer into a `result` value or a QianfanError. */
import { QianfanError } from './errors';
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

export function interpretResponse(action: string, response: HttpResponse, nowMs: number): unknown {
  const { status, headers } = response;
  const headerRequestId = headers['x-bce-request-id'];
  const date = headers['date'] ? Date.parse(headers['date']) : NaN;
  const common = {
    action,
    status,
    serverDate: Number.isNaN(date) ? undefined : date,
    retryAfterMs: retryAfterMs(headers, nowMs),
  };
  let body: unknown;
  try {
    body = JSON.parse(response.body);
  } catch {
    throw new QianfanError({
      ...common,
      kind: isSuccess(status) ? 'badResponse' : 'api',
      code: headers['x-bce-error-code'],
      requestId: headerRequestId,
      message: `HTTP ${status} with ${describeNonJson(response)}`,
      answer: response.body.trim() === '' ? 'empty' : /^\s*</.test(response.body) || /html/i.test(response.headers['content-type'] ?? '') ? 'html' : 'text',
    });
  }
  const envelope = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
  const requestId = typeof envelope?.requestId === 'string' ? envelope.requestId : headerRequestId;
  const code = scalarText(envelope?.code) ?? scalarText(envelope?.error_code) ?? headers['x-bce-error-code'];
  if (!isSuccess(status) || (envelope && code !== undefined && code !== '' && code !== '0')) {
    const message = scalarText(envelope?.message) ?? scalarText(envelope?.error_msg) ?? headers['x-bce-error-message'] ?? statusText(status);
    throw new QianfanError({ ...common, kind: 'api', code, requestId, message });
  }
  if (!envelope || !('result' in envelope)) {
    throw new QianfanError({ ...common, kind: 'badResponse', requestId, message: 'the answer has no "result"' });
  }
  return envelope.result;
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
