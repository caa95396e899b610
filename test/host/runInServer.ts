/**
 * Runs the host suite (test/host/suite) inside a real VS Code extension host: the VS Code
 * server on 127.0.0.1 with its web workbench in headless Chromium. Exits with the suite's
 * exit code; the server and the browser are always stopped.
 */
import '../support/outputGuard';
import { type ChildProcess, spawn } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { failuresOf } from '../support/hostReport';
import { ROOT, SERVERS, assertBuilt, launchBrowser, remoteUri, startServer, workbenchUrl } from '../support/vscodeServer';

/** What runs in the host: the suite, or the tree benchmark (QIANFAN_HOST_TESTS=bench, from `npm run bench`). */
const TESTS = process.env.QIANFAN_HOST_TESTS === 'bench' ? 'bench' : 'suite';
const SUITE_TIMEOUT_MS = Number(process.env.QIANFAN_HOST_TIMEOUT_MS ?? 10 * 60_000);
/** QIANFAN_HOST_CPU_HOG=N: N processes that spin for the whole run (1 on a 2-core machine: a loaded CI). */
const CPU_HOGS = Math.max(0, Math.min(16, Math.floor(Number(process.env.QIANFAN_HOST_CPU_HOG ?? 0)) || 0));

/**
 * The servers to run on: every tested one (newest, then oldest) unless named on the command line
 * (`npm run test:host -- 4.93.1`) or in QIANFAN_HOST_SERVERS (comma-separated).
 */
function serversToRun(): string[] {
  const named = process.argv
    .slice(2)
    .concat((process.env.QIANFAN_HOST_SERVERS ?? '').split(','))
    .filter((v) => v.trim() !== '');
  return named.length > 0 ? named.map((v) => (v === 'newest' || v === 'oldest' ? SERVERS[v] : v.trim())) : [SERVERS.newest, SERVERS.oldest];
}

/** Busy loops beside the suite, each ended (by its own handle) when the run ends, however it ends. */
function startCpuHogs(n: number): ChildProcess[] {
  const hogs = Array.from({ length: n }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
  process.on('exit', () => hogs.forEach((h) => h.kill()));
  if (n > 0) {
    console.log(`host suite: ${n} CPU hog(s) running beside it (QIANFAN_HOST_CPU_HOG)`);
  }
  return hogs;
}

async function main(): Promise<number> {
  assertBuilt();
  const hogs = startCpuHogs(CPU_HOGS);
  try {
    let worst = 0;
    const failed: string[] = [];
    for (const version of serversToRun()) {
      const { code, failures } = await runOn(version);
      worst = Math.max(worst, code);
      if (code !== 0) {
        failed.push(`code-server ${version}: exit code ${code}, ${failures.length} failed test(s)`, ...failures);
      }
    }
    if (failed.length > 0) {
      console.log(`host suite: what failed, again (the reports above have the whole run)\n${failed.join('\n')}`);
    }
    return worst;
  } finally {
    hogs.forEach((h) => h.kill());
  }
}

async function runOn(version: string): Promise<{ code: number; failures: string[] }> {
  const started = Date.now();
  const workDir = mkdtempSync(path.join(tmpdir(), 'qf-host-'));
  const reportFile = path.join(workDir, 'report.txt');
  const serverLog: string[] = [];
  const server = await startServer({
    version,
    env: { QIANFAN_HOST_REPORT: reportFile, QIANFAN_HOST_GREP: process.env.QIANFAN_HOST_GREP ?? '' },
    log: (line) => serverLog.push(line),
  });
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    let resolveExit: (code: number) => void = () => undefined;
    const exited = new Promise<number>((resolve) => (resolveExit = resolve));
    await page.exposeFunction('codeAutomationLog', () => undefined);
    await page.exposeFunction('codeAutomationExit', (code: number) => resolveExit(code));
    const payload: [string, string][] = [
      ['extensionDevelopmentPath', remoteUri(server, ROOT)],
      ['extensionTestsPath', remoteUri(server, path.join(ROOT, 'out', 'test', 'host', TESTS, 'index'))],
      ['skipWelcome', 'true'],
    ];
    // the workbench's first load takes seconds when idle, minutes on a loaded machine: the suite's time bounds it, not Playwright's 30 s
    await page.goto(workbenchUrl(server, workDir, payload), { timeout: SUITE_TIMEOUT_MS });
    const timeout = new Promise<number>((resolve) =>
      setTimeout(() => {
        console.error(`host suite: no result after ${SUITE_TIMEOUT_MS / 1000} s (QIANFAN_HOST_TIMEOUT_MS); the report so far follows`);
        resolve(1);
      }, SUITE_TIMEOUT_MS).unref(),
    );
    const code = await Promise.race([exited, timeout]);
    let failures: string[] = [];
    if (existsSync(reportFile)) {
      const report = readFileSync(reportFile, 'utf8');
      process.stdout.write(report);
      failures = failuresOf(report);
    } else {
      console.error(`host suite: the suite wrote no report on code-server ${version}; server log follows`);
      console.error(serverLog.join('').slice(-8000));
    }
    const hogs = CPU_HOGS > 0 ? `, ${CPU_HOGS} CPU hog(s) beside it` : '';
    console.log(`host suite (code-server ${version} + Chromium): exit code ${code} in ${((Date.now() - started) / 1000).toFixed(1)} s${hogs}`);
    return { code, failures };
  } finally {
    await browser.close().catch(() => undefined);
    await server.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`host suite: ${(error as Error).stack ?? error}`);
    process.exit(1);
  },
);
