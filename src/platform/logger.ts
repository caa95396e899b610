/** The "Qianfan" LogOutputChannel. Everything passes through the redactor on the way in. */
import * as vscode from 'vscode';
import { QianfanError } from '../core/qianfan/errors';
import { type RequestLogEntry } from '../core/qianfan/qianfanClient';
import { type Redactor } from '../core/base/redact';
import { cleanText } from '../core/base/text';

export class Logger implements vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;

  constructor(private readonly redactor: Redactor) {
    this.channel = vscode.window.createOutputChannel('Qianfan', { log: true });
  }

  info(message: string): void {
    this.channel.info(this.redactor.redactString(message));
  }

  warn(message: string): void {
    this.channel.warn(this.redactor.redactString(message));
  }

  error(message: string, error?: unknown): void {
    const detail = error === undefined ? '' : ': ' + describeError(error);
    this.channel.error(this.redactor.redactString(message + detail));
  }

  /** One line per HTTP attempt: action, ID, status, request ID, milliseconds. */
  request(entry: RequestLogEntry): void {
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
    const line = parts.join(' ') + (entry.error ? ` — ${entry.error}` : '');
    if (entry.outcome === 'ok') {
      this.info(line);
    } else if (entry.outcome === 'retry') {
      this.warn(line + ' (will retry)');
    } else if (entry.outcome === 'cancelled') {
      this.info(line + ' (cancelled)');
    } else {
      this.error(line);
    }
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }
}

/** One clean line: a QianfanError is already cut short; anything else is cut here. */
export function describeError(error: unknown): string {
  if (error instanceof QianfanError) {
    return error.describe();
  }
  return cleanText(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
}
