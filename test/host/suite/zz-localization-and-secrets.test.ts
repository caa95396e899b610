/** Runs last: localization completeness, and a scan of everything logged during the suite. */
import * as assert from 'assert';
import { readFileSync } from 'fs';
import { createRequire } from 'module';
import * as path from 'path';
import { DEMO_SECRET_KEY, allNotifications, extensionApi, ourExtension, readLogs } from './harness';

const root = () => ourExtension()!.extensionPath;
const json = (file: string) => JSON.parse(readFileSync(path.join(root(), file), 'utf8')) as Record<string, string>;

describe('localization', () => {
  it('package.nls.json and package.nls.zh-cn.json have the same keys, none empty', () => {
    const en = json('package.nls.json');
    const zh = json('package.nls.zh-cn.json');
    assert.deepStrictEqual(Object.keys(zh).sort(), Object.keys(en).sort());
    for (const [k, v] of Object.entries(zh)) {
      assert.ok(v.trim() && /[\u4e00-\u9fff]/.test(v), `${k} is translated`);
    }
  });

  it('every %key% in package.json is in package.nls.json', () => {
    const manifest = readFileSync(path.join(root(), 'package.json'), 'utf8');
    const en = json('package.nls.json');
    const used = [...manifest.matchAll(/"%([^%"]+)%"/g)].map((m) => m[1]);
    assert.ok(used.length > 20);
    assert.deepStrictEqual(
      used.filter((k) => !(k in en)),
      [],
    );
  });

  it('every vscode.l10n.t() string has a Chinese translation, and the bundle has nothing stale', () => {
    const { l10nKeys } = createRequire(__filename)(path.join(root(), 'scripts', 'l10nKeys.js')) as { l10nKeys(this: void, root: string): string[] };
    const keys = l10nKeys(root());
    const zh = json('l10n/bundle.l10n.zh-cn.json');
    assert.ok(keys.length > 50);
    assert.deepStrictEqual(
      keys.filter((k) => !zh[k]),
      [],
    );
    assert.deepStrictEqual(
      Object.keys(zh).filter((k) => !keys.includes(k)),
      [],
    );
    const placeholders = (s: string) => (s.match(/\{\d+\}/g) ?? []).sort().join();
    assert.deepStrictEqual(
      keys.filter((k) => placeholders(k) !== placeholders(zh[k])),
      [],
      'placeholders match',
    );
  });
});

describe('secrets in what the extension logged', () => {
  it('the secret key and full signatures appear nowhere in the log files of this whole suite', async () => {
    const api = await extensionApi();
    const logs = readLogs(api.logDirectory);
    assert.ok(logs.split('\n').length > 20, 'the suite logged requests');
    assert.ok(!logs.includes(DEMO_SECRET_KEY), 'no secret key');
    assert.ok(!/bce-auth-v1\/[^\s]*\/[0-9a-f]{64}/.test(logs), 'no full signature');
    assert.ok(!/[0-9a-f]{64}/.test(logs), 'no signing key or signature hex at all');
  });
});

describe('secrets in what the extension showed', () => {
  it('no notification of the whole suite contains the secret key or a signature', () => {
    assert.ok(allNotifications.length > 30, 'the suite showed notifications');
    const text = allNotifications.map((n) => `${n.message} ${n.actions.join(' ')}`).join('\n');
    assert.ok(!text.includes(DEMO_SECRET_KEY));
    assert.ok(!/bce-auth-v1|[0-9a-f]{64}/.test(text));
  });
});
