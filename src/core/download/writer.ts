/**
 * Writes the streamed bytes in blocks of about 1 MiB at explicit positions, several at once,
 * feeding each block to the hasher in order. `committed` is the prefix known to be on disk,
 * which is what a resume may trust after a failed write.
 */
import { type Md5Hasher } from './hasher';
import { type WritableFile } from './types';

interface InFlight {
  readonly end: number;
  done: Promise<void>;
  /** Written; a failed write stays false, so `committed` never passes it. */
  ok: boolean;
}

export class BlockWriter {
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private readonly inFlight: InFlight[] = [];
  private failure?: Error;
  /** Bytes received (written or about to be). */
  position: number;
  /** Bytes on disk without a gap. */
  committed: number;

  constructor(
    private readonly file: WritableFile,
    start: number,
    readonly hasher: Md5Hasher,
    private readonly blockSize = 1024 * 1024,
    private readonly maxInFlight = 4,
  ) {
    this.position = start;
    this.committed = start;
  }

  async push(chunk: Uint8Array): Promise<void> {
    if (this.failure !== undefined) {
      throw this.failure;
    }
    this.pending.push(chunk);
    this.pendingBytes += chunk.byteLength;
    this.position += chunk.byteLength;
    if (this.pendingBytes >= this.blockSize) {
      await this.flushBlock();
    }
  }

  /** Writes what is pending and waits for every write; throws the first write failure. */
  async finish(): Promise<void> {
    if (this.failure === undefined && this.pendingBytes > 0) {
      await this.flushBlock().catch(() => undefined);
    }
    await Promise.allSettled(this.inFlight.map((w) => w.done));
    this.advance();
    if (this.failure !== undefined) {
      throw this.failure;
    }
  }

  private async flushBlock(): Promise<void> {
    const block = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingBytes);
    const at = this.position - this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
    const wait = this.hasher.update(block);
    const entry: InFlight = { end: at + block.byteLength, ok: false, done: Promise.resolve() };
    entry.done = this.file.write(block, at).then(
      () => {
        entry.ok = true;
      },
      (error: unknown) => {
        this.failure ??= error instanceof Error ? error : new Error(String(error));
      },
    );
    this.inFlight.push(entry);
    await wait; // a promise when the hasher asks to wait
    if (this.inFlight.length >= this.maxInFlight) {
      await this.inFlight[0].done;
    }
    this.advance();
    if (this.failure !== undefined) {
      throw this.failure;
    }
  }

  /** Moves `committed` over the writes that finished in order; a failed one stays first for good. */
  private advance(): void {
    while (this.inFlight.length > 0 && this.inFlight[0].ok) {
      this.committed = this.inFlight.shift()!.end;
    }
  }
}
