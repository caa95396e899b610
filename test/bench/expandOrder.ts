/**
 * The "what the user opens comes first" part of `npm run bench`: the detail loader and a real
 * client against the emulator limited to RATE requests/s (LATENCY_MS latency, over loopback).
 * Model A (A_VERSIONS versions) is expanded; once the limiter has learnt the pace, model B
 * (B_VERSIONS) is expanded, with A collapsed first or left open. Measured: the time until all
 * of B's statuses are in, against the bound B_VERSIONS ÷ RATE + 1 round trip, and how many
 * requests of A were sent meanwhile. The loader wired as before this change (no place reserved
 * in the limiter: everything asked for waits in the limiter's first-come queue) runs beside it.
 * `node out/test/bench/expandOrder.js` runs it alone.
 */
import { DetailLoader, type DetailLoaderDeps } from '../../src/core/work/detailLoader';
import { DEFAULT_RETRY_POLICY } from '../../src/core/qianfan/retry';
import { VersionDetailsStore } from '../../src/core/state/versionDetails';
import { generatedFixture } from '../emulator/fixture';
import { startHarness } from '../support/clientHarness';

export const RATE = 5;
const LATENCY_MS = 50;
const A_VERSIONS = 40;
const B_VERSIONS = 5;
/** How long A loads before B is expanded: the first 429s have taught the limiter the pace. */
const LEARN_MS = 3000;
const MAX_WAIT_MS = 30_000;

export interface ExpandOrderRow {
  what: string;
  /** From B's expand to its last status. */
  ms: number;
  /** B_VERSIONS ÷ RATE + one round trip. */
  boundMs: number;
  /** Requests of A sent from B's expand until B was in. */
  aMeanwhile: number;
}

export interface ExpandOrderResult {
  oneTripMs: number;
  rows: ExpandOrderRow[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function expandOrderBench(): Promise<ExpandOrderResult> {
  const a = generatedFixture(1, A_VERSIONS, 1);
  const b = generatedFixture(1, B_VERSIONS, 2);
  const h = await startHarness({ fixture: { models: [...a.models, ...b.models], versions: [...a.versions, ...b.versions] }, latencyMs: LATENCY_MS });
  const aIds = a.versions.map((v) => v.modelId);
  const bIds = b.versions.map((v) => v.modelId);
  const aSet = new Set(aIds);
  try {
    const trips: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      await h.client.describeModel(aIds[0]);
      trips.push(performance.now() - t);
    }
    const oneTripMs = trips.sort((x, y) => x - y)[2];
    const boundMs = (1000 * B_VERSIONS) / RATE + oneTripMs;
    h.emulator.rateLimit = RATE;
    const runs: [string, boolean, boolean][] = [
      ['A collapsed, then B expanded', true, true],
      ['B expanded, A left open (still loading)', false, true],
      ['A collapsed, then B expanded: the loader as before (everything waits in the limiter)', true, false],
    ];
    const rows: ExpandOrderRow[] = [];
    for (const [what, collapse, reserve] of runs) {
      await sleep(1100); // an empty rate window for each run
      const client = h.makeClient({ retry: DEFAULT_RETRY_POLICY, timeoutMs: 30_000 }); // a fresh limiter, the extension's retries
      const store = new VersionDetailsStore();
      const deps: DetailLoaderDeps = {
        describe: (id, signal) => client.describeModel(id, { signal }),
        concurrency: () => Math.max(10, client.limiter.ceiling), // as the extension sets it
        store,
        persist: () => Promise.resolve(),
        now: Date.now,
        log: () => undefined,
        ...(reserve ? { reserve: (signal) => client.limiter.reserve!(signal), sending: (signal) => client.limiter.sending!(signal) } : {}),
      };
      const loader = new DetailLoader(deps);
      void loader.load(aIds);
      await sleep(LEARN_MS);
      const sentBefore = h.emulator.requests.length;
      if (collapse) {
        loader.drop(aIds);
      }
      const started = performance.now();
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([loader.load(bIds), new Promise((r) => (timer = setTimeout(r, MAX_WAIT_MS)))]);
      clearTimeout(timer);
      const ms = performance.now() - started;
      if (!bIds.every((id) => store.get(id)?.kind === 'loaded')) {
        throw new Error(`bench: ${what}: B's statuses did not all arrive`);
      }
      const aMeanwhile = h.emulator.requests.slice(sentBefore).filter((r) => aSet.has((r.body as { modelId?: string }).modelId ?? '')).length;
      rows.push({ what, ms, boundMs, aMeanwhile });
      await loader.dispose();
    }
    return { oneTripMs, rows };
  } finally {
    await h.emulator.stop();
  }
}

export function expandOrderTable(r: ExpandOrderResult): string {
  const lines = [
    `| ${RATE} requests/s, ${LATENCY_MS} ms latency: model A (${A_VERSIONS} versions) expanded, ${LEARN_MS / 1000} s later model B (${B_VERSIONS}) | B's statuses all in | bound: ${B_VERSIONS} ÷ ${RATE}/s + 1 round trip (${r.oneTripMs.toFixed(0)} ms) | requests of A meanwhile |`,
    '| --- | ---: | ---: | ---: |',
  ];
  for (const row of r.rows) {
    lines.push(
      `| ${row.what} | ${(row.ms / 1000).toFixed(2)} s | ${(row.boundMs / 1000).toFixed(2)} s (${(row.ms / row.boundMs).toFixed(1)}×) | ${row.aMeanwhile} |`,
    );
  }
  return lines.join('\n');
}

if (require.main === module) {
  expandOrderBench()
    .then((r) => console.log(expandOrderTable(r)))
    .catch((error) => {
      console.error((error as Error).stack ?? error);
      process.exit(1);
    });
}
