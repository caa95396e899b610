/**
 * The command line against the official SDK, in one run (issue 32). Build first (`npm run build`:
 * it times dist/cli.js as it ships), and have the SDK in .bench/ (`npm run bench` installs it), then
 * `npx tsc -p tsconfig.test.json && node out/test/bench/cli.js [models] [versions] [rate] [latencyMs] [ours-only]`
 * (defaults: the 200 × 40 at 50 requests/s and 100 ms; the official loop then takes about
 * half an hour, `ours-only` leaves it out):
 * 1. start-up, cold processes, median of 7 (taken in turn, A B A B …): `qianfan-models --version`
 *    and `qianfan-models list --json` against the emulator (the demo account, no latency) vs a Node
 *    script that loads the SDK and prints its version, and one that lists with consoleAction;
 * 2. `qianfan-models clean-up --keep-newest 3 --yes --json` on a generated account, timed against
 *    the bound the rate limit sets (the requests it needed ÷ the rate), vs the official loop
 *    (cliOfficial.ts); both must leave the same versions.
 */
import { spawn } from 'child_process';
import { mkdtempSync, rmSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { QianfanEmulator } from '../emulator/emulator';
import { generatedFixture } from '../emulator/fixture';
import { cliEnv } from '../support/cliProcess';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const OFFICIAL = path.join(__dirname, 'cliOfficial.js');
const RUNS = 7;
const KEEP = 3;

interface Timed {
  ms: number;
  code: number | null;
  stdout: string;
}

function timed(args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { env, cwd, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ ms: performance.now() - started, code, stdout }));
  });
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const load = () => os.loadavg()[0].toFixed(1);
const ratio = (ours: number, theirs: number) => (theirs >= ours ? `${(theirs / ours).toFixed(1)}× faster` : `${(ours / theirs).toFixed(1)}× slower`);

async function startUp(dir: string): Promise<void> {
  const emulator = new QianfanEmulator();
  const url = await emulator.start();
  const env = cliEnv(url, dir);
  try {
    const pairs: [string, string[], string[]][] = [
      ['`--version` vs loading the SDK and printing its version', [CLI, '--version'], [OFFICIAL, 'version', url]],
      ['`list --json` (demo account) vs a consoleAction listing', [CLI, 'list', '--json'], [OFFICIAL, 'list', url]],
    ];
    console.log(`\nStart-up, cold processes, median of ${RUNS} (load average ${load()} at the start)\n`);
    console.log('| command | qianfan-models | official SDK script | ours is |');
    console.log('| --- | ---: | ---: | ---: |');
    for (const [what, ours, theirs] of pairs) {
      const a: number[] = [];
      const b: number[] = [];
      await timed(ours, env, dir); // warm the file cache, not counted
      await timed(theirs, env, dir);
      for (let i = 0; i < RUNS; i++) {
        const x = await timed(ours, env, dir);
        const y = await timed(theirs, env, dir);
        if (x.code !== 0 || y.code !== 0 || (ours[1] === 'list' && x.stdout.split('\n').length !== y.stdout.split('\n').length)) {
          throw new Error(`bench: ${what}: exit ${x.code} / ${y.code}, or the two listed different counts`);
        }
        a.push(x.ms);
        b.push(y.ms);
      }
      console.log(`| ${what} | ${median(a).toFixed(0)} ms | ${median(b).toFixed(0)} ms | ${ratio(median(a), median(b))} |`);
    }
    console.log(`\n(load average ${load()} at the end)`);
  } finally {
    await emulator.stop();
  }
}

async function cleanUp(dir: string, models: number, versions: number, rate: number, latencyMs: number, withOfficial: boolean): Promise<void> {
  const run = async (who: 'ours' | 'official') => {
    const emulator = new QianfanEmulator({ fixture: generatedFixture(models, versions), latencyMs, rateLimit: rate });
    const url = await emulator.start();
    const loadBefore = load();
    try {
      const args = who === 'ours' ? [CLI, 'clean-up', '--keep-newest', String(KEEP), '--yes', '--json'] : [OFFICIAL, 'clean-up', url, String(KEEP)];
      const t = await timed(args, cliEnv(url, dir), dir);
      if (t.code !== 0) {
        throw new Error(`bench: ${who} clean-up exited ${t.code}`);
      }
      const needed = emulator.requests.length - emulator.throttled;
      return { ms: t.ms, needed, throttled: emulator.throttled, left: [...emulator.store.versions.keys()].sort(), load: `${loadBefore} → ${load()}` };
    } finally {
      await emulator.stop();
    }
  };
  const ours = await run('ours');
  if (!withOfficial) {
    const bound = (ours.needed / rate) * 1000;
    console.log(
      `\nclean-up --keep-newest ${KEEP} --yes: ${models} × ${versions}, ${latencyMs} ms, ${rate}/s: ${(ours.ms / 1000).toFixed(1)} s for ${ours.needed} requests (${ours.throttled} 429s), bound ${(bound / 1000).toFixed(1)} s: ${(ours.ms / bound).toFixed(2)}× (load average ${ours.load}); ${ours.left.length} versions left`,
    );
    return;
  }
  const official = await run('official');
  // the loop deletes whatever is beyond the newest; the command line also keeps what the plan protects (Creating, a service's)
  const kept = new Set(ours.left);
  if (ours.left.length < models * KEEP || official.left.some((id) => !kept.has(id))) {
    throw new Error(`bench: the loop kept a version the command line deleted, or the command line kept too few (${ours.left.length})`);
  }
  const bound = (ours.needed / rate) * 1000;
  console.log(`\nclean-up --keep-newest ${KEEP} --yes: ${models} models × ${versions} versions, ${latencyMs} ms latency, ${rate} requests/s limit\n`);
  console.log('| way | time | requests (answered, not 429) | 429s | load average (start → end) |');
  console.log('| --- | ---: | ---: | ---: | --- |');
  console.log(`| qianfan-models clean-up | ${(ours.ms / 1000).toFixed(1)} s | ${ours.needed} | ${ours.throttled} | ${ours.load} |`);
  console.log(`| the bound the rate limit sets (${ours.needed} ÷ ${rate}/s) | ${(bound / 1000).toFixed(1)} s | | | |`);
  console.log(
    `| official SDK, a loop (no services check) | ${(official.ms / 1000).toFixed(1)} s | ${official.needed} | ${official.throttled} | ${official.load} |`,
  );
  console.log(
    `\nours / bound: ${(ours.ms / bound).toFixed(2)}× (goal ≤ 1.1×); against the official loop: ${ratio(ours.ms, official.ms)}; the command line left ${ours.left.length} versions (the newest ${KEEP} of each model, and those it protects: Creating, run by a service), the loop ${official.left.length}.`,
  );
}

async function main(): Promise<void> {
  const [models, versions, rate, latencyMs] = [200, 40, 50, 100].map((fallback, i) => Number(process.argv[2 + i] ?? fallback));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'qianfan-bench-cli-'));
  try {
    console.log(`Node ${process.version}, ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores`);
    await startUp(dir);
    await cleanUp(dir, models, versions, rate, latencyMs, process.argv[6] !== 'ours-only');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
