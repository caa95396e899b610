/**
 * The host suite's entry: VS Code's extension host calls run() (extensionTestsPath). It runs
 * every *.test.js beside it with mocha and writes a report to $QIANFAN_HOST_REPORT (after every
 * test), which the launcher prints. A failed test rejects, so VS Code reports exit code 1.
 */
import { readdirSync, writeFileSync } from 'fs';
import * as path from 'path';
import Mocha from 'mocha';

/** The report so far is written after every test: a run that does not end in time still shows where it stood. */
function reporterFor(lines: string[], flush: () => void) {
  return class HostReporter {
    constructor(runner: Mocha.Runner) {
      const started = Date.now();
      let passed = 0;
      let failed = 0;
      runner.on('suite', (suite) => suite.title && lines.push(`  ${suite.fullTitle()}`));
      runner.on('pass', (test) => {
        passed++;
        lines.push(`    ✔ ${test.title} (${test.duration ?? 0} ms)`);
        flush();
      });
      runner.on('fail', (test, error: Error) => {
        failed++;
        lines.push(
          `    ✘ ${test.fullTitle()}\n      ${String(error?.stack ?? error)
            .split('\n')
            .slice(0, 8)
            .join('\n      ')}`,
        );
        flush();
      });
      runner.on('end', () => {
        lines.push(`host suite finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        lines.push(`${passed} passed, ${failed} failed`);
      });
    }
  };
}

export async function run(): Promise<void> {
  const lines: string[] = [];
  const report = process.env.QIANFAN_HOST_REPORT;
  const flush = () => report && writeFileSync(report, lines.join('\n') + '\n');
  const mocha = new Mocha({ ui: 'bdd', timeout: 20_000, reporter: reporterFor(lines, flush) as never, grep: process.env.QIANFAN_HOST_GREP || undefined });
  for (const file of readdirSync(__dirname)
    .filter((f) => f.endsWith('.test.js'))
    .sort()) {
    mocha.addFile(path.join(__dirname, file));
  }
  const failures = await new Promise<number>((resolve) => mocha.run(resolve));
  flush();
  if (failures > 0) {
    throw new Error(`${failures} host test(s) failed`);
  }
}
