/**
 * Runs the host suite in desktop VS Code with @vscode/test-electron, where a build can be had:
 * QIANFAN_VSCODE_EXECUTABLE names an installed `code` binary, or QIANFAN_VSCODE_VERSION (pinned
 * below) is downloaded into .vscode-test/. It says why it cannot run, and fails, rather than
 * passing silently. Under Linux without a display, run it inside `xvfb-run -a`.
 */
import { runTests, downloadAndUnzipVSCode } from '@vscode/test-electron';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const PINNED_VERSION = '1.93.1'; // the oldest VS Code that engines.vscode allows

async function main(): Promise<number> {
  if (!existsSync(path.join(ROOT, 'dist', 'extension.js'))) {
    console.error('desktop host suite: dist/extension.js is missing; run `npm run build` first');
    return 1;
  }
  let executable = process.env.QIANFAN_VSCODE_EXECUTABLE;
  if (executable && !existsSync(executable)) {
    console.error(`desktop host suite: cannot run: QIANFAN_VSCODE_EXECUTABLE=${executable} does not exist`);
    return 2;
  }
  if (!executable) {
    const version = process.env.QIANFAN_VSCODE_VERSION ?? PINNED_VERSION;
    try {
      executable = await downloadAndUnzipVSCode({ version, cachePath: path.join(ROOT, '.vscode-test') });
    } catch (error) {
      console.error(
        `desktop host suite: cannot run: no VS Code ${version} build could be downloaded (${(error as Error).message}).\n` +
          '  Set QIANFAN_VSCODE_EXECUTABLE to an installed VS Code, or use `npm run test:host` (the VS Code server, no download).',
      );
      return 2;
    }
  }
  const work = mkdtempSync(path.join(tmpdir(), 'qf-desk-'));
  const report = path.join(work, 'report.txt');
  try {
    await runTests({
      vscodeExecutablePath: executable,
      extensionDevelopmentPath: ROOT,
      extensionTestsPath: path.join(ROOT, 'out', 'test', 'host', 'suite', 'index'),
      launchArgs: [work, '--disable-extensions', '--user-data-dir', path.join(work, 'u'), '--password-store=basic'],
      extensionTestsEnv: { QIANFAN_HOST_REPORT: report },
    });
    return 0;
  } catch (error) {
    console.error(`desktop host suite: ${(error as Error).message}`);
    return 1;
  } finally {
    if (existsSync(report)) {
      process.stdout.write(readFileSync(report, 'utf8'));
    }
    rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`desktop host suite: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
