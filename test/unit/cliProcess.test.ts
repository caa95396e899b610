/**
 * `qianfan-models` as a process against the emulator on 127.0.0.1: every command, the --json
 * lines against their schema, the exit codes (0 done, 1 failed, 2 usage, 3 partly), bad input
 * (nothing sent), the protections of delete and clean-up, export once, the verified download,
 * no secret in any output, and a dialect other than the default.
 */
import * as assert from 'assert';
import { createHash } from 'crypto';
import { existsSync, readFileSync, readdirSync } from 'fs';
import * as path from 'path';
import { DIALECTS } from '../emulator/dialects';
import { DEMO_SECRET_KEY } from '../emulator/fixture';
import { type CliHarness, type Run, startCli } from '../support/cliProcess';

const V1 = 'amv-g73j3faikzpz'; // customer-support-zh / V1, Ready
const V2 = 'amv-34qkndzjf111'; // customer-support-zh / V2, Ready
const V3 = 'amv-k2m9x7c4q1ab'; // customer-support-zh / V3, Creating
const NEWS_V2 = 'amv-z9x8c7v6b5nm'; // news-summarizer / V2, Fail
const EMBED = 'amv-a1s2d3f4g5h6'; // doc-embedding / V1, Ready
const SUPPORT = 'am-gh0azfeb9adu';

