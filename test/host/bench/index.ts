/**
 * The tree benchmark, inside a real VS Code extension host (run by `npm run bench` through the
 * host launcher with QIANFAN_HOST_TESTS=bench): 10,000 tracked versions in 1,000 models, the
 * emulator at 50 ms latency. Writes one JSON object to $QIANFAN_HOST_REPORT.
 */
import { writeFileSync } from 'fs';
import * as vscode from 'vscode';
import { type Fixture as AccountFixture, generatedFixture } from '../../emulator/fixture';
import { type TreeNode } from '../../../src/tree/nodes';
import { type Fixture, setUp, tearDown } from '../suite/harness';

export const TREE_BENCH = { models: 1000, versionsPerModel: 10, bigModelVersions: 20, latencyMs: 50, runs: 7 } as const;

export interface TreeBenchResult {
  versions: number;
  models: number;
  latencyMs: number;
  concurrency: number;
  /** Median ms from a reload to the root's items, and the requests sent meanwhile. */
  drawMs: number;
  drawMsRuns: number[];
  requestsAtDraw: number;
  /** Requests in the 2 s after the root was drawn with every model collapsed (nothing visible). */
  requestsAtStart: number;
  /** Expanding the model of 20: median ms until all 20 statuses are in, and requests sent. */
  expandMs: number;
  expandMsRuns: number[];
  expandRequests: number;
  /** The previous release: the root only after every version was described. */
  describeAllMs: number;
  describeAllRequests: number;
  maxRssMb: number;
  heapUsedMb: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** 999 models of 10 versions and one of 20 ("model-1000"): 10,010 versions in 1,000 models. */
function account(): AccountFixture {
  const base = generatedFixture(TREE_BENCH.models - 1, TREE_BENCH.versionsPerModel);
  const big = generatedFixture(1, TREE_BENCH.bigModelVersions, 7);
  big.models[0] = { ...big.models[0], modelSetName: `model-${TREE_BENCH.models}` };
  return { models: [...base.models, ...big.models], versions: [...base.versions, ...big.versions] };
}

async function measure(f: Fixture): Promise<TreeBenchResult> {
  const s = f.api.services;
  const names = new Map([...f.emulator.store.models.values()].map((m) => [m.modelSetId, m.modelSetName]));
  await s.tracked.add(
    [...f.emulator.store.versions.values()].map((v) => ({
      modelId: v.modelId,
      modelSetId: v.modelSetId,
      modelSetName: names.get(v.modelSetId),
      name: v.modelName,
      status: v.status,
      statusAt: Date.now() - 86_400_000,
    })),
  );
  await vscode.commands.executeCommand('qianfan.modelVersions.focus'); // visible: the poller is on
  const drawRuns: number[] = [];
  let requestsAtDraw = 0;
  let root: TreeNode[] = [];
  for (let i = 0; i < TREE_BENCH.runs; i++) {
    await f.api.simulateReload();
    const before = f.emulator.requests.length;
    const started = performance.now();
    root = await s.tree.getChildren();
    root.forEach((n) => s.tree.getTreeItem(n));
    drawRuns.push(performance.now() - started);
    requestsAtDraw = Math.max(requestsAtDraw, f.emulator.requests.length - before);
  }
  const beforeStart = f.emulator.requests.length;
  await new Promise((r) => setTimeout(r, 2000));
  const requestsAtStart = f.emulator.requests.length - beforeStart;

  const big = root.find((n) => n.kind === 'model' && n.label === `model-${TREE_BENCH.models}`);
  if (big?.kind !== 'model') {
    throw new Error('bench: no model of 20 versions in the root');
  }
  const ids = big.versions.map((v) => v.modelId);
  const expandRuns: number[] = [];
  let expandRequests = 0;
  for (let i = 0; i < TREE_BENCH.runs; i++) {
    s.tree.collapsed(big);
    s.details.forget(ids);
    const before = f.emulator.count('DescribeModel');
    const started = performance.now();
    const children = await s.tree.getChildren(big);
    while (!ids.every((id) => s.details.get(id))) {
      await new Promise((r) => setTimeout(r, 2));
    }
    children.forEach((n) => s.tree.getTreeItem(n));
    expandRuns.push(performance.now() - started);
    expandRequests = f.emulator.count('DescribeModel') - before;
  }
  s.tree.collapsed(big);

  // the previous release drew the root only after a DescribeModel of every tracked version
  const all = s.tracked.view().map((t) => t.modelId);
  s.details.forget(all);
  const before = f.emulator.count('DescribeModel');
  const started = performance.now();
  await s.loader.load(all, { background: true });
  const describeAllMs = performance.now() - started;
  const describeAllRequests = f.emulator.count('DescribeModel') - before;
  const memory = process.memoryUsage();
  return {
    versions: all.length,
    models: root.length,
    latencyMs: TREE_BENCH.latencyMs,
    concurrency: s.settings().concurrency,
    drawMs: median(drawRuns),
    drawMsRuns: drawRuns,
    requestsAtDraw,
    requestsAtStart,
    expandMs: median(expandRuns),
    expandMsRuns: expandRuns,
    expandRequests,
    describeAllMs,
    describeAllRequests,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    heapUsedMb: memory.heapUsed / 1024 / 1024,
  };
}

export async function run(): Promise<void> {
  const f = await setUp({ fixture: account(), latencyMs: TREE_BENCH.latencyMs });
  try {
    const result = await measure(f);
    if (process.env.QIANFAN_HOST_REPORT) {
      writeFileSync(process.env.QIANFAN_HOST_REPORT, JSON.stringify(result) + '\n');
    }
  } finally {
    f.api.services.loader.cancelAll();
    await f.api.services.tracked.remove(f.api.services.tracked.view().map((t) => t.modelId));
    await tearDown(f);
  }
}
