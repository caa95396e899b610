/**
 * The tree part of `npm run bench`: runs test/host/bench inside a real VS Code extension host
 * (code-server, headless Chromium) and turns its JSON into BENCHMARKS.md lines. `node out/test/bench/tree.js`
 * runs it alone.
 */
import { execFile } from 'child_process';
import * as path from 'path';
import { promisify } from 'util';
import { QianfanEmulator } from '../emulator/emulator';
import { TREE_BENCH, type TreeBenchResult, benchAccount } from './treeAccount';

export async function treeBench(): Promise<TreeBenchResult> {
  // the emulator lives here, not in the extension host: its signature checks must not share that thread
  const emulator = new QianfanEmulator({ fixture: benchAccount(), latencyMs: TREE_BENCH.latencyMs });
  const endpoint = await emulator.start();
  let stdout: string;
  try {
    ({ stdout } = await promisify(execFile)(process.execPath, [path.join(__dirname, '..', 'host', 'runInServer.js'), '4.139.1'], {
      env: { ...process.env, QIANFAN_HOST_TESTS: 'bench', QIANFAN_BENCH_ENDPOINT: endpoint },
      encoding: 'utf8',
      maxBuffer: 16 << 20,
      timeout: 10 * 60_000,
    }));
  } finally {
    await emulator.stop();
  }
  const line = stdout.split('\n').find((l) => l.startsWith('{'));
  if (!line) {
    throw new Error(`bench: the tree benchmark wrote no result:\n${stdout.slice(-4000)}`);
  }
  return JSON.parse(line) as TreeBenchResult;
}

const ms = (v: number) => `${v.toFixed(v < 100 ? 1 : 0)} ms`;

/** The BENCHMARKS.md table, with each goal of issue 11 beside what was measured. */
export function treeTable(r: TreeBenchResult): string {
  const trips = r.expandMs / r.oneTripMs;
  const rows = [
    ['measure', 'measured', 'goal', 'met'],
    ['---', '---:', '---:', ':---:'],
    [
      `reload → root drawn (${r.models.toLocaleString('en-US')} models, ${r.versions.toLocaleString('en-US')} versions; median of ${r.drawMsRuns.length})`,
      ms(r.drawMs),
      '≤ 200 ms',
      r.drawMs <= 200 ? 'yes' : 'no',
    ],
    ['requests before the root is drawn', String(r.requestsAtDraw), '0', r.requestsAtDraw === 0 ? 'yes' : 'no'],
    ['requests in the 2 s after, every model collapsed (0 versions visible)', String(r.requestsAtStart), '≤ visible', r.requestsAtStart === 0 ? 'yes' : 'no'],
    [
      `expand a model of 20 → all 20 statuses in (${r.latencyMs} ms latency; starting concurrency ${r.concurrency})`,
      `${ms(r.expandMs)} = ${trips.toFixed(1)} round trips of ${ms(r.oneTripMs)}, ${r.expandRequests} requests`,
      '≈ 2 round trips',
      trips <= 2.6 ? 'yes' : 'no',
    ],
    [
      `the previous release: root drawn after a DescribeModel of every version`,
      `${(r.describeAllMs / 1000).toFixed(1)} s, ${r.describeAllRequests.toLocaleString('en-US')} requests`,
      '',
      `${Math.round(r.describeAllMs / r.drawMs).toLocaleString('en-US')}× slower`,
    ],
    ['extension host: peak RSS / heap used after the run', `${r.maxRssMb.toFixed(0)} MB / ${r.heapUsedMb.toFixed(0)} MB`, '', ''],
  ];
  return rows.map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

if (require.main === module) {
  treeBench()
    .then((r) => {
      console.log(JSON.stringify(r));
      console.log(treeTable(r));
    })
    .catch((error) => {
      console.error((error as Error).stack ?? error);
      process.exit(1);
    });
}
