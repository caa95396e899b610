/**
 * `npm run bench:download`: download a 1 GiB export over loopback from the emulator, which runs
 * in a process of its own (as a file server would), side by side in one run with `curl -o`,
 * `curl -o` then `md5sum`, and bare Node streams to a file (no hashing; Node's `http`, and
 * node-fetch). Every way runs as a fresh process, RUNS times (default 3) in alternating order;
 * the median is kept. Prints wall time, throughput, ratios to `curl -o` (medians, and bests) and to the bare Node
 * stream, the CPU seconds of the downloading process, and its peak memory (ours also at a
 * quarter of the size, to show that the memory stays flat), and what MD5 alone costs here.
 */
import { execFile, spawn } from 'child_process';
import { createHash } from 'crypto';
import { rmSync, statSync } from 'fs';
import { cpus, loadavg, tmpdir } from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { exportFileOf } from '../../src/core/download/exportFile';
import { QianfanClient } from '../../src/core/qianfan/qianfanClient';
import { NodeFetchTransport } from '../../src/node/nodeFetchTransport';
import { DEMO_ACCESS_KEY, DEMO_SECRET_KEY } from '../emulator/fixture';

const GiB = 1024 * 1024 * 1024;
const RUNS = Math.max(1, Number(process.env.RUNS ?? 3));
const run = promisify(execFile);

interface Measure {
  ms: number;
  cpuS: number;
  maxRssKb: number;
}

/** A whole process, timed from outside, with its CPU seconds and peak RSS from /usr/bin/time. */
async function timeCommand(file: string, args: string[]): Promise<Measure> {
  const started = performance.now();
  const { stderr } = await run('/usr/bin/time', ['-f', '%M %U %S', file, ...args], { encoding: 'utf8', maxBuffer: 1 << 20 });
  const ms = performance.now() - started;
  const [rss, user, sys] = stderr.trim().split('\n').pop()!.split(' ').map(Number);
  return { ms, cpuS: user + sys, maxRssKb: rss };
}

async function side(mode: string, url: string, target: string, md5: string, size: number): Promise<Measure> {
  const m = await timeCommand(process.execPath, [path.join(__dirname, 'downloadSide.js'), mode, url, target, md5, String(size)]);
  return m;
}

/** The emulator in a child process; resolves with its URL. */
async function startEmulator(bytes: number): Promise<{ url: string; stop: () => void }> {
  const child = spawn(
    process.execPath,
    [path.join(__dirname, '..', 'emulator', 'main.js'), '--port', '0', '--export-bytes', String(bytes), '--export-ms', '0'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n')) {
        resolve((JSON.parse(line) as { url: string }).url);
      }
    });
    child.on('exit', (code) => reject(new Error(`the emulator exited (${code})`)));
  });
  return { url, stop: () => child.kill('SIGTERM') };
}

