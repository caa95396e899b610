/**
 * Activation alone, as a user meets it: the installed extension in the VS Code server's extension
 * host (code-server as a user runs it, keys kept across a reload), with a stored list of
 * `versions` tracked versions (1,000 when not given) and the demo keys set for the local emulator
 * (300 ms latency). Each run opens the view, waits for the keys, reloads and opens it again, and
 * reads what the extension logged: the time `activate` took (both starts) and, after the reload,
 * when the tree's root was drawn from the stored list.
 *
 *   npm run compile-tests && node out/test/bench/activation.js [runs] [versions] [baseline.vsix]
 *
 * With a baseline .vsix (an earlier build: `git stash; npm run package; cp qianfan-models.vsix
 * /tmp/base.vsix; git stash pop`), each run measures both, in turns, on the same machine, and the
 * medians are compared: the ratio is what counts, the machine's load moves both.
 */
import { execFileSync } from 'child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'fs';
import * as path from 'path';
import { QianfanEmulator } from '../emulator/emulator';
import { DEMO_ACCESS_KEY, DEMO_SECRET_KEY } from '../emulator/fixture';
import { launchBrowser, startServer } from '../support/vscodeServer';
import { ROOT } from './side';

function logsOf(dir: string, name: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? logsOf(p, name) : e.name === name ? [p] : [];
  });
}

interface Logged {
  activated: number[];
  drawn: number[];
  /** From VS Code's asking for the root to its rows. */
  asked: number[];
  keysSet: boolean;
}

/** Every activation and view-drawn time the extension logged under `dataDir`. */
function logged(dataDir: string): Logged {
  const text = logsOf(dataDir, 'Qianfan.log')
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');
  return {
    activated: [...text.matchAll(/activated in ([\d.]+) ms/g)].map((m) => Number(m[1])),
    drawn: [...text.matchAll(/View drawn: .*?([\d.]+) ms after activation started/g)].map((m) => Number(m[1])),
    asked: [...text.matchAll(/View drawn: .*?([\d.]+) ms after VS Code asked for it/g)].map((m) => Number(m[1])),
    keysSet: text.includes('Demo keys set'),
  };
}

async function until<T>(what: string, get: () => T | undefined): Promise<T> {
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    const v = get();
    if (v !== undefined) {
      return v;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`bench: ${what} not logged`);
}

/** A stored list of `versions` tracked versions in models of 10, as a list file the extension reads (format 1). */
function seed(dataDir: string, versions: number): void {
  const value = Array.from({ length: versions }, (_, i) => ({
    modelId: `amv-bench${String(i).padStart(6, '0')}`,
    modelSetId: `am-bench${String(Math.floor(i / 10)).padStart(6, '0')}`,
    modelSetName: `model-${Math.floor(i / 10)}`,
    name: `V${(i % 10) + 1}`,
    status: 'Ready',
    addedAt: 1,
  }));
  const folder = path.join(dataDir, 'u', 'User', 'globalStorage', 'qianfan-tools.qianfan-models');
  mkdirSync(folder, { recursive: true });
  writeFileSync(path.join(folder, 'qianfan.trackedVersions.v1.json'), JSON.stringify({ format: 1, gen: 1, value }));
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** One run of one build: both activations, and the root's draw after the reload. */
async function measure(vsix: string, versions: number, endpoint: string): Promise<Logged> {
  const server = await startServer({
    mode: 'user',
    installExtension: vsix,
    env: { QIANFAN_DEMO_ACCESS_KEY: DEMO_ACCESS_KEY, QIANFAN_DEMO_SECRET_KEY: DEMO_SECRET_KEY },
    settings: { 'qianfan.endpoint': endpoint, 'security.workspace.trust.enabled': false, 'workbench.startupEditor': 'none' },
  });
  const browser = await launchBrowser();
  try {
    seed(server.dataDir, versions);
    const page = await browser.newPage();
    const open = () => page.locator('.activitybar [aria-label^="Qianfan"]').first().click({ timeout: 180_000 });
    await page.goto(`${server.url}/?folder=${encodeURIComponent(ROOT)}`, { timeout: 180_000 });
    await open();
    await until('the demo keys', () => (logged(server.dataDir).keysSet ? true : undefined));
    await page.reload(); // the extension host starts again, with the keys kept
    await open();
    return await until('the activation and the draw after the reload', () => {
      const l = logged(server.dataDir);
      return l.activated.length >= 2 && l.drawn.length >= 1 ? l : undefined;
    });
  } catch (error) {
    for (const f of logsOf(server.dataDir, 'Qianfan.log')) {
      console.error(`${f}:\n${readFileSync(f, 'utf8')}`);
    }
    throw error;
  } finally {
    await browser.close();
    await server.stop();
  }
}

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 3);
  const versions = Number(process.argv[3] ?? 1000);
  const baseline = process.argv[4];
  execFileSync('npm', ['run', '--silent', 'package'], { cwd: ROOT, stdio: 'ignore' });
  const sides = [
    { name: 'this build', vsix: path.join(ROOT, 'qianfan-models.vsix') },
    ...(baseline ? [{ name: 'baseline', vsix: path.resolve(baseline) }] : []),
  ];
  const results = new Map(sides.map((s) => [s.name, { activated: [] as number[], drawn: [] as number[], asked: [] as number[] }]));
  const emulator = new QianfanEmulator({ latencyMs: 300 });
  const endpoint = await emulator.start();
  try {
    for (let run = 0; run < runs; run++) {
      // turns: the order changes every run, so neither side always goes first
      for (const side of run % 2 === 0 ? sides : [...sides].reverse()) {
        const seen = await measure(side.vsix, versions, endpoint);
        const r = results.get(side.name);
        r?.activated.push(...seen.activated);
        r?.drawn.push(seen.drawn[0]);
        r?.asked.push(seen.asked[0] ?? NaN); // a baseline from before the "asked" figure has none
        console.log(
          `run ${run + 1}, ${side.name}: activated in ${seen.activated.join(', ')} ms; root drawn ${seen.drawn[0]} ms after activation started, ${seen.asked[0] ?? '?'} ms after VS Code asked (${versions} versions)`,
        );
      }
    }
  } finally {
    await emulator.stop();
  }
  const summary = [...results].map(([name, r]) => ({
    name,
    activation: median(r.activated),
    drawn: median(r.drawn),
    asked: median(r.asked),
    n: r.activated.length,
  }));
  for (const s of summary) {
    console.log(
      `${s.name}: median of ${s.n} activations ${s.activation.toFixed(1)} ms; after a reload (median of ${s.n / 2}), root drawn ${s.drawn.toFixed(1)} ms after activation started, ${s.asked.toFixed(1)} ms after VS Code asked`,
    );
  }
  if (summary.length === 2) {
    console.log(
      `this build / baseline: activation ${(summary[0].activation / summary[1].activation).toFixed(2)}×, root drawn ${(summary[0].drawn / summary[1].drawn).toFixed(2)}×`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
