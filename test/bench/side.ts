/**
 * One side of one benchmark, in a fresh Node process:
 * `node side.js <ours|adaptive|fixed|official> <list|delete> <endpoint> [deleteRun] [concurrency] [count]`.
 * `ours`: this client, a batch of at most `concurrency` at once (its limiter starting there too);
 * `adaptive`: the extension's bulk delete: the adaptive limiter starts at `concurrency` and sets
 * the pace (the batch has workers up to the limiter's ceiling);
 * `fixed`: this client with the limiter off (at most `concurrency` at once, nothing else).
 * A delete run deletes `count` versions (default DELETES), slice `deleteRun` of the account.
 * Prints one JSON line: { ms, ok, failed, failedIds, maxRssKb }.
 */
import { createRequire } from 'module';
import * as path from 'path';
import { runBatch } from '../../src/core/work/batch';
import { FixedGate } from '../../src/core/qianfan/gate';
import { QianfanClient } from '../../src/core/qianfan/qianfanClient';
import { NodeFetchTransport } from '../../src/node/nodeFetchTransport';
import { DEMO_ACCESS_KEY, DEMO_SECRET_KEY, generatedFixture } from '../emulator/fixture';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const OFFICIAL_DIR = path.join(ROOT, '.bench', 'node_modules', '@baiducloud', 'qianfan');
export const BENCH_FIXTURE = { models: 1000, versionsPerModel: 10 };
export const DELETES = 200;
/** The extension's default `qianfan.maxConcurrentRequests`. */
export const DEFAULT_CONCURRENCY = 10;

type ConsoleAction = (p: {
  base_api_route: string;
  action: string;
  data: unknown;
}) => Promise<{ result?: { customModelSetList?: { modelIds: string[] }[]; pageInfo?: { isTruncated: boolean; nextMarker?: string } } }>;

/** Each run deletes its own slice of `count` of the generated account's versions: run 0, 1, 2 … */
export function deleteTargets(run: number, count = DELETES): string[] {
  const versions = generatedFixture(BENCH_FIXTURE.models, BENCH_FIXTURE.versionsPerModel).versions.map((v) => v.modelId);
  return versions.slice(run * count, (run + 1) * count);
}

interface Outcome {
  ok: number;
  failed: number;
  /** The versions reported as not deleted. */
  failedIds: string[];
}

async function ours(who: string, task: string, endpoint: string, run: number, concurrency: number, count: number): Promise<Outcome> {
  const client = new QianfanClient({
    endpoint,
    credentials: () => ({ accessKeyId: DEMO_ACCESS_KEY, secretAccessKey: DEMO_SECRET_KEY }),
    transport: new NodeFetchTransport(),
    concurrency,
    limiter: who === 'fixed' ? new FixedGate(concurrency) : undefined,
  });
  if (task === 'list') {
    const models = await client.listAllCustomModelSets();
    return { ok: models.reduce((n, m) => n + m.modelIds.length, 0), failed: 0, failedIds: [] };
  }
  const workers = who === 'adaptive' ? Math.max(concurrency, client.limiter.ceiling) : concurrency;
  const outcomes = await runBatch(deleteTargets(run, count), (id, signal) => client.deleteModel(id, { signal }), { concurrency: workers });
  const failedIds = outcomes.filter((o) => !o.ok).map((o) => o.item);
  return { ok: outcomes.length - failedIds.length, failed: failedIds.length, failedIds };
}

async function official(task: string, endpoint: string, run: number, count: number): Promise<Outcome> {
  process.env.QIANFAN_ACCESS_KEY = DEMO_ACCESS_KEY;
  process.env.QIANFAN_SECRET_KEY = DEMO_SECRET_KEY;
  process.env.QIANFAN_CONSOLE_API_BASE_URL = endpoint;
  const { consoleAction } = createRequire(__filename)(OFFICIAL_DIR) as { consoleAction: ConsoleAction };
  if (task === 'list') {
    let versions = 0;
    let marker: string | undefined;
    for (;;) {
      const page = await consoleAction({
        base_api_route: '/v2/model',
        action: 'DescribeCustomModelSets',
        data: marker ? { maxKeys: 100, marker } : { maxKeys: 100 },
      });
      versions += (page.result?.customModelSetList ?? []).reduce((n, m) => n + m.modelIds.length, 0);
      if (!page.result?.pageInfo?.isTruncated) {
        return { ok: versions, failed: 0, failedIds: [] };
      }
      marker = page.result.pageInfo.nextMarker;
    }
  }
  let ok = 0;
  const failedIds: string[] = [];
  for (const modelId of deleteTargets(run, count)) {
    try {
      await consoleAction({ base_api_route: '/v2/model', action: 'DeleteModel', data: { modelId } });
      ok++;
    } catch {
      failedIds.push(modelId);
    }
  }
  return { ok, failed: failedIds.length, failedIds };
}

async function main(): Promise<void> {
  const [side, task, endpoint, run = '0', concurrency = String(DEFAULT_CONCURRENCY), count = String(DELETES)] = process.argv.slice(2);
  const started = performance.now();
  const result =
    side === 'official'
      ? await official(task, endpoint, Number(run), Number(count))
      : await ours(side, task, endpoint, Number(run), Number(concurrency), Number(count));
  const ms = performance.now() - started;
  process.stdout.write(JSON.stringify({ ms, ...result, maxRssKb: process.resourceUsage().maxRSS }) + '\n');
}

if (require.main === module) {
  main().catch((error) => {
    process.stderr.write(`bench side: ${(error as Error).message}\n`);
    process.exit(1);
  });
}
