/**
 * What the command line remembers between runs (its pending exports and partial downloads, the
 * same lists the extension keeps), as a KeyValueStore over one JSON file per endpoint in a state
 * folder: read afresh on every get, so two processes see each other's changes; written whole to a
 * temporary file and renamed into place under a lock the processes share. Never a key: the lists
 * hold version IDs, export IDs, paths, sizes and md5s only.
 */
import { createHash } from 'crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as lockfile from 'proper-lockfile';
import { type KeyValueStore } from '../core/state/keyValueStore';

/** The folder: QIANFAN_MODELS_STATE_DIR, else the platform's place for state. */
export function stateFolder(env: NodeJS.ProcessEnv = process.env): string {
  if (env.QIANFAN_MODELS_STATE_DIR) {
    return path.resolve(env.QIANFAN_MODELS_STATE_DIR);
  }
  if (process.platform === 'win32') {
    return path.join(env.LOCALAPPDATA || path.join(os.homedir(), 'AppData', 'Local'), 'qianfan-models');
  }
  return path.join(env.XDG_STATE_HOME || path.join(os.homedir(), '.local', 'state'), 'qianfan-models');
}

/** One file per endpoint: what one service knows is not mixed with another's. */
export function stateFileFor(folder: string, endpoint: string): string {
  const host = new URL(endpoint).host.replace(/[^A-Za-z0-9.-]/g, '_');
  const hash = createHash('sha256').update(endpoint).digest('hex').slice(0, 8);
  return path.join(folder, `state-${host}-${hash}.json`);
}

export class JsonStateFile implements KeyValueStore {
  constructor(private readonly file: string) {}

  private read(): Record<string, unknown> {
    try {
      const value: unknown = JSON.parse(readFileSync(this.file, 'utf8'));
      return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
    } catch {
      return {}; // none yet, or unreadable: the lists start empty (a `.part` nobody owns is never written)
    }
  }

  get<T>(key: string): T | undefined {
    return this.read()[key] as T | undefined;
  }

  async update(key: string, value: unknown): Promise<void> {
    mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const release = await lockfile.lock(this.file, { realpath: false, stale: 10_000, retries: { retries: 50, minTimeout: 20, maxTimeout: 200 } });
    try {
      const all = this.read();
      if (value === undefined) {
        delete all[key];
      } else {
        all[key] = value;
      }
      const temp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(temp, JSON.stringify(all, null, 1) + '\n', { mode: 0o600 });
      renameSync(temp, this.file);
    } finally {
      await release();
    }
  }
}
