/**
 * The edges of the download engine, injected so that it runs in plain Node tests: an HTTP GET
 * that streams its body, a small file system, and a clock.
 */
import { type Sleep } from '../qianfan/retry';

export interface GetRequest {
  readonly url: string;
  /** Only what a download needs (Range, Accept-Encoding): never the Qianfan Authorization. */
  readonly headers: Readonly<Record<string, string>>;
  readonly signal: AbortSignal;
}

export interface GetResponse {
  readonly status: number;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body as it arrives; ends early (throws) when the connection drops. */
  readonly body: AsyncIterable<Uint8Array>;
  /** Drops the body without reading it (closes the connection). */
  discard(): void;
}

export interface StreamingHttp {
  /** Rejects when no answer comes (refused, reset); the signal aborts it and its body. */
  get(request: GetRequest): Promise<GetResponse>;
}

/** An open file written at explicit positions, so several writes may be in flight at once. */
export interface WritableFile {
  write(data: Uint8Array, position: number): Promise<void>;
  truncate(length: number): Promise<void>;
  close(): Promise<void>;
}

/** What the engine needs from the file system; every failure is an Error with a Node `code`. */
export interface DownloadFs {
  /** Opens for writing without truncating, creating it when absent. */
  openForWrite(path: string): Promise<WritableFile>;
  /** Size in bytes, or undefined when there is no such file. */
  size(path: string): Promise<number | undefined>;
  /** The first `length` bytes, in chunks. */
  read(path: string, length: number): AsyncIterable<Uint8Array>;
  /** Replaces `to` when it exists. */
  rename(from: string, to: string): Promise<void>;
  remove(path: string): Promise<void>;
}

export interface Clock {
  now(): number;
  sleep: Sleep;
}

export interface DownloadProgress {
  readonly received: number;
  readonly total: number;
  /** Over the last few seconds; 0 at first. */
  readonly bytesPerSecond: number;
  /** Undefined until a rate is known. */
  readonly secondsLeft?: number;
  /** Where this run started (more than 0 after a resume). */
  readonly resumedAt: number;
}
