/**
 * The download engine's StreamingHttp over node-fetch: no custom agent (VS Code's proxy support
 * applies), TLS verification on, no redirects followed (a redirect is an answer the engine
 * judges), no decompression (byte ranges are of the stored file). Only the headers the engine
 * gives are sent: never the Qianfan Authorization.
 */
import fetch from 'node-fetch';
import { type GetRequest, type GetResponse, type StreamingHttp } from '../core/download/types';

export class NodeFetchDownload implements StreamingHttp {
  async get(request: GetRequest): Promise<GetResponse> {
    const response = await fetch(request.url, {
      method: 'GET',
      headers: request.headers,
      signal: request.signal,
      redirect: 'manual',
      compress: false,
    });
    const body = response.body;
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      headers[name.toLowerCase()] = value;
    });
    return {
      status: response.status,
      headers,
      body: (body ?? (async function* () {})()) as AsyncIterable<Uint8Array>,
      discard: () => {
        if (body && 'destroy' in body && typeof body.destroy === 'function') {
          (body.destroy as () => void).call(body);
        }
      },
    };
  }
}
