/**
 * The tree benchmark, inside a real VS Code extension host (run by `npm run bench` through the
 * host launcher with QIANFAN_HOST_TESTS=bench): 10,000 tracked versions in 1,000 models, the
 * emulator at 50 ms latency in the benchmark's own process (QIANFAN_BENCH_ENDPOINT), as Qianfan
 * would be: its signature checks do not share the extension host's thread. Writes one JSON
 * object to $QIANFAN_HOST_REPORT.
 */
import { writeFileSync } from 'fs';
import * as vscode from 'vscode';
import { DEMO_ACCESS_KEY, DEMO_SECRET_KEY } from '../../emulator/fixture';
import { TREE_BENCH, type TreeBenchResult, benchAccount } from '../../bench/treeAccount';
import { type QianfanTestApi } from '../../../src/extension';
import { type TreeNode } from '../../../src/tree/nodes';
import { extensionApi } from '../suite/harness';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** The emulator in the benchmark's process, seen from here: its URL and its request counts. */
class RemoteEmulator {
  private counts: Record<string, number> = {};
  constructor(readonly url: string) {}
  async refresh(): Promise<void> {
    this.counts = (await (await fetch(`${this.url}/__counts`)).json()) as Record<string, number>;
  }
  async total(): Promise<number> {
    await this.refresh();
    return Object.values(this.counts).reduce((a, b) => a + b, 0);
  }
  async count(action: string): Promise<number> {
    await this.refresh();
    return this.counts[action] ?? 0;
  }
}

async function measure(api: QianfanTestApi, emulator: RemoteEmulator): Promise<TreeBenchResult> {
  const s = api.services;
  const fixture = benchAccount();
  const names = new Map(fixture.models.map((m) => [m.modelSetId, m.modelSetName]));
  await s.tracked.add(
    fixture.versions.map((v) => ({
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
    await api.simulateReload();
    // VS Code redraws the visible view itself after a reload; this draw is measured from a fresh read
    s.tracked.forgetRead();
    s.tree.reset();
    const before = await emulator.total();
    const started = performance.now();
    root = await s.tree.getChildren();
    root.forEach((n) => s.tree.getTreeItem(n));
    drawRuns.push(performance.now() - started);
    requestsAtDraw = Math.max(requestsAtDraw, (await emulator.total()) - before);
  }
  const beforeStart = await emulator.total();
  await new Promise((r) => setTimeout(r, 2000));
  const requestsAtStart = (await emulator.total()) - beforeStart;

  const big = root.find((n) => n.kind === 'model' && n.label === `model-${TREE_BENCH.models}`);
  if (big?.kind !== 'model') {
    throw new Error('bench: no model of 20 versions in the root');
  }
  const ids = big.versions.map((v) => v.modelId);
  const expandRuns: number[] = [];
  const limits: string[] = [];
  let expandRequests = 0;
  for (let i = 0; i < TREE_BENCH.runs; i++) {
    s.tree.collapsed(big);
    s.details.forget(ids);
    const before = await emulator.count('DescribeModel');
    const started = performance.now();
    const allIn = new Promise<void>((resolve) => {
      const sub = s.details.onDidChange(() => {
        if (ids.every((id) => s.details.get(id))) {
          sub.dispose();
          resolve();
        }
      });
    });
    const children = await s.tree.getChildren(big);
    await allIn;
    children.forEach((n) => s.tree.getTreeItem(n));
    expandRuns.push(performance.now() - started);
    expandRequests = (await emulator.count('DescribeModel')) - before;
    limits.push(JSON.stringify((s.client().limiter as unknown as { state?: unknown }).state));
  }
  s.tree.collapsed(big);
  const trips: number[] = [];
  for (let i = 0; i < TREE_BENCH.runs; i++) {
    const started = performance.now();
    await s.client().describeModel(ids[i]);
    trips.push(performance.now() - started);
  }

  // the previous release drew the root only after a DescribeModel of every tracked version
  const all = s.tracked.view().map((t) => t.modelId);
  s.details.forget(all);
  const before = await emulator.count('DescribeModel');
  const started = performance.now();
  await s.loader.load(all, { background: true });
  const describeAllMs = performance.now() - started;
  const describeAllRequests = (await emulator.count('DescribeModel')) - before;
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
    oneTripMs: median(trips),
    limiter: limits,
    describeAllMs,
    describeAllRequests,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    heapUsedMb: memory.heapUsed / 1024 / 1024,
  };
}

async function setting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('qianfan').update(key, value, vscode.ConfigurationTarget.Global);
}

export async function run(): Promise<void> {
  const endpoint = process.env.QIANFAN_BENCH_ENDPOINT;
  if (!endpoint) {
    throw new Error('bench: QIANFAN_BENCH_ENDPOINT (the emulator of the benchmark process) is not set');
  }
  const api = await extensionApi();
  const s = api.services;
  await setting('endpoint', endpoint);
  await s.credentials.set({ accessKeyId: DEMO_ACCESS_KEY, secretAccessKey: DEMO_SECRET_KEY });
  try {
    const result = await measure(api, new RemoteEmulator(endpoint));
    if (process.env.QIANFAN_HOST_REPORT) {
      writeFileSync(process.env.QIANFAN_HOST_REPORT, JSON.stringify(result) + '\n');
    }
  } finally {
    s.loader.cancelAll();
    await s.tracked.remove(s.tracked.view().map((t) => t.modelId));
    await setting('endpoint', undefined);
  }
}