/** Nothing secret in what a run wrote: no secret key, no signed URL, no signature. */
function noSecrets(run: Run): void {
  const all = run.stdout + run.stderr;
  assert.ok(!all.includes(DEMO_SECRET_KEY), 'the secret key was printed');
  assert.ok(!/authorization=|issued=|bce-auth-v1\//i.test(all), `a signed URL or signature was printed: ${all.slice(0, 300)}`);
}

function versionsIn(h: CliHarness): string[] {
  return [...h.emulator.store.versions.keys()];
}

describe('qianfan-models (the command line, as a process)', function () {
  this.timeout(60_000);
  let h: CliHarness;
  afterEach(async () => h?.stop());

  describe('bad input: one line, exit 2, nothing sent', () => {
    beforeEach(async () => (h = await startCli()));

    const cases: [string, string[], NodeJS.ProcessEnv, RegExp][] = [
      ['an unknown option', ['list', '--bogus'], {}, /unknown option '--bogus'/],
      ['an unknown command', ['lsit'], {}, /unknown command 'lsit'/],
      ['a malformed version ID', ['describe', 'amv-NOT'], {}, /not a model version ID|lower-case/],
      ['a model ID where a version is needed', ['delete', SUPPORT], {}, /model ID/],
      ['a malformed model ID', ['list', '--model', 'am-!'], {}, /not a model ID/],
      ['no access key', ['list'], { QIANFAN_ACCESS_KEY: '' }, /QIANFAN_ACCESS_KEY and QIANFAN_SECRET_KEY/],
      ['a malformed secret key', ['list'], { QIANFAN_SECRET_KEY: 'short' }, /secret key/],
      ['plain http to another host', ['list', '--endpoint', 'http://example.com'], {}, /https/],
      ['two clean-up rules', ['clean-up', '--failed', '--keep-newest', '2'], {}, /one rule/],
      ['no clean-up rule', ['clean-up'], {}, /one rule/],
      ['a rule that is not a whole number', ['clean-up', '--keep-newest', '0'], {}, /whole number/],
      ['a missing argument', ['download'], {}, /missing required argument/],
    ];
    for (const [what, args, env, message] of cases) {
      it(what, async () => {
        const human = await h.run(args, env);
        assert.strictEqual(human.code, 2, human.stderr);
        assert.match(human.stderr, message);
        assert.strictEqual(human.stderr.trim().split('\n').length, 1, `one line: ${human.stderr}`);
        assert.strictEqual(human.stdout, '');
        const json = await h.run(['--json', ...args], env);
        assert.strictEqual(json.code, 2);
        const [error] = h.lines(json);
        assert.strictEqual((error.error as { code: string }).code, 'usage');
        assert.strictEqual(h.sent(), 0, 'a request was sent');
      });
    }

    it('--help on every command, and --version', async () => {
      for (const command of ['', 'list', 'describe', 'services', 'delete', 'clean-up', 'export', 'download', 'mcp']) {
        const r = await h.run([...(command ? [command] : []), '--help']);
        assert.strictEqual(r.code, 0, command);
        assert.match(r.stdout, new RegExp(`Usage: qianfan-models${command ? ` ${command}` : ''}`), command);
      }
      const v = await h.run(['--version']);
      assert.strictEqual(v.code, 0);
      assert.match(v.stdout.trim(), /^\d+\.\d+\.\d+$/);
      assert.strictEqual(h.sent(), 0);
    });
  });

  describe('reading', () => {
    beforeEach(async () => (h = await startCli({ services: [{ serviceId: 'svc-support1', name: 'support-bot', modelId: V2, runStatus: 'Serving' }] })));

    it('list: every version of the account, as JSON lines and as an aligned table without colour when not on a terminal', async () => {
      const json = await h.run(['list', '--json']);
      assert.strictEqual(json.code, 0, json.stderr);
      const lines = h.lines(json);
      assert.deepStrictEqual(lines.map((l) => l.modelId).sort(), versionsIn(h).sort());
      assert.ok(lines.every((l) => l.type === 'version'));
      const human = await h.run(['list']);
      assert.strictEqual(human.code, 0);
      const rows = human.stdout.trim().split('\n');
      assert.match(rows[0], /^MODEL\s+MODEL ID\s+VERSION\s+VERSION ID$/);
      assert.strictEqual(rows.length, 1 + lines.length);
      const column = rows[0].indexOf('VERSION ID');
      assert.ok(
        rows.slice(1).every((r) => r.slice(column, column + 4) === 'amv-'),
        'the IDs line up',
      );
      assert.ok(!human.stdout.includes('\u001b['), 'no colour codes when stdout is not a terminal');
    });

    it("list: the view's filter (words and status:), --model and --details", async () => {
      const ready = h.lines(await h.run(['list', '--json', 'support', 'status:Ready']));
      assert.deepStrictEqual(ready.map((l) => l.modelId).sort(), [V2, V1].sort());
      assert.ok(ready.every((l) => l.status === 'Ready' && typeof l.createTime === 'string'));
      const model = h.lines(await h.run(['list', '--json', '--model', 'am-q1w2e3r4t5y6']));
      assert.deepStrictEqual(
        model.map((l) => l.modelId),
        [EMBED],
      );
    });

    it('describe: a version (its export without a URL) and a model', async () => {
      const v = h.lines(await h.run(['describe', V1, '--json']));
      assert.strictEqual(v.length, 1);
      assert.strictEqual(v[0].type, 'version');
      assert.strictEqual(v[0].status, 'Ready');
      const m = h.lines(await h.run(['--json', 'describe', SUPPORT]));
      assert.strictEqual(m[0].type, 'model');
      assert.strictEqual((m[0].versions as unknown[]).length, 3);
      const human = await h.run(['describe', V1]);
      assert.match(human.stdout, /^Status\s+Ready$/m);
    });

    it('services: which services run which versions', async () => {
      const named = h.lines(await h.run(['services', V1, V2, '--json']));
      assert.deepStrictEqual(
        named.map((l) => [l.modelId, (l.services as { serviceId: string }[]).map((s) => s.serviceId)]),
        [
          [V1, []],
          [V2, ['svc-support1']],
        ],
      );
      const all = h.lines(await h.run(['services', '--json']));
      assert.deepStrictEqual(
        all.map((l) => l.modelId),
        [V2],
      );
    });

    it('an error of the service is a JSON object and exit 1; the secret key is never printed', async () => {
      const r = await h.run(['describe', 'amv-nosuchversion1', '--json']);
      assert.strictEqual(r.code, 1);
      const [e] = h.lines(r);
      assert.strictEqual(e.type, 'error');
      noSecrets(r);
      const wrong = await h.run(['list', '--json'], { QIANFAN_SECRET_KEY: 'e'.repeat(32) });
      assert.strictEqual(wrong.code, 1);
      assert.ok(!wrong.stdout.includes('e'.repeat(32)));
    });
  });

  describe('deleting', () => {
    beforeEach(async () => (h = await startCli({ services: [{ serviceId: 'svc-support1', name: 'support-bot', modelId: V2, runStatus: 'Serving' }] })));

    it('without --yes (and no terminal): the plan, nothing deleted, exit 0', async () => {
      const r = await h.run(['delete', V1, '--json']);
      assert.strictEqual(r.code, 0, r.stderr);
      assert.deepStrictEqual(
        h.lines(r).map((l) => l.result),
        ['planned'],
      );
      assert.ok(versionsIn(h).includes(V1));
      assert.strictEqual(h.emulator.count('DeleteModel'), 0);
    });

    it('with --yes: deleted; a version a service runs only when named again with --deployed; some of both is exit 3', async () => {
      const refused = await h.run(['delete', V2, '--yes', '--json']);
      assert.strictEqual(refused.code, 1);
      const [r] = h.lines(refused);
      assert.strictEqual(r.result, 'refused');
      assert.strictEqual(r.reason, 'deployed');
      assert.ok(versionsIn(h).includes(V2));
      const partly = await h.run(['delete', V1, V2, '--yes', '--json']);
      assert.strictEqual(partly.code, 3);
      assert.deepStrictEqual(Object.fromEntries(h.lines(partly).map((l) => [l.modelId, l.result])), { [V1]: 'deleted', [V2]: 'refused' });
      assert.ok(!versionsIn(h).includes(V1));
      const named = await h.run(['delete', V2, '--yes', '--deployed', V2]);
      assert.strictEqual(named.code, 0, named.stderr);
      assert.match(named.stdout, /deleted\s+.*amv-34qkndzjf111/);
      assert.ok(!versionsIn(h).includes(V2));
    });

    it('clean-up without --yes prints the plan with each kept reason; with --yes it deletes what the plan says', async () => {
      const plan = await h.run(['clean-up', '--keep-newest', '1', '--json']);
      assert.strictEqual(plan.code, 0, plan.stderr);
      const lines = h.lines(plan);
      const byId: Record<string, Record<string, unknown>> = Object.fromEntries(lines.map((l) => [String(l.modelId), l]));
      assert.strictEqual((byId[V2].reason as { kind: string }).kind, 'service');
      assert.strictEqual((byId[V3].reason as { kind: string }).kind, 'creating');
      const deleting = lines.filter((l) => l.action === 'delete').map((l) => l.modelId);
      assert.ok(deleting.length > 0);
      assert.strictEqual(h.emulator.count('DeleteModel'), 0);
      const human = await h.run(['clean-up', '--keep-newest', '1']);
      assert.match(human.stdout, /keep\s+customer-support-zh \/ V2 \(amv-34qkndzjf111\).*runs in service support-bot/);
      const done = await h.run(['clean-up', '--keep-newest', '1', '--yes', '--json']);
      assert.strictEqual(done.code, 0, done.stderr);
      const deleted = h
        .lines(done)
        .filter((l) => l.type === 'delete')
        .map((l) => l.modelId);
      assert.deepStrictEqual(deleted.sort(), deleting.sort());
      for (const id of deleting) {
        assert.ok(!versionsIn(h).includes(String(id)));
      }
      assert.ok(versionsIn(h).includes(V2) && versionsIn(h).includes(V3));
    });

    it('clean-up --failed --model: only that model; a model it would empty needs --allow-empty', async () => {
      const r = await h.run(['clean-up', '--failed', '--model', 'am-m0t1zde3x111', '--yes', '--json']);
      assert.strictEqual(r.code, 0, r.stderr);
      assert.deepStrictEqual(
        h
          .lines(r)
          .filter((l) => l.type === 'delete')
          .map((l) => l.modelId),
        [NEWS_V2],
      );
      const empty = await h.run(['clean-up', '--older-than', '1', '--model', 'am-q1w2e3r4t5y6', '--yes', '--json']);
      assert.strictEqual(empty.code, 1);
      assert.ok(h.lines(empty).some((l) => l.type === 'error' && (l.error as { code: string }).code === 'wouldEmptyModel'));
      assert.ok(versionsIn(h).includes(EMBED));
    });
  });

  describe('export and download', () => {
    beforeEach(async () => (h = await startCli()));

    it('export --wait: one export; asked again, the finished one is reported and none is started', async () => {
      const r = await h.run(['export', V1, '--wait', '--json']);
      assert.strictEqual(r.code, 0, r.stderr);
      const [done] = h.lines(r);
      assert.strictEqual(done.status, 'Done');
      assert.strictEqual(done.started, true);
      const again = h.lines(await h.run(['export', V1, '--json']));
      assert.strictEqual(again[0].status, 'Done');
      assert.strictEqual(again[0].started, false);
      assert.strictEqual(h.emulator.count('CreateModelExportTask'), 1);
      noSecrets(r);
    });

    it('export without --wait, then --wait follows the same export', async () => {
      h.emulator.store.exportDurationMs = 3_600_000; // running until the test says
      const first = h.lines(await h.run(['export', V2, '--json']));
      assert.strictEqual(first[0].status, 'Doing');
      // the export ends once the --wait run has seen it running (its first look), not at a time
      const looked = h.emulator.count('DescribeModelExportTask');
      const waiting = h.run(['export', V2, '--json', '--wait']);
      for (let i = 0; i < 3000 && h.emulator.count('DescribeModelExportTask') === looked; i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
      h.emulator.store.exportDurationMs = 0;
      const second = h.lines(await waiting);
      assert.strictEqual(second[0].status, 'Done');
      assert.strictEqual(second[0].exportId, first[0].exportId);
      assert.strictEqual(h.emulator.count('CreateModelExportTask'), 1);
    });

    it('an export started without --wait that has finished since: --wait reports it, none is started again', async () => {
      h.emulator.store.exportDurationMs = 0; // done as soon as it starts
      const first = h.lines(await h.run(['export', V2, '--json']));
      assert.strictEqual(first[0].status, 'Doing');
      const second = h.lines(await h.run(['export', V2, '--json', '--wait']));
      assert.deepStrictEqual([second[0].status, second[0].exportId, second[0].started], ['Done', first[0].exportId, false]);
      assert.strictEqual(h.emulator.count('CreateModelExportTask'), 1);
    });

    it('download: the file, its md5 verified; again: refused without --overwrite (exit 1); no signed URL printed', async () => {
      assert.strictEqual((await h.run(['export', EMBED, '--wait'])).code, 0);
      const described = await h.run(['describe', EMBED, '--json']);
      const exported = h.lines(described)[0].export as Record<string, unknown>;
      assert.deepStrictEqual(Object.keys(exported).sort(), ['exportId', 'fileName', 'fileSize', 'md5', 'status']);
      noSecrets(described);
      noSecrets(await h.run(['describe', EMBED]));
      const r = await h.run(['download', EMBED, '--out', 'models/', '--json']);
      assert.strictEqual(r.code, 0, r.stderr);
      const [d] = h.lines(r);
      const file = String(d.path);
      assert.strictEqual(path.dirname(file), path.join(h.dir, 'models'));
      assert.strictEqual(path.basename(file), 'doc-embedding-V1.tar.gz', 'named by model and version, not the export ID');
      assert.strictEqual(createHash('md5').update(readFileSync(file)).digest('hex'), d.md5);
      assert.deepStrictEqual(
        readdirSync(path.dirname(file)).filter((f) => f.endsWith('.part')),
        [],
      );
      noSecrets(r);
      const again = await h.run(['download', EMBED, '--out', 'models/', '--json']);
      assert.strictEqual(again.code, 1);
      assert.strictEqual((h.lines(again)[0].error as { code: string }).code, 'targetExists');
      const human = await h.run(['download', EMBED, '--out', file, '--overwrite']);
      assert.strictEqual(human.code, 0, human.stderr);
      assert.match(human.stdout, /md5 [0-9a-f]{32} verified/);
      noSecrets(human);
    });

    it('download without a finished export: exit 1, notReady', async () => {
      const r = await h.run(['download', V2, '--json']);
      assert.strictEqual(r.code, 1);
      assert.strictEqual((h.lines(r)[0].error as { code: string }).code, 'notReady');
      assert.ok(!existsSync(path.join(h.dir, `${V2}.tar.gz`)));
    });
  });

  describe('under the "sdk" dialect (errors in headers, services split by protocol, the version as modelVersionId)', () => {
    beforeEach(
      async () =>
        (h = await startCli({
          dialect: DIALECTS.sdk,
          services: [{ serviceId: 'svc-support2', name: 'support-bot', modelId: V2, runStatus: 'Serving', protocolVersion: 2 }],
        })),
    );

    it('list, services, a refused and a done delete, and an error', async () => {
      assert.strictEqual(h.lines(await h.run(['list', '--json'])).length, versionsIn(h).length);
      const s = h.lines(await h.run(['services', V2, '--json']));
      assert.deepStrictEqual(
        (s[0].services as { serviceId: string }[]).map((x) => x.serviceId),
        ['svc-support2'],
      );
      const d = await h.run(['delete', V1, V2, '--yes', '--json']);
      assert.strictEqual(d.code, 3);
      const e = await h.run(['describe', 'amv-nosuchversion1', '--json']);
      assert.strictEqual(e.code, 1);
      assert.strictEqual(h.lines(e)[0].type, 'error');
    });
  });
});
