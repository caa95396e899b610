/**
 * HttpTransport over node-fetch. No custom agent (so VS Code's proxy support applies) and
 * TLS verification stays on. The body is read with a byte cap, so an over-large or endless
 * answer cannot exhaust memory.
 */
import fetch, { type FetchError } from 'node-fetch';
import { QianfanError } from '../core/errors';
import { type HttpRequest, type HttpResponse, type HttpTransport } from '../core/http';

async function readCapped(body: NodeJS.ReadableStream | null, cap: number, signal: AbortSignal): Promise<string> {
  if (!body) {
    return '';
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer | string>) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buf.length;
    if (size > cap) {
      (body as unknown as { destroy?: () => void }).destroy?.();
      throw new QianfanError({ kind: 'tooLarge', message: `the answer is larger than ${cap} bytes` });
    }
    chunks.push(buf);
    if (signal.aborted) {
      throw signal.reason ?? new Error('aborted');
    }
  }
  return Buffer.concat(chunks).toString('utf8');
}

function toQianfanError(error: unknown): unknown {
  if (error instanceof QianfanError || (error instanceof Error && error.name === 'AbortError')) {
    return error;
  }
  const e = error as FetchError & { code?: string };
  if (e?.code === 'ERR_STREAM_PREMATURE_CLOSE' || /premature close|aborted|truncated/i.test(e?.message ?? '')) {
    return new QianfanError({ kind: 'badResponse', message: 'the connection closed before the whole answer arrived', cause: error });
  }
  const reason = e?.code ? `${e.code}` : (e?.message ?? String(error));
  return new QianfanError({ kind: 'network', message: `could not reach the service (${reason})`, cause: error });
}

export class NodeFetchTransport implements HttpTransport {
  async send(request: HttpRequest): Promise<HttpResponse> {
    try {
      const response = await fetch(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        signal: request.signal,
        redirect: 'manual',
        compress: true,
      });
      const declared = Number(response.headers.get('content-length'));
      if (Number.isFinite(declared) && declared > request.maxResponseBytes) {
        response.body?.resume?.();
        throw new QianfanError({
          kind: 'tooLarge',
          status: response.status,
          message: `the answer is ${declared} bytes, over the ${request.maxResponseBytes}-byte cap`,
        });
      }
      const body = await readCapped(response.body, request.maxResponseBytes, request.signal);
      const headers: Record<string, string> = {};
      response.headers.forEach((value, name) => {
        headers[name.toLowerCase()] = value;
      });
      return { status: response.status, headers, body };
    } catch (error) {
      throw toQianfanError(error);
    }
  }
}
