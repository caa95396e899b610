/**
 * A test that fails cleanly, never crashing the runner: a body that outlives its test (an
 * uncaught error failed it at once) is waited for and not told twice (test/support/bodyEnds.ts).
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as path from 'path';

interface JsonReport {
  stats: { passes: number; failures: number };
  failures: { title: string; err: { message: string } }[];
}

describe('a test body that outlives its test (bodiesEndInTheirTest)', function () {
  this.timeout(20_000);

  it('is waited for and ends its test once: one failure each, the run ends, no ERR_MOCHA_MULTIPLE_DONE', () => {
    const mocha = require.resolve('mocha/bin/mocha.js');
    const spec = path.join(__dirname, '..', 'support', 'bodyEndsSpec.js');
    const run = spawnSync(process.execPath, [mocha, '--no-config', '--reporter', 'json', spec], {
      env: { ...process.env, QIANFAN_BODY_ENDS: '1' },
      encoding: 'utf8',
      timeout: 15_000,
    });
    assert.ok(!`${run.stdout}${run.stderr}`.includes('ERR_MOCHA_MULTIPLE_DONE'), run.stderr);
    const report = JSON.parse(run.stdout) as JsonReport;
    assert.deepStrictEqual(report.stats.passes, 1);
    assert.deepStrictEqual(
      report.failures.map((f) => [f.title, f.err.message]),
      [
        ['fails by its assertion', 'its own failure'],
        ['fails at once from an uncaught error, while its body goes on', 'thrown by a listener, outside the body'],
      ],
    );
    assert.strictEqual(run.status, 2, 'mocha exits with its count of failures');
  });
});
