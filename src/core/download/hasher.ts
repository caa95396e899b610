/**
 * MD5 computed while the bytes stream in (no second read of the file). Two ways:
 * - InlineMd5, on the receiving thread: the default;
 * - WorkerMd5, in a worker thread fed the same 1 MiB blocks (copied), meant to overlap the
 *   hashing with the I/O on another core. Measured by `npm run bench:download` on the 2-core
 *   machine (the emulator serving from the same machine), it was slower (4.0–5.8 s vs 3.1–3.8 s
 *   for 1 GiB) and used more memory (142–164 MB vs 95–97 MB peak RSS): the copies and messages cost
 *   more than the overlap gains when no core is idle. Kept for machines with spare cores.
 * The worker's code is inline, so the bundle needs no second file. Backpressure: update()
 * returns a promise while the worker is far behind.
 */
import { createHash } from 'crypto';
import { Worker } from 'worker_threads';

export interface Md5Hasher {
  /** Bytes fed so far. */
  readonly bytes: number;
  /** Feeds the next bytes; a promise means "wait before feeding more". */
  update(chunk: Uint8Array): void | Promise<void>;
  /** The hex digest of everything fed (the hasher stays usable). */
  digest(): Promise<string>;
  dispose(): void;
}

export type HasherFactory = () => Md5Hasher;

export class InlineMd5 implements Md5Hasher {
  private readonly hash = createHash('md5');
  bytes = 0;

  update(chunk: Uint8Array): void {
    this.hash.update(chunk);
    this.bytes += chunk.byteLength;
  }

  digest(): Promise<string> {
    return Promise.resolve(this.hash.copy().digest('hex'));
  }

  dispose(): void {}
}

const WORKER_SOURCE = `
const { parentPort } = require('worker_threads');
const hash = require('crypto').createHash('md5');
let bytes = 0;
parentPort.on('message', (m) => {
  if (m.chunk) {
    hash.update(m.chunk);
    bytes += m.chunk.byteLength;
    parentPort.postMessage({ acked: bytes });
  } else {
    parentPort.postMessage({ digest: hash.copy().digest('hex') });
  }
});
`;

type WorkerMessage = { acked?: number; digest?: string };

export class WorkerMd5 implements Md5Hasher {
  private readonly worker = new Worker(WORKER_SOURCE, { eval: true });
  bytes = 0;
  private acked = 0;
  private failure?: Error;
  private waiters: { below: number; resolve: () => void; reject: (e: Error) => void }[] = [];
  private digests: { resolve: (hex: string) => void; reject: (e: Error) => void }[] = [];

  /** `maxBehind`: bytes the worker may lag before update() asks the caller to wait. */
  constructor(private readonly maxBehind = 8 * 1024 * 1024) {
    this.worker.unref();
    this.worker.on('message', (m: WorkerMessage) => this.onMessage(m));
    this.worker.on('error', (e) => this.fail(e));
    this.worker.on('exit', () => this.fail(new Error('the hashing worker stopped')));
  }

  update(chunk: Uint8Array): void | Promise<void> {
    if (this.failure) {
      throw this.failure;
    }
    this.worker.postMessage({ chunk });
    this.bytes += chunk.byteLength;
    if (this.bytes - this.acked <= this.maxBehind) {
      return undefined;
    }
    return new Promise((resolve, reject) => this.waiters.push({ below: this.bytes - this.maxBehind / 2, resolve, reject }));
  }

  digest(): Promise<string> {
    if (this.failure) {
      return Promise.reject(this.failure);
    }
    return new Promise((resolve, reject) => {
      this.digests.push({ resolve, reject });
      this.worker.postMessage({});
    });
  }

  dispose(): void {
    this.failure ??= new Error('the hasher was disposed');
    void this.worker.terminate();
  }

  private onMessage(m: WorkerMessage): void {
    if (m.acked !== undefined) {
      this.acked = m.acked;
      const ready = this.waiters.filter((w) => this.acked >= w.below);
      this.waiters = this.waiters.filter((w) => this.acked < w.below);
      ready.forEach((w) => w.resolve());
    } else if (m.digest !== undefined) {
      this.digests.shift()?.resolve(m.digest);
    }
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.waiters.splice(0).forEach((w) => w.reject(error));
    this.digests.splice(0).forEach((d) => d.reject(error));
  }
}

export const workerHasher: HasherFactory = () => new WorkerMd5();
export const inlineHasher: HasherFactory = () => new InlineMd5();
