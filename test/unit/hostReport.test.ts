import * as assert from 'assert';
import { failuresOf } from '../support/hostReport';

describe("the host suite's report, read from its end", () => {
  it('gives each failure with the stack lines under it, and nothing of the passes or summary', () => {
    const report = [
      '  export',
      '    ✔ creates the task (365 ms)',
      '    ✘ export reports a failed export',
      '      AssertionError: expected 1',
      '      at Context.<anonymous> (export.test.js:10:5)',
      '    ✔ remembers the task (275 ms)',
      '  profiles',
      '    ✘ profiles "after all" hook',
      '      Error: timeout',
      'host suite finished in 1.0 s',
      '2 passed, 2 failed',
    ].join('\n');
    assert.deepStrictEqual(failuresOf(report), [
      '    ✘ export reports a failed export\n      AssertionError: expected 1\n      at Context.<anonymous> (export.test.js:10:5)',
      '    ✘ profiles "after all" hook\n      Error: timeout',
    ]);
  });

  it('a report with no failure gives none', () => {
    assert.deepStrictEqual(failuresOf('  a\n    ✔ b (1 ms)\n      not a stack line\nhost suite finished in 1 s\n1 passed, 0 failed\n'), []);
  });
});
