/**
 * `npm run bench`: this extension against Baidu's official JavaScript SDK (@baiducloud/qianfan,
 * consoleAction), side by side in one run against the local emulator. Installs the official SDK
 * into .bench/ (ignored; never a dependency of the extension) and prints one table; then the
 * rate-limited deletes, the expand order at a rate limit and the tree in a real extension host.
 */
import { execFile, execFileSync } from 'child_process';
import { promisify } from 'util';
import { build } from 'esbuild';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'fs';
import { createRequire } from 'module';
import * as path from 'path';
import { BceSigner, formatBceTimestamp } from '../../src/core/qianfan/signer';
import { QianfanEmulator } from '../emulator/emulator';
import { BaiduAuth } from '../emulator/officialAuth';
import { generatedFixture } from '../emulator/fixture';
import { launchBrowser, startServer } from '../support/vscodeServer';
import { RATED_DELETES, RATE_GOAL, RATE_LIMIT, type RatedRow, type SideResult, type Who, percent, ratedDeletes, ratedTable } from './rated';
import { BENCH_FIXTURE, DEFAULT_CONCURRENCY, DELETES, OFFICIAL_DIR, ROOT } from './side';
import { expandOrderBench, expandOrderTable } from './expandOrder';
import { treeBench, treeTable } from './tree';

const OFFICIAL_VERSION = '0.2.4';
const LATENCY_MS = 50;
const LOAD_RUNS = 7;
const AK = 'a'.repeat(32);
const SK = 'b'.repeat(32);

interface Row {
  what: string;
  ours: number;
  official: number;
  unit: string;
  /** true when smaller is better */
  lower: boolean;
  note?: string;
}

function ensureOfficialSdk(): void {
  if (existsSync(path.join(OFFICIAL_DIR, 'package.json'))) {
    return;
  }
  const dir = path.join(ROOT, '.bench');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), '{ "private": true }\n');
  console.log(`bench: installing @baiducloud/qianfan@${OFFICIAL_VERSION} into .bench/ (for the benchmark only)`);
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', `@baiducloud/qianfan@${OFFICIAL_VERSION}`], { cwd: dir, stdio: 'inherit' });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function officialBundleBytes(): Promise<number> {
  const out = path.join(ROOT, '.bench', 'official-bundle.js');
  await build({
    stdin: { contents: "export { consoleAction } from '@baiducloud/qianfan';", resolveDir: path.join(ROOT, '.bench'), loader: 'js' },
    bundle: true,
    platform: 'node',
    minify: true,
    format: 'cjs',
    outfile: out,
    logLevel: 'error',
  });
  return statSync(out).size;
}

function loadTimeMs(script: string): number {
  const runs: number[] = [];
  for (let i = 0; i < LOAD_RUNS; i++) {
    const out = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    runs.push(Number(out.trim()));
  }
  return median(runs);
}

const OURS_LOAD = `
const M = require('module'); const load = M._load;
M._load = function (r, ...a) { return r === 'vscode' ? {} : load.call(this, r, ...a); };
const t = performance.now(); require(${JSON.stringify(path.join(ROOT, 'dist', 'extension.js'))}); console.log(performance.now() - t);`;
const OFFICIAL_LOAD = `const t = performance.now(); require(${JSON.stringify(OFFICIAL_DIR)}); console.log(performance.now() - t);`;

/** Signatures per second of `sign(i)` over about one second, after a warm-up. */
function perSecond(sign: (i: number) => string): number {
  for (let i = 0; i < 2000; i++) {
    sign(i);
  }
  let n = 0;
  const started = performance.now();
  while (performance.now() - started < 1000) {
    for (let k = 0; k < 500; k++) {
      sign(n++);
    }
  }
  return n / ((performance.now() - started) / 1000);
}

