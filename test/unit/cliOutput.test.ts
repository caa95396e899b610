/** What the command line writes for a person or a script: colour only on a terminal and never with NO_COLOR, JSON lines redacted. */
import * as assert from 'assert';
import { QianfanError } from '../../src/core/qianfan/errors';
import { EXIT, Output, exitOf } from '../../src/cli/output';

function sink(isTTY: boolean): { isTTY: boolean; text: string; write(s: string): boolean } {
  return {
    isTTY,
    text: '',
    write(s: string) {
      this.text += s;
      return true;
    },
  };
}

const ESC = '\u001b[';

describe('the command line output', () => {
  it('colours only on a terminal, never with NO_COLOR nor --json', () => {
    const tty = sink(true);
    const out = new Output({ json: false, stdout: tty, stderr: sink(true), env: {} });
    out.table(['A', 'B'], [[out.paint('green', 'Ready'), 'x']]);
    assert.ok(tty.text.includes(ESC), 'colour on a terminal');
    for (const [json, isTTY, env] of [
      [false, false, {}],
      [false, true, { NO_COLOR: '1' }],
      [true, true, {}],
    ] as const) {
      const s = sink(isTTY);
      const o = new Output({ json, stdout: s, stderr: sink(isTTY), env });
      o.table(['A'], [[o.paint('red', 'Fail')]]);
      o.line(o.paint('bold', 'x'));
      assert.ok(!s.text.includes(ESC), `no colour (json ${json}, tty ${isTTY}, ${JSON.stringify(env)})`);
    }
  });

  it('aligns a table without borders or trailing spaces', () => {
    const s = sink(false);
    new Output({ json: false, stdout: s, stderr: sink(false), env: {} }).table(
      ['MODEL', 'ID'],
      [
        ['a', 'amv-1'],
        ['longer-name', 'amv-2'],
      ],
    );
    const rows = s.text.trimEnd().split('\n');
    assert.deepStrictEqual(rows, ['MODEL        ID', 'a            amv-1', 'longer-name  amv-2']);
  });

  it('writes one redacted JSON object per result, errors with a stable code', () => {
    const s = sink(false);
    const out = new Output({ json: true, stdout: s, stderr: sink(false), env: {} });
    out.redactor.addSecret('theSecretKey0000000000000000001');
    out.emit({ type: 'version', modelId: 'amv-abcdef', note: 'theSecretKey0000000000000000001' });
    out.error(new QianfanError({ kind: 'api', status: 403, code: 'AccessDenied', message: 'no for theSecretKey0000000000000000001', action: 'DeleteModel' }), {
      modelId: 'amv-abcdef',
    });
    out.line('not in JSON mode');
    const lines = s.text.trimEnd().split('\n');
    assert.strictEqual(lines.length, 2);
    assert.ok(!s.text.includes('theSecretKey'));
    const e = JSON.parse(lines[1]) as { type: string; modelId: string; error: { code: string; status: number } };
    assert.deepStrictEqual([e.type, e.modelId, e.error.code, e.error.status], ['error', 'amv-abcdef', 'AccessDenied', 403]);
  });

  it('exit codes: 0 done, 1 nothing done, 3 partly', () => {
    assert.strictEqual(exitOf(3, 0), EXIT.done);
    assert.strictEqual(exitOf(0, 2), EXIT.failed);
    assert.strictEqual(exitOf(1, 1), EXIT.partly);
  });
});
