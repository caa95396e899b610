/**
 * The log's rules without VS Code (unit-tested with a fake channel): every line passes the
 * redactor on the way in, and each goes at its level. Debug: each successful (or cancelled) HTTP
 * request; Info: what the user did and what came of it; Warning: a request that will be retried,
 * and what went wrong but was ridden out; Error: what failed. `logger.ts` gives it the
 * "Qianfan" LogOutputChannel, whose level the user sets (Developer: Set Log Level…).
 */
import { QianfanError } from '../core/qianfan/errors';
import { type RequestLogEntry } from '../core/qianfan/requestRunner';
import { type Redactor } from '../core/base/redact';
import { cleanText } from '../core/base/text';

/** VS Code's LogLevel values (vscode.LogLevel: Off 0, Trace 1, Debug 2, Info 3, Warning 4, Error 5). */
export const LOG_LEVEL_OFF = 0;
export const LOG_LEVEL_DEBUG = 2;

/** The part of a LogOutputChannel the log writes to. */
export interface LogSink {
  /** The channel's level (a vscode.LogLevel); a line below it is dropped by the channel. */
  readonly logLevel?: number;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export class Log {
  /** Lines logged before the sink is there, in order: each is redacted and written when it comes. */
  private queued: (() => void)[] | undefined;
  private sink: LogSink | undefined;

  /**
   * `sink` undefined: the lines wait (unredacted, in memory) until `attach` gives one: activation
   * logs without paying for the channel or the redactor's first run. The redactor then knows at
   * least the keys it knew when each line was logged (none are read before activation ends).
   */
  constructor(
    protected readonly redactor: Redactor,
    sink?: LogSink,
  ) {
    this.sink = sink;
    this.queued = sink ? undefined : [];
  }

  /** Gives the sink to a log made without one, and writes what waited for it. */
  protected attach(sink: LogSink): void {
    if (this.sink) {
      return;
    }
    this.sink = sink;
    const queued = this.queued ?? [];
    this.queued = undefined;
    for (const write of queued) {
      write();
    }
  }

  /** Writes now, or once there is a sink. */
  private write(line: (sink: LogSink) => void): void {
    if (this.sink) {
      line(this.sink);
    } else {
      this.queued?.push(() => this.sink && line(this.sink));
    }
  }

  /** Whether debug lines reach the channel: when not, they are not even put together or redacted. */
  get debugEnabled(): boolean {
    const level = this.sink?.logLevel;
    return level === undefined || (level !== LOG_LEVEL_OFF && level <= LOG_LEVEL_DEBUG);
  }

  debug(message: string | (() => string)): void {
    if (this.debugEnabled) {
      this.write((sink) => this.debugEnabled && sink.debug(this.redactor.redactString(typeof message === 'function' ? message() : message)));
    }
  }

  info(message: string): void {
    this.write((sink) => sink.info(this.redactor.redactString(message)));
  }

  warn(message: string): void {
    this.write((sink) => sink.warn(this.redactor.redactString(message)));
  }

  error(message: string, error?: unknown): void {
    this.write((sink) => {
      const detail = error === undefined ? '' : ': ' + describeError(error, (text) => this.redactor.redactString(text));
      sink.error(this.redactor.redactString(message + detail));
    });
  }

  /** One line per HTTP attempt: action, ID, status, request ID, milliseconds; a success at Debug. */
  request(entry: RequestLogEntry): void {
    if (entry.outcome === 'ok') {
      this.debug(() => requestLine(entry));
    } else if (entry.outcome === 'cancelled') {
      this.debug(() => requestLine(entry) + ' (cancelled)');
    } else if (entry.outcome === 'retry') {
      this.warn(requestLine(entry) + ' (will retry)');
    } else {
      this.error(requestLine(entry));
    }
  }
}

/** "DescribeModel amv-… HTTP 200 requestId=… 12 ms [attempt 2] [— the error]". */
export function requestLine(entry: RequestLogEntry): string {
  const parts = [
    entry.action,
    entry.target ?? '-',
    entry.status === undefined ? 'no-status' : `HTTP ${entry.status}`,
    `requestId=${entry.requestId ?? '-'}`,
    `${entry.ms} ms`,
  ];
  if (entry.attempt > 0) {
    parts.push(`attempt ${entry.attempt + 1}`);
  }
  return parts.join(' ') + (entry.error ? ` — ${entry.error}` : '');
}

/**
 * One clean line: a QianfanError is already cut short; anything else is cut here, after `redact`
 * (so that a secret is never cut in two before the redactor sees it whole).
 */
export function describeError(error: unknown, redact: (text: string) => string = (text) => text): string {
  if (error instanceof QianfanError) {
    return error.describe();
  }
  return cleanText(redact(error instanceof Error ? `${error.name}: ${error.message}` : String(error)));
}
