/** The extension's settings, read fresh each time they are needed. */
import * as vscode from 'vscode';
import { DEFAULT_ENDPOINT } from '../core/qianfan/endpoint';

export type DeleteConfirmation = 'clickButton' | 'enterId';

export interface Settings {
  readonly endpoint: string;
  readonly timeoutMs: number;
  readonly concurrency: number;
  readonly deleteConfirmation: DeleteConfirmation;
  /** Where downloads are offered first ('' for the first workspace folder). */
  readonly downloadFolder: string;
}

function clamp(value: unknown, min: number, max: number, fallback: number): number {
  const n = typeof value === 'number' && Number.isFinite(value) ? value : fallback;
  return Math.min(max, Math.max(min, n));
}

export function readSettings(): Settings {
  const c = vscode.workspace.getConfiguration('qianfan');
  return {
    endpoint: c.get<string>('endpoint') || DEFAULT_ENDPOINT,
    timeoutMs: clamp(c.get('requestTimeoutSeconds'), 1, 600, 30) * 1000,
    concurrency: Math.floor(clamp(c.get('maxConcurrentRequests'), 1, 32, 10)),
    deleteConfirmation: c.get('deleteConfirmation') === 'enterId' ? 'enterId' : 'clickButton',
    downloadFolder: (c.get<string>('downloadFolder') ?? '').trim(),
  };
}