async function signing(): Promise<Row[]> {
  const base = 1_700_000_000;
  const headers = (ts: number) => ({ host: 'qianfan.baidubce.com', 'x-bce-date': formatBceTimestamp(ts), 'content-type': 'application/json' });
  const signer = new BceSigner({ accessKeyId: AK, secretAccessKey: SK });
  const signed = ['host', 'x-bce-date']; // one constant list, as the client passes
  const oursSign = (i: number) =>
    signer.sign({
      method: 'POST',
      path: '/v2/model',
      query: { Action: 'DeleteModel' },
      headers: headers(base + i),
      headersToSign: signed,
      timestampSeconds: base + i,
    }).authorization;
  const sdk = new BaiduAuth(AK, SK);
  const sdkSign = (i: number) => sdk.generateAuthorization('POST', '/v2/model', { Action: 'DeleteModel' }, headers(base + i), base + i, 1800, signed);
  // @baiducloud/qianfan does not export its signer; bundle its own source file to call it.
  const authFile = path.join(ROOT, '.bench', 'qianfan-auth.js');
  await build({
    entryPoints: [path.join(OFFICIAL_DIR, 'src', 'HttpClient', 'auth.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    outfile: authFile,
    logLevel: 'error',
  });
  const QianfanAuth = (createRequire(__filename)(authFile) as { default: typeof BaiduAuth }).default;
  const qf = new QianfanAuth(AK, SK);
  const qfSign = (i: number) => qf.generateAuthorization('POST', '/v2/model', { Action: 'DeleteModel' }, headers(base + i), base + i, 1800, signed);
  for (const [name, f] of [
    ['@baiducloud/sdk', sdkSign],
    ['@baiducloud/qianfan', qfSign],
  ] as const) {
    if (f(7) !== oursSign(7)) {
      throw new Error(`bench: ${name} and our signer disagree`);
    }
  }
  const ours = perSecond(oursSign);
  const oursSameSecond = perSecond(() => oursSign(0));
  return [
    { what: 'signatures/s vs @baiducloud/sdk (new second each)', ours, official: perSecond(sdkSign), unit: '/s', lower: false },
    { what: 'signatures/s vs @baiducloud/qianfan (new second each)', ours, official: perSecond(qfSign), unit: '/s', lower: false },
    {
      what: 'signatures/s, many in one second (key reused)',
      ours: oursSameSecond,
      official: perSecond(() => sdkSign(0)),
      unit: '/s',
      lower: false,
      note: 'vs @baiducloud/sdk',
    },
  ];
}

/** Runs one side in a child process; asynchronously, since the emulator answers from this one. */
async function side(who: Who, task: 'list' | 'delete', endpoint: string, extra: string[]): Promise<SideResult> {
  const { stdout } = await promisify(execFile)(process.execPath, [path.join(__dirname, 'side.js'), who, task, endpoint, ...extra], {
    encoding: 'utf8',
    maxBuffer: 1 << 22,
  });
  return JSON.parse(stdout.trim().split('\n').pop()!) as SideResult;
}

function format(value: number, unit: string): string {
  if (unit === '/s') {
    return `${Math.round(value).toLocaleString('en-US')}/s`;
  }
  if (unit === 'KB') {
    return `${(value / 1024).toFixed(1)} KB`;
  }
  if (unit === 'MB') {
    return `${(value / 1024).toFixed(1)} MB`;
  }
  if (unit === 'ms') {
    return `${value.toFixed(value < 100 ? 1 : 0)} ms`;
  }
  return `${value} ${unit}`;
}

function table(rows: Row[]): string {
  const lines = ['| measure | this extension | official SDK | ours is |', '| --- | ---: | ---: | ---: |'];
  for (const r of rows) {
    const ratio = r.lower ? r.official / r.ours : r.ours / r.official;
    const verdict = ratio >= 1 ? `${ratio.toFixed(1)}× better` : `${(1 / ratio).toFixed(1)}× worse`;
    lines.push(`| ${r.what}${r.note ? ` (${r.note})` : ''} | ${format(r.ours, r.unit)} | ${format(r.official, r.unit)} | ${verdict} |`);
  }
  return lines.join('\n');
}

function findFile(dir: string, name: string): string | undefined {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    const found = entry.isDirectory() ? findFile(p, name) : entry.name === name ? p : undefined;
    if (found) {
      return found;
    }
  }
  return undefined;
}

/** Activation time in a real VS Code (the server's extension host), as the extension logs it. */
async function activationMs(): Promise<number> {
  execFileSync('npm', ['run', '--silent', 'package'], { cwd: ROOT, stdio: 'ignore' });
  const server = await startServer({ installExtension: path.join(ROOT, 'qianfan-models.vsix'), settings: { 'security.workspace.trust.enabled': false } });
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    await page.goto(`${server.url}/?folder=${encodeURIComponent(ROOT)}`);
    await page.locator('.activitybar [aria-label^="Qianfan"]').first().click({ timeout: 60_000 });
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const log = findFile(server.dataDir, 'Qianfan.log');
      const m = log ? /activated in ([\d.]+) ms/.exec(readFileSync(log, 'utf8')) : null;
      if (m) {
        return Number(m[1]);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error('bench: the extension did not log its activation');
  } finally {
    await browser.close();
    await server.stop();
  }
}

async function main(): Promise<void> {
  ensureOfficialSdk();
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
  const rows: Row[] = [];
  rows.push({
    what: 'bundle size (minified)',
    ours: statSync(path.join(ROOT, 'dist', 'extension.js')).size,
    official: await officialBundleBytes(),
    unit: 'KB',
    lower: true,
    note: 'whole extension vs consoleAction alone',
  });
  rows.push({
    what: `module load, median of ${LOAD_RUNS} fresh processes`,
    ours: loadTimeMs(OURS_LOAD),
    official: loadTimeMs(OFFICIAL_LOAD),
    unit: 'ms',
    lower: true,
  });
  const activation = await activationMs();
  const tree = await treeBench();
  const order = await expandOrderBench();
  rows.push(...(await signing()));

  const emulator = new QianfanEmulator({ fixture: generatedFixture(BENCH_FIXTURE.models, BENCH_FIXTURE.versionsPerModel), latencyMs: LATENCY_MS });
  const endpoint = await emulator.start();
  let rated: RatedRow[];
  try {
    const count = (action: string) => emulator.count(action);
    const runSide = async (who: 'ours' | 'official', task: 'list' | 'delete', action: string, ...extra: string[]) => {
      const before = count(action);
      const result = await side(who, task, endpoint, extra);
      return { ...result, requests: count(action) - before };
    };
    const listOurs = await runSide('ours', 'list', 'DescribeCustomModelSets');
    const listOfficial = await runSide('official', 'list', 'DescribeCustomModelSets');
    const delOurs = await runSide('ours', 'delete', 'DeleteModel', '0', String(DEFAULT_CONCURRENCY));
    const delOfficial = await runSide('official', 'delete', 'DeleteModel', '1');
    const delOurs16 = await runSide('ours', 'delete', 'DeleteModel', '2', '16');
    const checks = [
      ['list ours', listOurs, 10_000],
      ['list official', listOfficial, 10_000],
      ['delete ours', delOurs, DELETES],
      ['delete official', delOfficial, DELETES],
      ['delete ours ×16', delOurs16, DELETES],
    ] as const;
    for (const [name, r, expected] of checks) {
      if (r.ok !== expected || r.failed !== 0) {
        throw new Error(`bench: ${name}: ${r.ok} of ${expected} succeeded, ${r.failed} failed`);
      }
    }
    rows.push({
      what: `bulk delete, ${DELETES} × DeleteModel, ${LATENCY_MS} ms latency`,
      ours: delOurs.ms,
      official: delOfficial.ms,
      unit: 'ms',
      lower: true,
      note: `concurrency ${DEFAULT_CONCURRENCY} vs a plain loop; all ${DELETES} succeeded on both`,
    });
    rows.push({ what: `bulk delete as above, qianfan.maxConcurrentRequests = 16`, ours: delOurs16.ms, official: delOfficial.ms, unit: 'ms', lower: true });
    rows.push({
      what: `list 1,000 models / 10,000 versions, ${LATENCY_MS} ms latency`,
      ours: listOurs.ms,
      official: listOfficial.ms,
      unit: 'ms',
      lower: true,
      note: `${listOurs.requests} vs ${listOfficial.requests} requests`,
    });
    rows.push({ what: 'peak memory (max RSS) of the delete run', ours: delOurs.maxRssKb, official: delOfficial.maxRssKb, unit: 'MB', lower: true });
    rows.push({ what: 'peak memory (max RSS) of the list run', ours: listOurs.maxRssKb, official: listOfficial.maxRssKb, unit: 'MB', lower: true });
    rated = await ratedDeletes(emulator, (who, extra) => side(who, 'delete', endpoint, extra));
  } finally {
    await emulator.stop();
  }
  console.log(`\nQianfan Models vs @baiducloud/qianfan@${OFFICIAL_VERSION} (Node ${process.versions.node}, ${new Date().toISOString().slice(0, 10)})\n`);
  console.log(table(rows));
  console.log(
    `\nBulk delete of ${RATED_DELETES.toLocaleString('en-US')} versions, ${LATENCY_MS} ms latency, the emulator limited to ${RATE_LIMIT} requests/s\n`,
  );
  console.log(ratedTable(rated));
  const adaptive = rated[0];
  if (adaptive.perSecond < RATE_GOAL * RATE_LIMIT) {
    console.log(`\ngoal missed: the adaptive client reached ${percent(adaptive.perSecond)} of the limit (goal ${RATE_GOAL * 100} %)`);
  }
  console.log(`\nWhat the user opens comes first, at a rate limit (this extension alone):\n\n${expandOrderTable(order)}`);
  console.log(`\nactivation of the installed extension in the VS Code server's extension host: ${activation.toFixed(1)} ms (the SDK has no counterpart)`);
  console.log(`\nThe tree in a real extension host (code-server 4.139.1):\n\n${treeTable(tree)}`);
}

main().catch((error) => {
  console.error((error as Error).stack ?? error);
  process.exit(1);
});
