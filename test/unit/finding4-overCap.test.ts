/**
 * Finding 4: an answer over the cap is dropped, not drained. Hand-made loopback servers that
 * declare 200 GB (or send no length) and then stream until the socket closes, for 3 s at most.
 */
import * as assert from 'assert';
import * as http from 'http';
import { type AddressInfo } from 'net';
import { QianfanError } from '../../src/core/qianfan/errors';
import { NodeFetchTransport } from '../../src/node/nodeFetchTransport';

interface Streamer {
  url: string;
  written: () => number;
  closed: Promise<number>;
  stop: () => Promise<void>;
}

/** Streams 64 KiB chunks as fast as the socket takes them, until it closes or 3 s pass. */
async function startStreamer(headers: http.OutgoingHttpHeaders): Promise<Streamer> {
  let written = 0;
  let markClosed: (at: number) => void = () => undefined;
  const closed = new Promise<number>((resolve) => (markClosed = resolve));
  const chunk = Buffer.alloc(64 * 1024, 'x');
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', ...headers });
    const deadline = Date.now() + 3000;
    const pump = () => {
      while (!res.destroyed && Date.now() < deadline) {
        written += chunk.length;
        if (!res.write(chunk)) {
          res.once('drain', pump);
          return;
        }
      }
      res.destroy();
    };
    res.socket?.once('close', () => markClosed(Date.now()));
    pump();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v2/model?Action=DescribeModel`,
    written: () => written,
    closed,
    stop: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

async function sendTo(url: string, cap: number): Promise<{ error: unknown; ms: number }> {
  const started = Date.now();
  try {
    await new NodeFetchTransport().send({ url, method: 'POST', headers: {}, body: '{}', signal: new AbortController().signal, maxResponseBytes: cap });
  } catch (error) {
    return { error, ms: Date.now() - started };
  }
  assert.fail('expected tooLarge');
}

describe('finding 4: an answer over the cap is dropped', () => {
  let s: Streamer | undefined;
  afterEach(async () => {
    await s?.stop();
    s = undefined;
  });

  it('Content-Length 200 GB: tooLarge at once, and the socket is destroyed after few bytes', async () => {
    s = await startStreamer({ 'content-length': String(200 * 1024 ** 3) });
    const { error, ms } = await sendTo(s.url, 1024 * 1024);
    assert.ok(error instanceof QianfanError && error.kind === 'tooLarge', String(error));
    assert.strictEqual(error.status, 200);
    assert.match(error.message, /214748364800 bytes, over the 1048576-byte cap/);
    const closedAt = await s.closed;
    assert.ok(closedAt - Date.now() < 1000 && ms < 1000, `${ms} ms`);
    assert.ok(s.written() < 32 * 1024 * 1024, `${s.written()} bytes written before the socket closed`);
  });

  it('no Content-Length and an endless body: tooLarge past the cap, and the socket is destroyed', async () => {
    s = await startStreamer({});
    const started = Date.now();
    const { error } = await sendTo(s.url, 256 * 1024);
    assert.ok(error instanceof QianfanError && error.kind === 'tooLarge', String(error));
    assert.match(error.message, /larger than 262144 bytes/);
    const closedAt = await s.closed;
    assert.ok(closedAt - started < 1500, `${closedAt - started} ms`);
    assert.ok(s.written() < 32 * 1024 * 1024, `${s.written()} bytes written before the socket closed`);
  });
});
