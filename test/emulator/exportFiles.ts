/**
 * The emulator's export files: deterministic bytes of a chosen size per export, served over
 * plain GET at `/qianfan-export/<modelId>/<exportId>.tar.gz?issued=…&authorization=…` (a URL
 * signed by the emulator, like a pre-signed BOS link) with `Range` (206 + Content-Range), and
 * download faults: a drop mid-stream, a slow stream, a wrong md5, an expired URL (403), a
 * server that ignores Range, an error status.
 */
import { createHash, createHmac, randomBytes } from 'crypto';
import type * as http from 'http';

export interface DownloadFaults {
  /** Destroy the connection after this many body bytes of an answer… */
  dropAfterBytes?: number;
  /** …for this many answers (default 1). */
  dropTimes?: number;
  /** Send at most this many bytes per second. */
  bytesPerSecond?: number;
  /** DescribeModelExportTask gives an md5 that is not the bytes'. */
  wrongMd5?: boolean;
  /** A URL older than this answers 403 (as an expired pre-signed link). */
  expireAfterMs?: number;
  /** Answer 200 with the whole file to a Range request. */
  ignoreRange?: boolean;
  /** Answer this status to the next `times` GETs. */
  status?: { status: number; times: number };
}

export interface FileRequest {
  path: string;
  range?: string;
  status: number;
  /** Whether an Authorization header came (it never should). */
  authorization: boolean;
  query: string;
}

/** The repeating block is a little over 1 MiB, so that its seams never meet power-of-two offsets. */
const BLOCK = (1 << 20) + 7;
const PREFIX = '/qianfan-export/';

export class ExportFiles {
  faults: DownloadFaults = {};
  readonly requests: FileRequest[] = [];
  private readonly secret = randomBytes(16);
  private readonly blocks = new Map<string, Buffer>();
  private readonly md5s = new Map<string, string>();

  constructor(public bytes: number) {}

  /** The fields DescribeModelExportTask gives for a finished export. */
  describe(baseUrl: string, modelId: string, exportId: string, now: number): Record<string, unknown> {
    const md5 = this.md5(exportId);
    return {
      fileName: `${modelId}-${exportId}.tar.gz`,
      fileType: 'tar.gz',
      md5: this.faults.wrongMd5 ? createHash('md5').update(md5).digest('hex') : md5,
      fileSize: this.bytes,
      downloadUrl: this.urlFor(baseUrl, modelId, exportId, now),
    };
  }

  urlFor(baseUrl: string, modelId: string, exportId: string, now: number): string {
    const path = `${PREFIX}${modelId}/${exportId}.tar.gz`;
    return `${baseUrl}${path}?issued=${now}&authorization=${this.sign(path, String(now))}`;
  }

  /** The bytes [start, end) of an export's file. */
  content(exportId: string, start = 0, end = this.bytes): Buffer {
    const block = this.block(exportId);
    const out = Buffer.allocUnsafe(end - start);
    for (let o = start; o < end;) {
      const at = o % BLOCK;
      const n = Math.min(BLOCK - at, end - o);
      block.copy(out, o - start, at, at + n);
      o += n;
    }
    return out;
  }

  md5(exportId: string): string {
    let md5 = this.md5s.get(`${exportId}:${this.bytes}`);
    if (!md5) {
      const hash = createHash('md5');
      const block = this.block(exportId);
      for (let o = 0; o < this.bytes; o += BLOCK) {
        hash.update(block.subarray(0, Math.min(BLOCK, this.bytes - o)));
      }
      md5 = hash.digest('hex');
      this.md5s.set(`${exportId}:${this.bytes}`, md5);
    }
    return md5;
  }

  handles(req: http.IncomingMessage): boolean {
    return req.method === 'GET' && (req.url ?? '').startsWith(PREFIX);
  }

