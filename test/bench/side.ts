/**
 * One side of one benchmark, in a fresh Node process:
 * `node side.js <ours|official> <list|delete> <endpoint> [deleteRun] [concurrency]`.
 * Prints one JSON line: { ms, ok, failed, maxRssKb }.
 */
import { createRequire } from 'module';
import * as path from 'path';
import { runBatch } from '../../src/core/batch';
import { QianfanClient } from '../../src/core/qianfanClient';
import { NodeFetchTransport } from '../../src/platform/nodeFetchTransport';
import { DEMO_ACCESS_KEY, DEMO_SECRET_KEY, generatedFixture } from '../emulator/fixture';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const OFFICIAL_DIR = path.join(ROOT, '.bench', 'node_modules', '@baiducloud', 'qianfan');
export const BENCH_FIXTURE = { models: 1000, versionsPerModel: 10 };
export const DELETES = 200;
/** The extension's default `qianfan.maxConcurrentRequests`. */
export const DEFAULT_CONCURRENCY = 8;

type ConsoleAction = (p: {
  base_api_route: string;
  action: string;
  data: unknown;
}) => Promise<{ result?: { customModelSetList?: { modelIds: string[] }[]; pageInfo?: { isTruncated: boolean; nextMarker?: string } } }>;

/** Each run deletes its own slice of the generated account's versions: run 0, 1, 2 … */
function deleteTargets(run: number): string[] {
  const versions = generatedFixture(BENCH_FIXTURE.models, BENCH_FIXTURE.versionsPerModel).versions.map((v) => v.modelId);
  return versions.slice(run * DELETES, (run + 1) * DELETES);
}

async function ours(task: string, endpoint: string, run: number, concurrency: number): Promise<{ ok: number; failed: number }> {
  const client = new QianfanClient({
    endpoint,
    credentials: () => ({ accessKeyId: DEMO_ACCESS_KEY, secretAccessKey: DEMO_SECRET_KEY }),
    transport: new NodeFetchTransport(),
  });
  if (task === 'list') {
    const models = await client.listAllCustomModelSets();
    return { ok: models.reduce((n, m) => n + m.modelIds.length, 0), failed: 0 };
  }
  const outcomes = await runBatch(deleteTargets(run), (id, signal) => client.deleteModel(id, { signal }), { concurrency });
  return { ok: outcomes.filter((o) => o.ok).length, failed: outcomes.filter((o) => !o.ok).length };
}

async function official(task: string, endpoint: string, run: number): Promise<{ ok: number; failed: number }> {
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
        return { ok: versions, failed: 0 };
      }
      marker = page.result.pageInfo.nextMarker;
    }
  }
  let ok = 0;
  let failed = 0;
  for (const modelId of deleteTargets(run)) {
    try {
      await consoleAction({ base_api_route: '/v2/model', action: 'DeleteModel', data: { modelId } });
      ok++;
    } catch {
      failed++;
    }
  }
  return { ok, failed };
}

async function main(): Promise<void> {
  const [side, task, endpoint, run = '0', concurrency = String(DEFAULT_CONCURRENCY)] = process.argv.slice(2);
  const started = performance.now();
  const result = side === 'ours' ? await ours(task, endpoint, Number(run), Number(concurrency)) : await official(task, endpoint, Number(run));
  const ms = performance.now() - started;
  process.stdout.write(JSON.stringify({ ms, ...result, maxRssKb: process.resourceUsage().maxRSS }) + '\n');
}

if (require.main === module) {
  main().catch((error) => {
    process.stderr.write(`bench side: ${(error as Error).message}\n`);
    process.exit(1);
  });
}
