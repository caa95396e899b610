/** The download engine's HTTP adapter over Node's own http (src/node/nodeHttpDownload.ts), against small loopback servers. */
import * as assert from 'assert';
import { createHash } from 'crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import * as http from 'http';
import { type AddressInfo, type Socket } from 'net';
import { tmpdir } from 'os';
import * as path from 'path';
import { Downloader } from '../../src/core/download/engine';
import { DownloadError } from '../../src/core/download/errors';
import { PartialDownloadsStore } from '../../src/core/download/partialStore';
import { MemoryKeyValueStore } from '../../src/core/state/keyValueStore';
import { abortableSleep } from '../../src/core/qianfan/retry';
import { NodeDownloadFs } from '../../src/node/nodeDownloadFs';
import { NodeHttpDownload } from '../../src/node/nodeHttpDownload';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

async function serve(handler: Handler): Promise<{ url: string; seen: http.IncomingHttpHeaders[]; close: () => Promise<void> }> {
  const seen: http.IncomingHttpHeaders[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req.headers);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function readAll(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) {
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

const signal = () => new AbortController().signal;

describe('download: the HTTP adapter (Node http)', function () {
  this.timeout(10_000);

  it('streams the body with the status and lower-case headers, sending only the headers it is given', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(206, { 'Content-Range': 'bytes 2-4/5', 'X-Two': ['a', 'b'] });
      res.end('cde');
    });
    try {
      const r = await new NodeHttpDownload().get({
        url: `${s.url}/f?authorization=sig`,
        headers: { range: 'bytes=2-', 'accept-encoding': 'identity' },
        signal: signal(),
      });
      assert.strictEqual(r.status, 206);
      assert.strictEqual(r.headers['content-range'], 'bytes 2-4/5');
      assert.strictEqual(r.headers['x-two'], 'a, b');
      assert.strictEqual((await readAll(r.body)).toString(), 'cde');
      assert.strictEqual(s.seen[0].range, 'bytes=2-');
      assert.strictEqual(s.seen[0]['accept-encoding'], 'identity');
      assert.strictEqual(s.seen[0].authorization, undefined);
    } finally {
      await s.close();
    }
  });

  it('follows a redirect (keeping the Range), and refuses one to plain http off loopback', async () => {
    const s = await serve((req, res) => {
      if (req.url === '/a') {
        res.writeHead(302, { location: '/b?sig=2' });
        res.end();
      } else if (req.url === '/evil') {
        res.writeHead(307, { location: 'http://example.com/b' });
        res.end();
      } else {
        res.writeHead(200);
        res.end(`at ${req.url}`);
      }
    });
    try {
      const r = await new NodeHttpDownload().get({ url: `${s.url}/a`, headers: { range: 'bytes=1-' }, signal: signal() });
      assert.strictEqual(r.status, 200);
      assert.strictEqual((await readAll(r.body)).toString(), 'at /b?sig=2');
      assert.strictEqual(s.seen[1].range, 'bytes=1-');
      await assert.rejects(
        new NodeHttpDownload().get({ url: `${s.url}/evil`, headers: {}, signal: signal() }),
        (e: unknown) => e instanceof DownloadError && e.reason === 'badUrl',
      );
      assert.strictEqual(s.seen.length, 3, 'nothing was sent to the plain-http host');
    } finally {
      await s.close();
    }
  });

  it('gives up after a few redirects, and gives a redirect without a Location as it is', async () => {
    const s = await serve((req, res) => {
      res.writeHead(302, req.url === '/none' ? {} : { location: `/loop${s.seen.length}` });
      res.end();
    });
    try {
      await assert.rejects(
        new NodeHttpDownload({ maxRedirects: 2 }).get({ url: `${s.url}/loop`, headers: {}, signal: signal() }),
        /too many redirects \(more than 2\)/,
      );
      assert.strictEqual(s.seen.length, 3);
      const r = await new NodeHttpDownload().get({ url: `${s.url}/none`, headers: {}, signal: signal() });
      assert.strictEqual(r.status, 302);
      r.discard();
    } finally {
      await s.close();
    }
  });

  it('rejects when no answer comes in time, and when aborted before or while waiting', async () => {
    const s = await serve(() => undefined);
    try {
      await assert.rejects(
        new NodeHttpDownload({ responseTimeoutMs: 100 }).get({ url: `${s.url}/slow`, headers: {}, signal: signal() }),
        /no answer from the file server in 100 ms/,
      );
      const aborted = new AbortController();
      aborted.abort();
      await assert.rejects(new NodeHttpDownload().get({ url: `${s.url}/x`, headers: {}, signal: aborted.signal }), { name: 'AbortError' });
      const later = new AbortController();
      setTimeout(() => later.abort(), 50);
      await assert.rejects(new NodeHttpDownload().get({ url: `${s.url}/x`, headers: {}, signal: later.signal }), { name: 'AbortError' });
    } finally {
      await s.close();
    }
  });

  it('an abort or a dropped connection mid-body ends the body with an error; discard closes it', async () => {
    const s = await serve((req, res) => {
      res.writeHead(200, { 'content-length': '1000000' });
      res.write(Buffer.alloc(1000));
      if (req.url === '/drop') {
        setTimeout(() => res.socket?.destroy(), 20);
      }
    });
    try {
      const dropped = await new NodeHttpDownload().get({ url: `${s.url}/drop`, headers: {}, signal: signal() });
      await assert.rejects(readAll(dropped.body), 'a dropped connection');
      const controller = new AbortController();
      const aborted = await new NodeHttpDownload().get({ url: `${s.url}/hang`, headers: {}, signal: controller.signal });
      setTimeout(() => controller.abort(), 20);
      await assert.rejects(readAll(aborted.body), 'an abort');
      const discarded = await new NodeHttpDownload().get({ url: `${s.url}/hang`, headers: {}, signal: signal() });
      discarded.discard();
      const rest = await readAll(discarded.body).catch(() => Buffer.alloc(0));
      assert.ok(rest.length < 1000, 'nothing more is read after discard');
    } finally {
      await s.close();
    }
  });

  it('refused answers (404, 400, a redirect without a Location) leave no connection open: each body is discarded', async () => {
    const statuses = [404, 400, 302, 404, 400, 404];
    const open = new Set<Socket>();
    let asked = 0;
    const server = http.createServer((_req, res) => {
      const status = statuses[asked++ % statuses.length];
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(`refused with ${status}: ${'x'.repeat(2000)}`);
    });
    server.keepAliveTimeout = 60_000; // the server would keep an idle connection long after the test
    server.on('connection', (socket: Socket) => {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const dir = mkdtempSync(path.join(tmpdir(), 'qianfan-dl-refused-'));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/f?authorization=sig`;
      const downloader = new Downloader({
        http: new NodeHttpDownload(),
        fs: new NodeDownloadFs(),
        clock: { now: Date.now, sleep: abortableSleep },
        store: new PartialDownloadsStore(new MemoryKeyValueStore()),
      });
      const file = { modelId: 'amv-a1b2c3d4', md5: 'a'.repeat(32), fileSize: 100, downloadUrl: url };
      for (const status of statuses) {
        await assert.rejects(
          downloader.download({ file, target: path.join(dir, 'f.tar.gz'), overwrite: false, signal: signal(), refresh: () => Promise.resolve(file) }),
          (e: unknown) => e instanceof DownloadError && e.reason === 'http' && e.detail.status === status,
        );
      }
      assert.strictEqual(asked, statuses.length);
      // Closing is not instant: wait for the server's sockets to close, at most 2 s (they close in a few ms when discarded).
      const closed = Promise.all([...open].map((socket) => new Promise((resolve) => socket.once('close', resolve))));
      await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 2000))]);
      assert.strictEqual(open.size, 0, `${open.size} connection(s) still open after ${statuses.length} refused answers`);
      assert.deepStrictEqual(readdirSync(dir), [], 'nothing kept on disk');
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('download: the file system adapter (Node fs) never writes through a link', function () {
  this.timeout(10_000);
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'qianfan-dl-link-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a .part that is a link is refused (ELOOP), whether it leads to a file or nowhere yet; the file it leads to is untouched', async () => {
    const victim = path.join(dir, 'bashrc');
    writeFileSync(victim, 'keep me');
    symlinkSync(victim, path.join(dir, 'a.tar.gz.part'));
    symlinkSync(path.join(dir, 'not-yet'), path.join(dir, 'b.tar.gz.part'));
    const fs = new NodeDownloadFs();
    for (const name of ['a.tar.gz.part', 'b.tar.gz.part']) {
      await assert.rejects(fs.openForWrite(path.join(dir, name)), { code: 'ELOOP' }, name);
    }
    assert.strictEqual(readFileSync(victim, 'utf8'), 'keep me');
    assert.strictEqual(existsSync(path.join(dir, 'not-yet')), false, 'nothing created where the dangling link points');
    assert.notStrictEqual(await fs.size(path.join(dir, 'b.tar.gz.part')), undefined, 'a dangling link is something there');
  });

  it('a download whose .part name is a dangling link passes it over: the bytes go to another .part, nothing is created where the link points', async () => {
    const body = Buffer.from('the model export, verified by md5');
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': String(body.length) });
      res.end(body);
    });
    try {
      const target = path.join(dir, 'model-V1.tar.gz');
      const elsewhere = path.join(dir, 'elsewhere');
      symlinkSync(elsewhere, `${target}.part`);
      const logged: string[] = [];
      const downloader = new Downloader({
        http: new NodeHttpDownload(),
        fs: new NodeDownloadFs(),
        clock: { now: Date.now, sleep: abortableSleep },
        store: new PartialDownloadsStore(new MemoryKeyValueStore()),
        log: (line) => logged.push(line),
      });
      const file = {
        modelId: 'amv-a1b2c3d4',
        md5: createHash('md5').update(body).digest('hex'),
        fileSize: body.length,
        downloadUrl: `${s.url}/f?authorization=sig`,
      };
      await downloader.download({ file, target, overwrite: false, signal: signal(), refresh: () => Promise.resolve(file) });
      assert.deepStrictEqual(readFileSync(target), body);
      assert.strictEqual(existsSync(elsewhere), false, 'nothing written where the link points');
      assert.ok(
        logged.some((l) => l.includes(`${target}.part belongs to no remembered download`)),
        logged.join('\n'),
      );
      assert.deepStrictEqual(readdirSync(dir).sort(), ['model-V1.tar.gz', 'model-V1.tar.gz.part']);
    } finally {
      await s.close();
    }
  });
});
