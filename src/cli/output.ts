/**
 * What the command line writes: JSON lines for scripts (`--json`: one object per result, errors
 * included, every string through the Redactor), or aligned tables and short lines for a person
 * (colour only on a terminal and never with NO_COLOR); progress bars on stderr, only on a terminal.
 */
import { SingleBar } from 'cli-progress';
import Table from 'cli-table3';
import { Redactor } from '../core/base/redact';
import { cleanText } from '../core/base/text';
import { DownloadError } from '../core/download/errors';
import { QianfanError, isCancelled } from '../core/qianfan/errors';

/** The exit codes: done, failed, usage (nothing sent), partly done. */
export const EXIT = { done: 0, failed: 1, usage: 2, partly: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Bad input: a one-line error and exit 2, before any request. */
export class UsageError extends Error {}

/** A failure the command line names itself, with a stable code. */
export class CliError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface Stream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

export interface OutputOptions {
  readonly json: boolean;
  readonly stdout: Stream;
  readonly stderr: Stream;
  readonly env: NodeJS.ProcessEnv;
}

/** SGR codes (on, off) of the few styles used. */
const STYLES = { bold: [1, 22], red: [31, 39], green: [32, 39], yellow: [33, 39] } as const;
type Style = keyof typeof STYLES;

/** An error as a JSON field: a stable code and one redacted line. */
export interface ErrorInfo {
  readonly code: string;
  readonly message: string;
  readonly status?: number;
  readonly requestId?: string;
}

export class Output {
  readonly json: boolean;
  readonly color: boolean;
  readonly redactor = new Redactor();

  constructor(private readonly options: OutputOptions) {
    this.json = options.json;
    this.color = !options.json && options.stdout.isTTY === true && !('NO_COLOR' in options.env && options.env.NO_COLOR !== '');
  }

  /** Whether a person is at a terminal (to ask, and to draw progress). */
  get interactive(): boolean {
    return !this.json && this.options.stderr.isTTY === true;
  }

  /** One result: a JSON line, or nothing here (the command writes its human form itself). */
  emit(object: Record<string, unknown>): void {
    if (this.json) {
      this.options.stdout.write(JSON.stringify(this.redactor.redact(object)) + '\n');
    }
  }

  /** A line for a person on stdout (nothing with --json). */
  line(text = ''): void {
    if (!this.json) {
      this.options.stdout.write(this.redactor.redactString(text) + '\n');
    }
  }

  /** A note for a person on stderr (nothing with --json). */
  note(text: string): void {
    if (!this.json) {
      this.options.stderr.write(this.redactor.redactString(text) + '\n');
    }
  }

  paint(style: Style, text: string): string {
    const [on, off] = STYLES[style];
    return this.color ? `\u001b[${on}m${text}\u001b[${off}m` : text;
  }

  /** An aligned table without borders. */
  table(head: readonly string[], rows: readonly (readonly string[])[]): void {
    if (this.json) {
      return;
    }
    const blank = { top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '' };
    const table = new Table({
      head: head.map((h) => this.paint('bold', h)),
      chars: { ...blank, left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '  ' },
      style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0, compact: true },
    });
    table.push(...rows.map((r) => [...r]));
    this.options.stdout.write(this.redactor.redactString(table.toString()).replace(/[ \t]+$/gm, '') + '\n');
  }

  /** An error: a JSON object (with whatever names what failed), or one line on stderr. */
  error(error: unknown, fields: Record<string, unknown> = {}): void {
    const info = this.errorInfo(error);
    if (this.json) {
      this.emit({ type: 'error', ...fields, error: info });
    } else {
      const what = typeof fields.modelId === 'string' ? `${fields.modelId}: ` : '';
      this.options.stderr.write(`${this.paint('red', 'error:')} ${what}${info.message}\n`);
    }
  }

  errorInfo(error: unknown): ErrorInfo {
    const line = (text: string) => cleanText(this.redactor.redactString(text), 500);
    if (error instanceof UsageError) {
      return { code: 'usage', message: line(error.message) };
    }
    if (error instanceof CliError) {
      return { code: error.code, message: line(error.message) };
    }
    if (isCancelled(error)) {
      return { code: 'cancelled', message: 'cancelled' };
    }
    if (error instanceof QianfanError) {
      const detail = error.headerMessage && !error.message.includes(error.headerMessage) ? ` (${error.headerMessage})` : '';
      return {
        code: error.code ?? error.kind,
        message: line(`${error.summary()}: ${error.message}${detail}`),
        ...(error.status !== undefined ? { status: error.status } : {}),
        ...(error.requestId ? { requestId: error.requestId } : {}),
      };
    }
    if (error instanceof DownloadError) {
      return { code: error.reason, message: line(error.message) };
    }
    return { code: 'internal', message: line(error instanceof Error ? error.message : String(error)) };
  }

  /** A progress bar on stderr when a person watches, else nothing. */
  progress(label: string, total: number, unit: 'items' | 'bytes'): Progress {
    if (!this.interactive || total <= 0) {
      return { update: () => undefined, stop: () => undefined };
    }
    const bar = new SingleBar({
      format: `${label} {bar} {percentage}% | ${unit === 'bytes' ? '{size}' : '{value}/{total}'} | {eta_formatted}`,
      stream: this.options.stderr as NodeJS.WritableStream,
      hideCursor: true,
      clearOnComplete: false,
      barsize: 30,
      etaBuffer: 50,
    });
    const size = (n: number) => `${(n / 1024 / 1024).toFixed(1)}/${(total / 1024 / 1024).toFixed(1)} MB`;
    bar.start(total, 0, { size: size(0) });
    return {
      update: (value) => bar.update(value, { size: size(value) }),
      stop: () => bar.stop(),
    };
  }
}

export interface Progress {
  update(value: number): void;
  stop(): void;
}

/** 0 when everything was done, 1 when nothing was, 3 when some was. */
export function exitOf(done: number, failed: number): ExitCode {
  if (failed === 0) {
    return EXIT.done;
  }
  return done === 0 ? EXIT.failed : EXIT.partly;
}
