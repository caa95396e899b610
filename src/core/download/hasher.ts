/**
 * MD5 computed while the bytes stream in (no second read of the file). Two ways:
 * - InlineMd5, on the receiving thread: the default;
 * - WorkerMd5, in a worker thread fed the same blocks through a ring of shared-memory slots
 *   (one copy into reused memory), meant to overlap the hashing with the I/O on another core.
 *   On the shared 2-core machine (`npm run bench:download`, other work keeping both cores busy)
 *   it took the same time as InlineMd5 and ~15 MB more memory: there was no idle core to overlap
 *   on. Kept for machines with spare cores.
 * The worker's code is inline, so the bundle needs no second file. Backpressure: update()
 * returns a promise while every slot is waiting for the worker.
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
const { parentPort, workerData } = require('worker_threads');
const hash = require('crypto').createHash('md5');
const ring = new Uint8Array(workerData.ring);
parentPort.on('message', (m) => {
  if (m.length !== undefined) {
    hash.update(ring.subarray(m.at, m.at + m.length));
    parentPort.postMessage({ freed: m.slot });
  } else {
    parentPort.postMessage({ digest: hash.copy().digest('hex') });
  }
});
`;

type WorkerMessage = { freed: number } | { digest: string };

/**
 * The bytes go to the worker through a ring of slots in shared memory: one copy into memory that
 * is reused (no allocation, no page faults per block), and the caller's buffer stays its own
 * (the writer writes it to disk at the same time).
 */
export class WorkerMd5 implements Md5Hasher {
  private readonly ring: Uint8Array;
  private readonly worker: Worker;
  private readonly free: number[] = [];
  bytes = 0;
  private failure?: Error;
  private waiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private digests: { resolve: (hex: string) => void; reject: (e: Error) => void }[] = [];

  /** `slots` × `slotBytes` of shared memory: how far the worker may lag before update() asks the caller to wait. */
  constructor(
    private readonly slotBytes = 1024 * 1024,
    slots = 8,
  ) {
    const shared = new SharedArrayBuffer(slotBytes * slots);
    this.ring = new Uint8Array(shared);
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { ring: shared } });
    for (let i = 0; i < slots; i++) {
      this.free.push(i);
    }
    this.worker.unref();
    this.worker.on('message', (m: WorkerMessage) => this.onMessage(m));
    this.worker.on('error', (e) => this.fail(e));
    this.worker.on('exit', () => this.fail(new Error('the hashing worker stopped')));
  }

  update(chunk: Uint8Array): void | Promise<void> {
    if (this.failure) {
      throw this.failure;
    }
    let offset = 0;
    while (offset < chunk.byteLength && this.free.length > 0) {
      offset += this.send(chunk, offset);
    }
    return offset < chunk.byteLength ? this.rest(chunk, offset) : undefined;
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

  /** Copies as much of the chunk from `offset` as one free slot holds, and hands it to the worker. */
  private send(chunk: Uint8Array, offset: number): number {
    const slot = this.free.shift()!;
    const length = Math.min(this.slotBytes, chunk.byteLength - offset);
    const at = slot * this.slotBytes;
    this.ring.set(chunk.subarray(offset, offset + length), at);
    this.bytes += length;
    this.worker.postMessage({ slot, at, length });
    return length;
  }

  /** The part of a chunk that did not fit: sent as slots come free. */
  private async rest(chunk: Uint8Array, offset: number): Promise<void> {
    while (offset < chunk.byteLength) {
      if (this.free.length === 0) {
        await new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
      }
      offset += this.send(chunk, offset);
    }
  }

  private onMessage(m: WorkerMessage): void {
    if ('freed' in m) {
      this.free.push(m.freed);
      this.waiters.shift()?.resolve();
    } else {
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
