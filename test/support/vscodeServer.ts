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

/**
 * The VS Code servers the extension is tested on: the newest, and the one whose VS Code matches
 * the oldest `engines.vscode` we support (code-server 4.93.1 is VS Code 1.93.1).
 */
export const SERVERS = { newest: '4.139.1', oldest: '4.93.1' } as const;
export type ServerVersion = (typeof SERVERS)[keyof typeof SERVERS];

export interface ServerInstallation {
  version: string;
  node: string;
  /** VS Code's own server (`lib/vscode/out/server-main.js`): takes the smoke-test flag the test launchers need. */
  serverMain: string;
  /** code-server's entry: what a user runs; serves `/mint-key`, so secrets survive a browser reload. */
  entry: string;
}

/** The environment without the variables an outer `npm run` sets (see scripts/setup-vscode-server.sh). */
export function withoutNpmEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !/^(npm_|init_cwd$|node$|node_env$)/i.test(name)));
}

/** The cached VS Code server of this version; installs it first (minutes, once) when missing. */
export function ensureServerInstalled(version: string = SERVERS.newest): ServerInstallation {
  const marker = path.join(CACHE, `server-${version}.json`);
  if (!existsSync(marker)) {
    execFileSync('bash', [path.join(ROOT, 'scripts', 'setup-vscode-server.sh'), version], { stdio: 'inherit', env: withoutNpmEnvironment(process.env) });
  }
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not at ${CHROMIUM}: install Debian's "chromium" package (see README.md) or set QIANFAN_CHROMIUM.`);
  }
  return JSON.parse(readFileSync(marker, 'utf8')) as ServerInstallation;
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
  /** The code-server release. */
  version: string;
  port: number;
  dataDir: string;
  stop(): Promise<void>;
}

export interface ServerOptions {
  /** The code-server release (default: the newest tested). */
  version?: string;
  /**
   * `test` (default): VS Code's server-main with the smoke-test driver the launchers need (no
   * notification toasts). `user`: code-server's own entry, as a user runs it: toasts, and secrets
   * kept across a browser reload.
   */
  mode?: 'test' | 'user';
  /** In `test` mode: VS Code's smoke-test driver, which the host-suite launcher needs (default true). */
  smokeTestDriver?: boolean;
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
  const install = ensureServerInstalled(options.version);
  const port = options.port ?? (await freePort());
  // Short paths: VS Code's IPC socket paths must stay under ~104 characters.
  const dataDir = mkdtempSync(path.join(tmpdir(), 'qf-'));
  const user = options.mode === 'user';
  // code-server keeps the server's data (Machine settings) in its user data dir.
  const dirs = { user: path.join(dataDir, 'u'), extensions: path.join(dataDir, 'e'), server: user ? path.join(dataDir, 'u') : path.join(dataDir, 's') };
  for (const dir of Object.values(dirs)) {
    mkdirSync(dir, { recursive: true });
  }
  if (options.settings) {
    const text = JSON.stringify(options.settings, null, 2);
    for (const dir of [path.join(dirs.server, user ? 'Machine' : path.join('data', 'Machine')), path.join(dirs.user, 'User')]) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, 'settings.json'), text);
    }
  }
  const env = { ...withoutNpmEnvironment(process.env), ...options.env };
  let args: string[];
  if (user) {
    const common = ['--user-data-dir', dirs.user, '--extensions-dir', dirs.extensions, '--config', path.join(dataDir, 'config.yaml'), '--disable-telemetry'];
    if (options.installExtension) {
      execFileSync(install.node, [install.entry, ...common, '--install-extension', options.installExtension, '--force'], { stdio: 'pipe', env });
    }
    args = [install.entry, ...common, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-update-check', '--disable-workspace-trust'];
  } else {
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
    // Older servers' server-main.js only exports loadCodeWithNls() for code-server: start those
    // through a small launcher, and install extensions with code-server's CLI (same folders).
    const exportsOnly = /module\.exports\.loadCodeWithNls\s*=/.test(readFileSync(install.serverMain, 'utf8'));
    if (options.installExtension) {
      const cli = exportsOnly
        ? [install.entry, '--user-data-dir', dirs.user, '--extensions-dir', dirs.extensions, '--install-extension', options.installExtension, '--force']
        : [install.serverMain, ...common, '--install-extension', options.installExtension, '--force'];
      execFileSync(install.node, cli, { stdio: 'pipe', env });
    }
    const main = exportsOnly ? [path.join(__dirname, 'serverMainLauncher.js'), install.serverMain] : [install.serverMain];
    const driver = options.smokeTestDriver === false ? [] : ['--enable-smoke-test-driver'];
    args = [...main, '--host', '127.0.0.1', '--port', String(port), '--without-connection-token', ...driver, ...common];
  }
  const child = spawn(install.node, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
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
    await waitForHttp(url + (user ? '/healthz' : '/version'), Date.now() + 60_000, child);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, port, dataDir, version: install.version, stop };
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
