/**
 * HttpTransport over node-fetch. No custom agent (so VS Code's proxy support applies) and
 * TLS verification stays on. The body is read with a byte cap: an answer that declares or
 * sends more is dropped at once (the request is aborted and the socket destroyed), never
 * drained, so an over-large or endless answer can exhaust neither memory nor the connection.
 */
import fetch, { type FetchError } from 'node-fetch';
import { QianfanError } from '../core/qianfan/errors';
import { type HttpRequest, type HttpResponse, type HttpTransport } from '../core/qianfan/http';

type Body = NodeJS.ReadableStream;

/** node-fetch's body is a Node Readable: destroy() ends it (and what is piped into it). */
function destroy(body: Body | null): void {
  if (body && 'destroy' in body && typeof body.destroy === 'function') {
    (body.destroy as () => void).call(body);
  }
}

function tooLarge(status: number | undefined, message: string): QianfanError {
  return new QianfanError({ kind: 'tooLarge', status, message });
}

async function readCapped(body: Body | null, cap: number, status: number, drop: () => void): Promise<string> {
  if (!body) {
    return '';
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer | string>) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buf.length;
    if (size > cap) {
      drop();
      throw tooLarge(status, `the answer is larger than ${cap} bytes`);
    }
    chunks.push(buf);
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
    // Our own abort, to drop an answer over the cap: it ends the request and its socket.
    const dropper = new AbortController();
    let dropped = false;
    try {
      const response = await fetch(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        signal: AbortSignal.any([request.signal, dropper.signal]),
        redirect: 'manual',
        compress: true,
      });
      const body = response.body;
      const drop = () => {
        dropped = true;
        destroy(body);
        dropper.abort();
      };
      const declared = Number(response.headers.get('content-length') ?? NaN);
      if (Number.isFinite(declared) && declared > request.maxResponseBytes) {
        drop();
        throw tooLarge(response.status, `the answer is ${declared} bytes, over the ${request.maxResponseBytes}-byte cap`);
      }
      const text = await readCapped(body, request.maxResponseBytes, response.status, drop);
      const headers: Record<string, string> = {};
      response.headers.forEach((value, name) => {
        headers[name.toLowerCase()] = value;
      });
      return { status: response.status, headers, body: text };
    } catch (error) {
      if (dropped && !(error instanceof QianfanError)) {
        throw tooLarge(undefined, `the answer is larger than ${request.maxResponseBytes} bytes`);
      }
      throw toQianfanError(error);
    }
  }
}
