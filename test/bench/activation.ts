/**
 * Activation alone, as `npm run bench` measures it (the installed extension in the VS Code
 * server's extension host, the time it logs), several runs and a reload in each: `npm run
 * compile-tests && node out/test/bench/activation.js [runs] [versions]`, with a stored list of
 * `versions` tracked versions (1,000 when not given). Prints each run's activation and
 * "view drawn" times (the tree's root from the stored list, after activation started) and the medians.
 */
import { execFileSync } from 'child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'fs';
import * as path from 'path';
import { launchBrowser, startServer } from '../support/vscodeServer';
import { ROOT } from './side';

function logsOf(dir: string, name: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? logsOf(p, name) : e.name === name ? [p] : [];
  });
}

/** Every activation and view-drawn time the extension logged under `dataDir`. */
function logged(dataDir: string): { activated: number[]; drawn: number[] } {
  const text = logsOf(dataDir, 'Qianfan.log')
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');
  return {
    activated: [...text.matchAll(/activated in ([\d.]+) ms/g)].map((m) => Number(m[1])),
    drawn: [...text.matchAll(/View drawn: .*?([\d.]+) ms after activation started/g)].map((m) => Number(m[1])),
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
  for (const dir of [path.join(dataDir, 'u', 'User'), path.join(dataDir, 's', 'data', 'User')]) {
    const folder = path.join(dir, 'globalStorage', 'qianfan-tools.qianfan-models');
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, 'qianfan.trackedVersions.v1.json'), JSON.stringify({ format: 1, gen: 1, value }));
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 3);
  const versions = Number(process.argv[3] ?? 1000);
  execFileSync('npm', ['run', '--silent', 'package'], { cwd: ROOT, stdio: 'ignore' });
  const activated: number[] = [];
  for (let run = 0; run < runs; run++) {
    const server = await startServer({ installExtension: path.join(ROOT, 'qianfan-models.vsix'), settings: { 'security.workspace.trust.enabled': false } });
    const browser = await launchBrowser();
    try {
      seed(server.dataDir, versions);
      const page = await browser.newPage();
      await page.goto(`${server.url}/?folder=${encodeURIComponent(ROOT)}`, { timeout: 180_000 });
      await page.locator('.activitybar [aria-label^="Qianfan"]').first().click({ timeout: 180_000 });
      await until('the first activation', () => (logged(server.dataDir).activated.length >= 1 ? true : undefined));
      // a reload: the extension host starts again
      await page.reload();
      await page.locator('.activitybar [aria-label^="Qianfan"]').first().click({ timeout: 180_000 });
      const seen = await until('the activation after the reload', () => {
        const l = logged(server.dataDir);
        return l.activated.length >= 2 ? l : undefined;
      });
      console.log(`run ${run + 1}: activated in ${seen.activated.join(', ')} ms (view drawn: ${seen.drawn.join(', ') || 'not logged without keys'})`);
      activated.push(...seen.activated);
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
  console.log(`median of ${activated.length}: activation ${median(activated).toFixed(1)} ms`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
