/**
 * The network half of a download: GET with `Range` from where the file stands, retried after a
 * dropped or stalled connection (from the same byte), with a fresh URL when the old one has
 * expired (401 / 403 / 410), and restarted from zero when the server ignores the Range.
 */
import { CancelledError } from '../qianfan/errors';
import { DownloadError } from './errors';
import { urlForLog } from './url';
import { type BlockWriter } from './writer';
import { type Clock, type DownloadProgress, type GetResponse, type StreamingHttp } from './types';

export interface TransferOptions {
  readonly http: StreamingHttp;
  readonly clock: Clock;
  readonly fileSize: number;
  readonly signal: AbortSignal;
  /** A fresh download URL for the same export (DescribeModelExportTask). */
  readonly freshUrl: () => Promise<string>;
  /** Truncates the file to zero and gives a writer (and hasher) from byte 0. */
  readonly restart: () => Promise<BlockWriter>;
  readonly onProgress?: (p: DownloadProgress) => void;
  /** Called about once a second with the bytes known to be on disk. */
  readonly onCheckpoint?: (committed: number) => void;
  readonly log?: (line: string) => void;
  /** Failed attempts in a row (without a byte of progress) before giving up. */
  readonly maxRetries?: number;
  readonly retryDelayMs?: number;
  /** No byte for this long counts as a dropped connection. */
  readonly stallMs?: number;
  readonly maxUrlRefreshes?: number;
  readonly progressIntervalMs?: number;
}

export interface TransferStats {
  attempts: number;
  urlRefreshes: number;
  restarts: number;
}

/** A write failed: the disk, not the network; never retried here. */
export class WriteFailure extends Error {
  constructor(cause: unknown) {
    super('write failed', { cause });
  }
}

const EXPIRED = new Set([401, 403, 410]);
const TRANSIENT = (status: number) => status === 408 || status === 429 || status >= 500;

export async function transfer(first: BlockWriter, url: string, o: TransferOptions): Promise<{ writer: BlockWriter; stats: TransferStats }> {
  let writer = first;
  const stats: TransferStats = { attempts: 0, urlRefreshes: 0, restarts: 0 };
  const meter = new RateMeter(o.clock, writer.position, o.fileSize);
  let failures = 0;
  while (writer.position < o.fileSize) {
    if (o.signal.aborted) {
      throw new CancelledError();
    }
    stats.attempts++;
    const before = writer.position;
    const outcome = await attempt(writer, url, o, meter).catch((error: unknown) => {
      if (o.signal.aborted) {
        throw new CancelledError();
      }
      if (error instanceof WriteFailure || error instanceof DownloadError) {
        throw error;
      }
      return { kind: 'retry' as const, why: error instanceof Error ? error.message : String(error) };
    });
    if (outcome.kind === 'expired') {
      if (stats.urlRefreshes++ >= (o.maxUrlRefreshes ?? 3)) {
        throw new DownloadError('http', `the file server still refuses the download after ${stats.urlRefreshes - 1} fresh URLs (HTTP ${outcome.status})`, {
          status: outcome.status,
        });
      }
      o.log?.(`The download URL was refused (HTTP ${outcome.status}, expired?): asking Qianfan for a fresh one`);
      url = await o.freshUrl();
      continue;
    }
    if (outcome.kind === 'restart') {
      o.log?.(`The file server ignored the Range (HTTP ${outcome.status}): starting again from byte 0`);
      writer = await o.restart();
      meter.reset(0);
      stats.restarts++;
      if (stats.restarts > 2) {
        throw new DownloadError('http', 'the file server keeps ignoring the Range of a resumed download', { status: outcome.status });
      }
      continue;
    }
    if (outcome.kind === 'done') {
      continue;
    }
    failures = writer.position > before ? 1 : failures + 1;
    if (failures > (o.maxRetries ?? 5)) {
      throw new DownloadError('network', `the download failed ${failures} times in a row at byte ${writer.position}: ${outcome.why}`);
    }
    const delay = Math.min(10_000, (o.retryDelayMs ?? 500) * 2 ** (failures - 1));
    o.log?.(`The download stopped at byte ${writer.position} of ${o.fileSize} (${outcome.why}); resuming in ${delay} ms`);
    await o.clock.sleep(delay, o.signal);
  }
  return { writer, stats };
}

