/** The demo's command lines: `npm start -- --help`, `npm run emulator -- --help`, options and their variables. */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as path from 'path';
import { type OptionSpec, UsageError, parseOptions } from '../support/cli';

const OUT = path.resolve(__dirname, '..');
const SPECS: OptionSpec[] = [
  { name: 'models', env: 'QF_MODELS', kind: 'count', fallback: 0, help: 'models' },
  { name: 'vscode', kind: 'text', fallback: 'newest', help: 'server' },
];

describe('demo command lines', () => {
  it('parses --name value and --name=value, falls back to the environment, then to the default', () => {
    assert.deepStrictEqual(parseOptions(['--models', '200', '--vscode=4.93.1'], SPECS, {}), { models: 200, vscode: '4.93.1' });
    assert.deepStrictEqual(parseOptions([], SPECS, { QF_MODELS: '7' }), { models: 7, vscode: 'newest' });
    assert.deepStrictEqual(parseOptions(['--models', '3'], SPECS, { QF_MODELS: '7' }), { models: 3, vscode: 'newest' });
    assert.deepStrictEqual(parseOptions([], SPECS, {}), { models: 0, vscode: 'newest' });
  });

  it('refuses unknown options, missing values and counts that are not whole numbers', () => {
    assert.throws(() => parseOptions(['--model', '3'], SPECS, {}), UsageError);
    assert.throws(() => parseOptions(['--models'], SPECS, {}), /needs a value/);
    for (const bad of ['-1', '2.5', 'lots', '1e3']) {
      assert.throws(() => parseOptions(['--models', bad], SPECS, {}), /whole number/, bad);
    }
    assert.throws(() => parseOptions([], SPECS, { QF_MODELS: 'x' }), /whole number/);
  });

  it('answers --help with undefined (the caller prints the usage)', () => {
    assert.strictEqual(parseOptions(['--models', '3', '--help'], SPECS, {}), undefined);
    assert.strictEqual(parseOptions(['-h'], SPECS, {}), undefined);
  });

  for (const [command, file] of [
    ['npm start', path.join(OUT, 'demo', 'start.js')],
    ['npm run emulator', path.join(OUT, 'emulator', 'main.js')],
  ]) {
    it(`${command} -- --help prints the options and starts nothing; a wrong option exits 2`, () => {
      const help = spawnSync(process.execPath, [file, '--help'], { encoding: 'utf8', timeout: 10_000 });
      assert.strictEqual(help.status, 0, help.stderr);
      assert.match(help.stdout, /^Usage: /);
      for (const option of ['--models N', '--versions N', '--latency N', '--export-ms N', '--rate-limit N', '--port N', '--help']) {
        assert.ok(help.stdout.includes(option), `${option} in:\n${help.stdout}`);
      }
      assert.doesNotMatch(help.stdout, /listening|VS Code:/);
      const wrong = spawnSync(process.execPath, [file, '--modles', '3'], { encoding: 'utf8', timeout: 10_000 });
      assert.strictEqual(wrong.status, 2);
      assert.match(wrong.stderr, /unknown option --modles/);
    });
  }
});