async function describe(endpoint: string, modelId: string) {
  const client = new QianfanClient({
    endpoint,
    credentials: () => ({ accessKeyId: DEMO_ACCESS_KEY, secretAccessKey: DEMO_SECRET_KEY }),
    transport: new NodeFetchTransport(),
    timeoutMs: 120_000,
  });
  await client.startExport(modelId);
  for (;;) {
    const file = exportFileOf(modelId, await client.describeModelExportTask(modelId)); // the emulator computes the md5 once
    if (file.downloadUrl) {
      return file;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

function md5MsPerGiB(): number {
  const block = Buffer.alloc(1 << 20, 7);
  const hash = createHash('md5');
  const started = performance.now();
  for (let i = 0; i < 1024; i++) {
    hash.update(block);
  }
  hash.digest('hex');
  return performance.now() - started;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const target = path.join(tmpdir(), `qianfan-bench-${process.pid}.bin`);
  const load = loadavg()[0];
  const big = await startEmulator(GiB);
  const small = await startEmulator(GiB / 4);
  try {
    const file = await describe(big.url, 'amv-g73j3faikzpz');
    const quarterFile = await describe(small.url, 'amv-g73j3faikzpz');
    const ways: [string, () => Promise<Measure>][] = [
      ['`curl -o`', () => timeCommand('/usr/bin/curl', ['-s', '-o', target, file.downloadUrl])],
      [
        '`curl -o`, then `md5sum`',
        async () => {
          const a = await timeCommand('/usr/bin/curl', ['-s', '-o', target, file.downloadUrl]);
          const b = await timeCommand('/usr/bin/md5sum', [target]);
          return { ms: a.ms + b.ms, cpuS: a.cpuS + b.cpuS, maxRssKb: Math.max(a.maxRssKb, b.maxRssKb) };
        },
      ],
      ["a bare Node stream to a file (Node's `http`, no md5)", () => side('node-http', file.downloadUrl, target, file.md5, GiB)],
      ['a bare Node stream to a file (node-fetch, no md5)', () => side('node-fetch', file.downloadUrl, target, file.md5, GiB)],
      ['**this extension** (md5 on the receiving thread, the default)', () => side('ours', file.downloadUrl, target, file.md5, GiB)],
      ['this extension, md5 in a worker thread', () => side('ours-worker', file.downloadUrl, target, file.md5, GiB)],
    ];
    const all = new Map<string, Measure[]>(ways.map(([name]) => [name, []]));
    for (let i = 0; i < RUNS; i++) {
      for (const [name, measure] of i % 2 === 0 ? ways : [...ways].reverse()) {
        const m = await measure();
        if (statSync(target).size !== GiB) {
          throw new Error(`bench: ${name} wrote ${statSync(target).size} bytes`);
        }
        rmSync(target, { force: true });
        all.get(name)!.push(m);
      }
    }
    const quarter = await side('ours', quarterFile.downloadUrl, target, quarterFile.md5, GiB / 4);
    rmSync(target, { force: true });
    const md5Ms = md5MsPerGiB();

    const mid = (name: string) => median(all.get(name)!.map((m) => m.ms));
    const curl = mid(ways[0][0]);
    const bare = mid(ways[2][0]);
    const best = (name: string) => Math.min(...all.get(name)!.map((m) => m.ms));
    const lines = [
      `| 1 GiB over loopback | median of ${RUNS} (min–max) | MB/s | vs \`curl -o\` | best vs best \`curl -o\` | vs bare Node \`http\` | CPU s | peak RSS |`,
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ];
    for (const [name] of ways) {
      const ms = all.get(name)!.map((m) => m.ms);
      const t = mid(name);
      lines.push(
        `| ${name} | ${(t / 1000).toFixed(2)} s (${(Math.min(...ms) / 1000).toFixed(2)}–${(Math.max(...ms) / 1000).toFixed(2)}) | ${(GiB / 1e6 / (t / 1000)).toFixed(0)} | ${(curl / t).toFixed(2)}× | ${(best(ways[0][0]) / best(name)).toFixed(2)}× | ${(bare / t).toFixed(2)}× | ${median(all.get(name)!.map((m) => m.cpuS)).toFixed(2)} | ${(Math.max(...all.get(name)!.map((m) => m.maxRssKb)) / 1024).toFixed(0)} MB |`,
      );
    }
    console.log(
      `\nDownload of an export (Node ${process.versions.node}, ${cpus().length} CPUs, load average ${load.toFixed(1)} at the start, ${new Date().toISOString().slice(0, 10)}; the emulator serves from a process of its own)\n`,
    );
    console.log(lines.join('\n'));
    const oursName = ways[4][0];
    console.log(
      `\npeak RSS of this extension's download: ${(Math.max(...all.get(oursName)!.map((m) => m.maxRssKb)) / 1024).toFixed(0)} MB for 1 GiB, ${(quarter.maxRssKb / 1024).toFixed(0)} MB for 256 MiB`,
    );
    console.log(`MD5 alone (createHash('md5'), 1 GiB in memory, one core): ${(md5Ms / 1000).toFixed(2)} s`);
  } finally {
    rmSync(target, { force: true });
    big.stop();
    small.stop();
  }
}

main().catch((error) => {
  console.error((error as Error).stack ?? error);
  process.exit(1);
});
