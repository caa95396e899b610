/**
 * Starts the real VS Code server (from code-server's package, run with Node 24) on 127.0.0.1
 * and opens its web workbench in Debian's headless Chromium through playwright-core.
 * Used by the host-suite launcher, the end-to-end tests and `npm start`.
 */
import { type ChildProcess, execFileSync, spawn } from 'child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import * as http from 'http';
import { type AddressInfo, createServer } from 'net';
import { tmpdir } from 'os';
import * as path from 'path';
import type { Browser, Page } from 'playwright-core';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const CACHE = process.env.QIANFAN_VSCODE_CACHE ?? path.join(process.env.HOME ?? tmpdir(), '.cache', 'qianfan-models');
export const CHROMIUM = process.env.QIANFAN_CHROMIUM ?? '/usr/bin/chromium';

export interface ServerInstallation {
  node: string;
  serverMain: string;
}

/** The cached Node 24 and VS Code server; installs them first when they are missing. */
export function ensureServerInstalled(): ServerInstallation {
  const node = path.join(CACHE, 'node24', 'node_modules', 'node', 'bin', 'node');
  const serverMain = path.join(CACHE, 'code-server', 'node_modules', 'code-server', 'lib', 'vscode', 'out', 'server-main.js');
  if (!existsSync(node) || !existsSync(serverMain)) {
    execFileSync('bash', [path.join(ROOT, 'scripts', 'setup-vscode-server.sh')], { stdio: 'inherit' });
  }
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not at ${CHROMIUM}: install Debian's "chromium" package (see README.md) or set QIANFAN_CHROMIUM.`);
  }
  return { node, serverMain };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface RunningServer {
  url: string;
  port: number;
  dataDir: string;
  stop(): Promise<void>;
}

export interface ServerOptions {
  port?: number;
  env?: NodeJS.ProcessEnv;
  /** VS Code user settings written before the start. */
  settings?: Record<string, unknown>;
  /** A .vsix or extension folder to install into the server before it starts. */
  installExtension?: string;
  log?: (line: string) => void;
}

async function waitForHttp(url: string, deadline: number, child: ChildProcess): Promise<void> {
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`the VS Code server exited with code ${child.exitCode} before it listened`);
    }
    const ok = await new Promise<boolean>((resolve) => {
      const req = http.get(url, (res) => {
        res.resume();
        resolve((res.statusCode ?? 500) < 500);
      });
      req.on('error', () => resolve(false));
      req.setTimeout(2000, () => req.destroy());
    });
    if (ok) {
      return;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the VS Code server did not answer at ${url} in time`);
}

export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const install = ensureServerInstalled();
  const port = options.port ?? (await freePort());
  // Short paths: VS Code's IPC socket paths must stay under ~104 characters.
  const dataDir = mkdtempSync(path.join(tmpdir(), 'qf-'));
  const dirs = { server: path.join(dataDir, 's'), user: path.join(dataDir, 'u'), extensions: path.join(dataDir, 'e') };
  for (const dir of Object.values(dirs)) {
    mkdirSync(dir, { recursive: true });
  }
  if (options.settings) {
    const settingsDir = path.join(dirs.server, 'data', 'Machine');
    mkdirSync(settingsDir, { recursive: true });
    writeFileSync(path.join(settingsDir, 'settings.json'), JSON.stringify(options.settings, null, 2));
    const userDir = path.join(dirs.user, 'User');
    mkdirSync(userDir, { recursive: true });
    writeFileSync(path.join(userDir, 'settings.json'), JSON.stringify(options.settings, null, 2));
  }
  const common = [
    '--server-data-dir',
    dirs.server,
    '--user-data-dir',
    dirs.user,
    '--extensions-dir',
    dirs.extensions,
    '--accept-server-license-terms',
    '--disable-telemetry',
  ];
  if (options.installExtension) {
    execFileSync(install.node, [install.serverMain, ...common, '--install-extension', options.installExtension, '--force'], { stdio: 'pipe' });
  }
  const args = [install.serverMain, '--host', '127.0.0.1', '--port', String(port), '--without-connection-token', '--enable-smoke-test-driver', ...common];
  const child = spawn(install.node, args, { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const log = options.log ?? (() => undefined);
  child.stdout?.on('data', (d: Buffer) => log(d.toString()));
  child.stderr?.on('data', (d: Buffer) => log(d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.pid) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
      await new Promise((r) => setTimeout(r, 300));
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await waitForHttp(url + '/version', Date.now() + 60_000, child);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, port, dataDir, stop };
}

export async function launchBrowser(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-dev-shm-usage',
    ],
  });
}

export function remoteUri(server: RunningServer, absPath: string): string {
  return `vscode-remote://127.0.0.1:${server.port}${absPath}`;
}

export function workbenchUrl(server: RunningServer, folder: string, payload: [string, string][]): string {
  return `${server.url}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

/** The extension's bundle must exist before the server loads it. */
export function assertBuilt(): void {
  if (!existsSync(path.join(ROOT, 'dist', 'extension.js'))) {
    throw new Error('dist/extension.js is missing: run `npm run build` first');
  }
}

export function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

export type { Browser, Page };