type Outcome = { kind: 'done' } | { kind: 'retry'; why: string } | { kind: 'expired'; status: number } | { kind: 'restart'; status: number };

async function attempt(writer: BlockWriter, url: string, o: TransferOptions, meter: RateMeter): Promise<Outcome> {
  const from = writer.position;
  const controller = new AbortController();
  const signal = AbortSignal.any([o.signal, controller.signal]);
  const headers: Record<string, string> = { 'accept-encoding': 'identity' };
  if (from > 0) {
    headers.range = `bytes=${from}-`;
  }
  o.log?.(`GET ${urlForLog(url)}${from > 0 ? ` from byte ${from}` : ''}`);
  const response = await o.http.get({ url, headers, signal });
  let verdict: Outcome | undefined;
  try {
    verdict = judge(response, from, o.fileSize);
  } catch (error) {
    // A refused answer: its unread body would hold the connection open.
    response.discard();
    throw error;
  }
  if (verdict) {
    response.discard();
    return verdict;
  }
  let last = o.clock.now();
  let stalled = false;
  const stallMs = o.stallMs ?? 30_000;
  const watchdog = setInterval(
    () => {
      if (o.clock.now() - last > stallMs) {
        stalled = true;
        controller.abort();
      }
    },
    Math.max(10, Math.min(1000, stallMs / 4)),
  );
  try {
    for await (const chunk of response.body) {
      last = o.clock.now();
      if (writer.position + chunk.byteLength > o.fileSize) {
        response.discard();
        throw new DownloadError('sizeMismatch', `the file server sent more than the export's ${o.fileSize} bytes`);
      }
      await writer.push(chunk).catch((error: unknown) => {
        throw new WriteFailure(error);
      });
      meter.tick(writer.position, writer.committed, o);
    }
  } catch (error) {
    if (stalled && !o.signal.aborted) {
      return { kind: 'retry', why: `no data for ${stallMs} ms` };
    }
    throw error;
  } finally {
    clearInterval(watchdog);
  }
  return writer.position < o.fileSize ? { kind: 'retry', why: 'the connection closed early' } : { kind: 'done' };
}

/** What the status and headers say before any byte is read; undefined means "read the body". */
function judge(r: GetResponse, from: number, fileSize: number): Outcome | undefined {
  if (r.status === 206) {
    const m = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(r.headers['content-range'] ?? '');
    return m && Number(m[1]) === from ? undefined : { kind: 'restart', status: 206 };
  }
  if (r.status === 200) {
    return from === 0 ? undefined : { kind: 'restart', status: 200 };
  }
  if (r.status === 416) {
    return from === fileSize ? { kind: 'done' } : { kind: 'restart', status: 416 };
  }
  if (EXPIRED.has(r.status)) {
    return { kind: 'expired', status: r.status };
  }
  if (TRANSIENT(r.status)) {
    return { kind: 'retry', why: `HTTP ${r.status}` };
  }
  throw new DownloadError('http', `the file server answered HTTP ${r.status}`, { status: r.status });
}

/** Bytes per second over the last few seconds, and progress reports at most every interval. */
class RateMeter {
  private samples: [number, number][] = [];
  private lastReport = 0;
  private lastCheckpoint = 0;
  private resumedAt: number;

  constructor(
    private readonly clock: Clock,
    start: number,
    private readonly total: number,
  ) {
    this.resumedAt = start;
    this.samples.push([clock.now(), start]);
  }

  reset(start: number): void {
    this.resumedAt = start;
    this.samples = [[this.clock.now(), start]];
  }

  tick(received: number, committed: number, o: TransferOptions): void {
    const now = this.clock.now();
    if (now - this.lastCheckpoint >= 1000) {
      this.lastCheckpoint = now;
      o.onCheckpoint?.(committed);
    }
    if (now - this.lastReport < (o.progressIntervalMs ?? 250) && received < this.total) {
      return;
    }
    this.lastReport = now;
    this.samples.push([now, received]);
    while (this.samples.length > 2 && now - this.samples[0][0] > 5000) {
      this.samples.shift();
    }
    const [t0, b0] = this.samples[0];
    const rate = now > t0 ? ((received - b0) * 1000) / (now - t0) : 0;
    const secondsLeft = rate > 0 ? (this.total - received) / rate : undefined;
    o.onProgress?.({ received, total: this.total, bytesPerSecond: rate, secondsLeft, resumedAt: this.resumedAt });
  }
}
