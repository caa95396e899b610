/**
 * `npm run bench:download`: download a 1 GiB export over loopback from the emulator, side by
 * side in one run with `curl -o`, `curl -o` then `md5sum`, and a bare Node stream to a file
 * (no hashing). Each way runs in a fresh process, twice, best time kept. Prints a table of
 * times, throughput, ratios to `curl -o` and peak memory (ours also at a quarter of the size,
 * to show the memory stays flat).
 */
import { execFile } from 'child_process';
import { rmSync, statSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { exportFileOf } from '../../src/core/download/exportFile';
import { QianfanEmulator } from '../emulator/emulator';
import { QianfanClient } from '../../src/core/qianfanClient';
import { NodeFetchTransport } from '../../src/platform/nodeFetchTransport';
import { DEMO_ACCESS_KEY, DEMO_SECRET_KEY } from '../emulator/fixture';

const GiB = 1024 * 1024 * 1024;
const RUNS = 2;
const run = promisify(execFile);

interface Measure {
  ms: number;
  maxRssKb?: number;
}

async function timeCommand(file: string, args: string[]): Promise<Measure> {
  const started = performance.now();
  const { stderr } = await run('/usr/bin/time', ['-f', '%M', file, ...args], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return { ms: performance.now() - started, maxRssKb: Number(stderr.trim().split('\n').pop()) };
}

async function side(mode: string, url: string, target: string, md5: string, size: number): Promise<Measure> {
  const { stdout } = await run(process.execPath, [path.join(__dirname, 'downloadSide.js'), mode, url, target, md5, String(size)], { encoding: 'utf8' });
  const r = JSON.parse(stdout.trim().split('\n').pop()!) as Measure & { md5: string };
  if (mode !== 'node-bare' && r.md5 !== md5) {
    throw new Error(`bench: ${mode} got md5 ${r.md5}, not ${md5}`);
  }
  return r;
}

async function main(): Promise<void> {
  const emulator = new QianfanEmulator({ exportBytes: GiB, exportDurationMs: 0 });
  await emulator.start();
  const target = path.join(tmpdir(), `qianfan-bench-${process.pid}.bin`);
  try {
    const client = new QianfanClient({
      endpoint: emulator.url,
      credentials: () => ({ accessKeyId: DEMO_ACCESS_KEY, secretAccessKey: DEMO_SECRET_KEY }),
      transport: new NodeFetchTransport(),
      timeoutMs: 60_000,
    });
    const describe = async (modelId: string) => {
      await client.startExport(modelId);
      return exportFileOf(modelId, await client.describeModelExportTask(modelId)); // computes the served file's md5 once
    };
    const big = await describe('amv-g73j3faikzpz');
    const ways: [string, () => Promise<Measure>][] = [
      ['curl -o', () => timeCommand('/usr/bin/curl', ['-s', '-o', target, big.downloadUrl])],
      [
        'curl -o, then md5sum',
        async () => {
          const a = await timeCommand('/usr/bin/curl', ['-s', '-o', target, big.downloadUrl]);
          const b = await timeCommand('/usr/bin/md5sum', [target]);
          return { ms: a.ms + b.ms, maxRssKb: Math.max(a.maxRssKb ?? 0, b.maxRssKb ?? 0) };
        },
      ],
      ['bare Node stream to a file (node-fetch, no md5)', () => side('node-bare', big.downloadUrl, target, big.md5, GiB)],
      ['this extension: md5 on the receiving thread (default)', () => side('ours', big.downloadUrl, target, big.md5, GiB)],
      ['this extension: md5 in a worker thread', () => side('ours-worker', big.downloadUrl, target, big.md5, GiB)],
    ];
    const best = new Map<string, Measure>();
    for (let i = 0; i < RUNS; i++) {
      for (const [name, measure] of i % 2 === 0 ? ways : [...ways].reverse()) {
        const m = await measure();
        if (statSync(target).size !== GiB) {
          throw new Error(`bench: ${name} wrote ${statSync(target).size} bytes`);
        }
        rmSync(target, { force: true });
        const b = best.get(name);
        best.set(
          name,
          !b || m.ms < b.ms
            ? { ms: m.ms, maxRssKb: Math.max(m.maxRssKb ?? 0, b?.maxRssKb ?? 0) }
            : { ...b, maxRssKb: Math.max(m.maxRssKb ?? 0, b.maxRssKb ?? 0) },
        );
      }
    }
    emulator.files!.bytes = GiB / 4;
    const quarter = await describe('amv-34qkndzjf111');
    const small = await side('ours', quarter.downloadUrl, target, quarter.md5, GiB / 4);
    rmSync(target, { force: true });

    const curl = best.get('curl -o')!.ms;
    const lines = ['| 1 GiB over loopback | best of 2 | MB/s | throughput vs `curl -o` | peak RSS |', '| --- | ---: | ---: | ---: | ---: |'];
    for (const [name] of ways) {
      const m = best.get(name)!;
      lines.push(
        `| ${name} | ${(m.ms / 1000).toFixed(2)} s | ${(GiB / 1e6 / (m.ms / 1000)).toFixed(0)} | ${(curl / m.ms).toFixed(2)}× | ${((m.maxRssKb ?? 0) / 1024).toFixed(0)} MB |`,
      );
    }
    console.log(`\nDownload of an export (Node ${process.versions.node}, ${new Date().toISOString().slice(0, 10)}; the emulator serves from this process)\n`);
    console.log(lines.join('\n'));
    console.log(
      `\npeak RSS of this extension's download: ${((best.get('this extension: md5 on the receiving thread (default)')!.maxRssKb ?? 0) / 1024).toFixed(0)} MB for 1 GiB, ${((small.maxRssKb ?? 0) / 1024).toFixed(0)} MB for 256 MiB`,
    );
  } finally {
    rmSync(target, { force: true });
    await emulator.stop();
  }
}

main().catch((error) => {
  console.error((error as Error).stack ?? error);
  process.exit(1);
});
