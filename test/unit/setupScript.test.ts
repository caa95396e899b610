/**
 * scripts/setup-vscode-server.sh runs from inside `npm test` / `npm start`: the npm it starts must
 * not inherit the outer npm's environment (an inherited npm_config_user_agent made code-server's
 * postinstall refuse Node 24, on every fresh machine). A fake `npm` first on PATH records what it got.
 */
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const SCRIPT = path.join(ROOT, 'scripts', 'setup-vscode-server.sh');

const FAKE_NPM = `#!/usr/bin/env bash
# Records the environment of each call and makes what a real install leaves behind.
{ echo "CALL $*"; env | sed -n 's/^\\([A-Za-z_][A-Za-z0-9_]*\\)=.*/VAR \\1/p'; echo "PATH=$PATH"; } >> "$FAKE_LOG"
case "$*" in
  *node@*)
    mkdir -p node_modules/node/bin node_modules/node/include/node
    printf '#!/bin/sh\\necho v24.0.0\\n' > node_modules/node/bin/node
    chmod +x node_modules/node/bin/node ;;
  *code-server@*)
    mkdir -p node_modules/code-server/lib/vscode/out node_modules/code-server/out/node
    touch node_modules/code-server/lib/vscode/out/server-main.js node_modules/code-server/out/node/entry.js ;;
esac
`;

/** What the script sets on purpose for the code-server install. */
const DELIBERATE = ['npm_config_build_from_source', 'npm_config_dangerously_allow_all_scripts', 'npm_config_nodedir'];

describe('setup-vscode-server.sh', function () {
  this.timeout(20_000);
  let dir: string;
  let log: string;
  let env: NodeJS.ProcessEnv;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'qf-setup-'));
    mkdirSync(path.join(dir, 'bin'));
    writeFileSync(path.join(dir, 'bin', 'npm'), FAKE_NPM);
    chmodSync(path.join(dir, 'bin', 'npm'), 0o755);
    log = path.join(dir, 'calls.log');
    // What `npm test` hands its child processes.
    env = {
      HOME: dir,
      PATH: `${path.join(ROOT, 'node_modules', '.bin')}:${path.join(dir, 'bin')}:${process.env.PATH ?? ''}`,
      QIANFAN_VSCODE_CACHE: path.join(dir, 'cache'),
      FAKE_LOG: log,
      npm_config_user_agent: 'npm/11.19.1 node/v20.20.2 linux x64 workspaces/false',
      npm_lifecycle_event: 'test',
      npm_package_name: 'qianfan-models',
      npm_execpath: '/usr/lib/node_modules/npm/bin/npm-cli.js',
      NPM_CONFIG_CACHE: path.join(dir, 'npm-cache'),
      INIT_CWD: ROOT,
      NODE: process.execPath,
    };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const calls = () =>
    readFileSync(log, 'utf8')
      .split(/^CALL /m)
      .filter((c) => c.trim() !== '')
      .map((c) => ({
        args: c.split('\n')[0],
        vars: [...c.matchAll(/^VAR (\S+)$/gm)].map((m) => m[1]),
        path: /^PATH=(.*)$/m.exec(c)?.[1] ?? '',
      }));

  it('gives the nested npm a clean environment: no inherited npm_* variables, no node_modules/.bin on PATH', () => {
    execFileSync('bash', [SCRIPT, '4.139.1'], { env, stdio: 'pipe' });
    const all = calls();
    assert.deepStrictEqual(
      all.map((c) => c.args.replace(/\s.*(node@|code-server@)/, ' $1')),
      ['install node@24', 'install code-server@4.139.1'],
    );
    for (const call of all) {
      const npmVars = call.vars.filter((v) => /^(npm_|init_cwd$|node$)/i.test(v));
      assert.deepStrictEqual(
        npmVars.filter((v) => !DELIBERATE.includes(v)),
        [],
        `${call.args}: inherited ${npmVars.join(', ')}`,
      );
      assert.ok(!call.path.includes('node_modules/.bin'), `${call.args}: PATH ${call.path}`);
    }
    assert.deepStrictEqual(all[1].vars.filter((v) => DELIBERATE.includes(v)).sort(), DELIBERATE);
  });

  it('records where the server is, and reuses it on the next run without calling npm', () => {
    execFileSync('bash', [SCRIPT, '4.93.1'], { env, stdio: 'pipe' });
    const marker = path.join(dir, 'cache', 'server-4.93.1.json');
    const installed = JSON.parse(readFileSync(marker, 'utf8')) as Record<string, string>;
    assert.strictEqual(installed.version, '4.93.1');
    for (const key of ['node', 'serverMain', 'entry']) {
      assert.ok(existsSync(installed[key]), `${key}: ${installed[key]}`);
    }
    assert.match(calls()[0].args, /node@20/, 'VS Code 1.93 runs on Node 20');
    const before = calls().length;
    const again = execFileSync('bash', [SCRIPT, '4.93.1'], { env, encoding: 'utf8' });
    assert.match(again, /reusing code-server 4\.93\.1/);
    assert.strictEqual(calls().length, before);
  });
});
