/** The tree benchmark's account and result, shared by the benchmark process and the extension host side (no `vscode` here). */
import { type Fixture as AccountFixture, generatedFixture } from '../emulator/fixture';

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
  /** One DescribeModel, median ms, measured the same way (the emulator shares the extension host's thread). */
  oneTripMs: number;
  /** The client's limiter after each expand (its limit, learnt rate, …). */
  limiter: string[];
  /** The previous release: the root only after every version was described. */
  describeAllMs: number;
  describeAllRequests: number;
  maxRssMb: number;
  heapUsedMb: number;
}

/** 999 models of 10 versions and one of 20 ("model-1000"): 10,010 versions in 1,000 models. */
export function benchAccount(): AccountFixture {
  const base = generatedFixture(TREE_BENCH.models - 1, TREE_BENCH.versionsPerModel);
  const big = generatedFixture(1, TREE_BENCH.bigModelVersions, 7);
  big.models[0] = { ...big.models[0], modelSetName: `model-${TREE_BENCH.models}` };
  return { models: [...base.models, ...big.models], versions: [...base.versions, ...big.versions] };
}