  serve(req: http.IncomingMessage, res: http.ServerResponse, now: number): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const record: FileRequest = {
      path: url.pathname,
      range: req.headers.range,
      status: 0,
      authorization: req.headers.authorization !== undefined,
      query: url.search,
    };
    this.requests.push(record);
    const answer = (status: number, body: string, headers: Record<string, string> = {}) => {
      record.status = status;
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers });
      res.end(body);
    };
    const exportId = /^\/qianfan-export\/amv-[a-z0-9]+\/(exp-[0-9a-f]+)\.tar\.gz$/.exec(url.pathname)?.[1];
    const issued = url.searchParams.get('issued') ?? '';
    if (!exportId || url.searchParams.get('authorization') !== this.sign(url.pathname, issued)) {
      return answer(403, '{"code":"AccessDenied","message":"Access denied: the URL signature does not match"}');
    }
    if (this.faults.expireAfterMs !== undefined && now - Number(issued) > this.faults.expireAfterMs) {
      return answer(403, '{"code":"RequestExpired","message":"The pre-signed URL has expired"}');
    }
    const status = this.faults.status;
    if (status && status.times > 0) {
      status.times--;
      return answer(status.status, `{"code":"Injected","message":"Injected HTTP ${status.status}"}`);
    }
    const range = this.faults.ignoreRange ? undefined : /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    let start = 0;
    let end = this.bytes;
    if (range) {
      start = Number(range[1]);
      end = range[2] ? Math.min(this.bytes, Number(range[2]) + 1) : this.bytes;
      if (start >= this.bytes || start >= end) {
        return answer(416, '{"code":"InvalidRange","message":"The requested range is not satisfiable"}', { 'content-range': `bytes */${this.bytes}` });
      }
    }
    record.status = range ? 206 : 200;
    res.writeHead(record.status, {
      'content-type': 'application/octet-stream',
      'content-length': String(end - start),
      'accept-ranges': 'bytes',
      ...(range ? { 'content-range': `bytes ${start}-${end - 1}/${this.bytes}` } : {}),
    });
    void this.stream(res, exportId, start, end);
  }

  private async stream(res: http.ServerResponse, exportId: string, start: number, end: number): Promise<void> {
    const block = this.block(exportId);
    const f = this.faults;
    const drop = f.dropAfterBytes !== undefined && (f.dropTimes ?? 1) > 0 ? f.dropAfterBytes : undefined;
    if (drop !== undefined) {
      f.dropTimes = (f.dropTimes ?? 1) - 1;
    }
    const step = f.bytesPerSecond ? Math.max(1024, Math.floor(f.bytesPerSecond / 20)) : 1 << 20;
    let sent = 0;
    for (let o = start; o < end && !res.destroyed;) {
      const at = o % BLOCK;
      let n = Math.min(BLOCK - at, end - o, step);
      if (drop !== undefined && sent + n >= drop) {
        n = drop - sent;
        res.write(block.subarray(at, at + n));
        setTimeout(() => res.socket?.destroy(), 5);
        return;
      }
      const more = res.write(block.subarray(at, at + n));
      o += n;
      sent += n;
      if (f.bytesPerSecond) {
        await new Promise((r) => setTimeout(r, (n * 1000) / f.bytesPerSecond!));
      } else if (!more) {
        await new Promise<void>((r) => {
          const done = () => {
            res.off('drain', done);
            res.off('close', done);
            r();
          };
          res.on('drain', done);
          res.on('close', done);
        });
      }
    }
    res.end();
  }

  private sign(path: string, issued: string): string {
    return createHmac('sha256', this.secret).update(`${path}\n${issued}`).digest('hex');
  }

  private block(exportId: string): Buffer {
    let block = this.blocks.get(exportId);
    if (!block) {
      block = Buffer.allocUnsafe(BLOCK);
      const seed = createHash('sha256').update(exportId).digest();
      for (let o = 0, i = 0; o < BLOCK; i++) {
        o += createHash('sha256').update(seed).update(String(i)).digest().copy(block, o);
      }
      this.blocks.set(exportId, block);
    }
    return block;
  }
}
