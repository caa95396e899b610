/**
 * The bundles as they ship (dist/cli.js, and dist/mcp.js that `qianfan-models mcp` loads), not only
 * the compiled tests' copy: `npm test` builds them first. And the questions the command line asks
 * a person at a terminal (the typed count, the typed ID of a version a service runs), driven
 * through the real prompt (readline on a stdin that says it is a terminal).
 */
import * as assert from 'assert';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PassThrough } from 'stream';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { runCli } from '../../src/cli/program';
import { QianfanEmulator } from '../emulator/emulator';
import { generatedFixture } from '../emulator/fixture';
import { type CliHarness, cliEnv, runProcess, startCli } from '../support/cliProcess';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const BUNDLE = path.join(ROOT, 'dist', 'cli.js');
const V1 = 'amv-g73j3faikzpz'; // customer-support-zh / V1
const V2 = 'amv-34qkndzjf111'; // customer-support-zh / V2, run by support-bot below
const EMBED = 'amv-a1s2d3f4g5h6'; // doc-embedding / V1

describe('the built bundles (dist/cli.js, dist/mcp.js)', function () {
  this.timeout(60_000);
  let h: CliHarness | undefined;
  before(function () {
    assert.ok(existsSync(BUNDLE) && existsSync(path.join(ROOT, 'dist', 'mcp.js')), 'no dist/cli.js or dist/mcp.js: run npm run build first');
  });
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it("--version says the package's version, and list --json reads the emulator", async () => {
    h = await startCli();
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const version = await runProcess(['--version'], h.env, h.dir, 20_000, BUNDLE);
    assert.strictEqual(version.code, 0, version.stderr);
    assert.strictEqual(version.stdout.trim(), pkg.version);
    const list = await runProcess(['list', '--json'], h.env, h.dir, 20_000, BUNDLE);
    assert.strictEqual(list.code, 0, list.stderr);
    const ids = h.lines(list).map((l) => l.modelId);
    assert.ok(ids.includes(V1) && ids.includes(EMBED), list.stdout);
  });

  it('clean-up --yes on a generated account: the batch ends without a warning on stderr (the Ctrl+C signal takes every request)', async () => {
    h = await startCli({ fixture: generatedFixture(4, 8) });
    const r = await runProcess(['clean-up', '--keep-newest', '3', '--yes', '--json'], h.env, h.dir, 40_000, BUNDLE);
    assert.strictEqual(r.code, 0, r.stderr);
    assert.ok(!/Warning/.test(r.stderr), r.stderr);
    const deleted = h.lines(r).filter((l) => l.type === 'delete' && l.result === 'deleted').length;
    assert.ok(deleted >= 10, r.stdout); // at most 3 kept per model, and the few it protects
    assert.strictEqual(h.emulator.store.versions.size, 32 - deleted);
  });

  it('mcp (dist/mcp.js, loaded by dist/cli.js) lists the six tools to the SDK client over stdio', async () => {
    const emulator = new QianfanEmulator();
    const url = await emulator.start();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'qianfan-bundle-'));
    const client = new Client({ name: 'qianfan-models-test', version: '1.0.0' });
    try {
      await client.connect(
        new StdioClientTransport({
          command: process.execPath,
          args: [BUNDLE, 'mcp'],
          env: cliEnv(url, dir) as Record<string, string>,
          cwd: dir,
          stderr: 'pipe',
        }),
      );
      const { tools } = await client.listTools();
      assert.strictEqual(tools.length, 6);
      assert.ok(tools.some((t) => t.name === 'qianfan_deleteModelVersions'));
    } finally {
      await client.close();
      await emulator.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** A terminal: stdin and stderr that say they are one; each question is answered as it appears. */
async function onTerminal(
  h: CliHarness,
  argv: string[],
  answers: [RegExp, string | ((question: string) => string)][],
): Promise<{ code: number; stderr: string; stdout: string; asked: string[] }> {
  const stdin = Object.assign(new PassThrough(), { isTTY: true });
  const stderr = Object.assign(new PassThrough(), { isTTY: true, columns: 100 });
  const stdout = Object.assign(new PassThrough(), { isTTY: false });
  let err = '';
  let out = '';
  const asked: string[] = [];
  const pending = [...answers];
  stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
  stderr.on('data', (d: Buffer) => {
    err += d.toString('utf8');
    const next = pending[0];
    if (next && next[0].test(err)) {
      pending.shift();
      asked.push(next[0].source);
      err += '\n'; // the next question is judged on what comes after this one
      stdin.write(`${typeof next[1] === 'function' ? next[1](err) : next[1]}\n`);
    }
  });
  const code = await runCli({
    argv,
    env: h.env,
    stdout,
    stderr,
    stdin,
    signal: new AbortController().signal,
    startMcp: () => Promise.reject(new Error('not here')),
  });
  stdin.end();
  assert.deepStrictEqual(pending, [], `not asked: ${pending.map((p) => p[0].source).join(', ')}\n${err}`);
  return { code, stderr: err, stdout: out, asked };
}

describe('the command line asks a person at a terminal', function () {
  this.timeout(60_000);
  let h: CliHarness;
  beforeEach(async () => (h = await startCli({ services: [{ serviceId: 'svc-support1', name: 'support-bot', modelId: V2, runStatus: 'Serving' }] })));
  afterEach(async () => await h.stop());
  const has = (id: string) => h.emulator.store.versions.has(id);

  it('deletes two versions when the count is typed, and nothing on another answer', async () => {
    const no = await onTerminal(h, ['delete', V1, EMBED], [[/Type 2: $/, '3']]);
    assert.strictEqual(no.code, 0);
    assert.ok(has(V1) && has(EMBED), 'a wrong count deletes nothing');
    assert.match(no.stderr, /Nothing deleted: add --yes to delete\./);
    const yes = await onTerminal(h, ['delete', V1, EMBED], [[/Delete 2 model versions\? This cannot be undone\. Type 2: $/, '2']]);
    assert.strictEqual(yes.code, 0, yes.stderr);
    assert.ok(!has(V1) && !has(EMBED), 'the typed count deletes both');
  });

  it('looks at the services again after the answer: a version a service started running meanwhile is kept', async () => {
    const started = () => {
      h.emulator.services.push({ serviceId: 'svc-new', name: 'new-bot', modelId: V1, runStatus: 'Serving' });
      return '2';
    };
    const r = await onTerminal(h, ['delete', V1, EMBED], [[/Type 2: $/, started]]);
    assert.strictEqual(r.code, 3, r.stderr);
    assert.ok(has(V1), 'the version a service now runs is kept');
    assert.ok(!has(EMBED), 'the other is deleted');
    assert.match(r.stdout + r.stderr, /it runs in "new-bot" \(svc-new, Serving\) since it was checked/);
  });

  it('clean-up: after the typed count, versions a service started running meanwhile are kept', async () => {
    const before = [...h.emulator.store.versions.keys()];
    const deployAll = (question: string) => {
      for (const modelId of before) {
        h.emulator.services.push({ serviceId: `svc-${modelId}`, name: `bot-${modelId}`, modelId, runStatus: 'Serving' });
      }
      return /Type (\d+): \n?$/.exec(question)![1];
    };
    const r = await onTerminal(h, ['clean-up', '--keep-newest', '1'], [[/Type \d+: $/, deployAll]]);
    assert.strictEqual(r.code, 1, r.stderr);
    assert.deepStrictEqual([...h.emulator.store.versions.keys()], before, 'nothing deleted');
    assert.match(r.stdout + r.stderr, /since it was checked/);
  });

  it('deletes a version a service runs only when its ID is typed (then yes)', async () => {
    const skipped = await onTerminal(h, ['delete', V2], [[/runs in .*support-bot.*Type its ID to delete it anyway \(Enter skips\): $/, '']]);
    assert.strictEqual(skipped.code, 1);
    assert.ok(has(V2));
    const typed = await onTerminal(
      h,
      ['delete', V2],
      [
        [/Type its ID to delete it anyway \(Enter skips\): $/, V2],
        [/This cannot be undone\. Type yes: $/, 'yes'],
      ],
    );
    assert.strictEqual(typed.code, 0, typed.stderr);
    assert.ok(!has(V2));
  });
});
