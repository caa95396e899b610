/**
 * The official SDK's side of test/bench/cli.ts, a process of its own (cold, as a script would run):
 * `node out/test/bench/cliOfficial.js version|list|clean-up ENDPOINT [keep]`. What a pipeline
 * writes by hand today with `@baiducloud/qianfan`'s consoleAction: list every model's versions
 * (DescribeCustomModelSets, page by page), and for a clean-up describe each version (its creation
 * time), keep the newest `keep` per model and delete the rest, one request at a time; no services
 * check, no confirmation.
 */
import { createRequire } from 'module';
import { DEMO_ACCESS_KEY, DEMO_SECRET_KEY } from '../emulator/fixture';
import { OFFICIAL_DIR } from './side';

type ConsoleAction = (o: { base_api_route: string; action: string; data: Record<string, unknown> }) => Promise<{ result?: Record<string, unknown> }>;
interface ModelSet {
  modelSetId: string;
  modelSetName: string;
  modelIds: string[];
  modelNames: string[];
}

async function modelSets(consoleAction: ConsoleAction): Promise<ModelSet[]> {
  const all: ModelSet[] = [];
  let marker: string | undefined;
  for (;;) {
    const page = (
      await consoleAction({ base_api_route: '/v2/model', action: 'DescribeCustomModelSets', data: marker ? { maxKeys: 100, marker } : { maxKeys: 100 } })
    ).result as { customModelSetList?: ModelSet[]; pageInfo?: { isTruncated?: boolean; nextMarker?: string } };
    all.push(...(page.customModelSetList ?? []));
    if (!page.pageInfo?.isTruncated) {
      return all;
    }
    marker = page.pageInfo.nextMarker;
  }
}

async function main(): Promise<void> {
  const [task, endpoint, keep = '3'] = process.argv.slice(2);
  process.env.QIANFAN_ACCESS_KEY = DEMO_ACCESS_KEY;
  process.env.QIANFAN_SECRET_KEY = DEMO_SECRET_KEY;
  process.env.QIANFAN_CONSOLE_API_BASE_URL = endpoint;
  const sdk = createRequire(__filename)(OFFICIAL_DIR) as { consoleAction: ConsoleAction };
  if (task === 'version') {
    console.log((createRequire(__filename)(`${OFFICIAL_DIR}/package.json`) as { version: string }).version);
    return;
  }
  const sets = await modelSets(sdk.consoleAction);
  if (task === 'list') {
    for (const m of sets) {
      m.modelIds.forEach((modelId, i) => console.log(JSON.stringify({ type: 'version', modelSetId: m.modelSetId, modelId, name: m.modelNames[i] ?? null })));
    }
    return;
  }
  let deleted = 0;
  for (const m of sets) {
    const versions: { modelId: string; createTime: string }[] = [];
    for (const modelId of m.modelIds) {
      const d = (await sdk.consoleAction({ base_api_route: '/v2/model', action: 'DescribeModel', data: { modelId } })).result as { createTime: string };
      versions.push({ modelId, createTime: d.createTime });
    }
    versions.sort((a, b) => Date.parse(b.createTime) - Date.parse(a.createTime));
    for (const v of versions.slice(Number(keep))) {
      await sdk.consoleAction({ base_api_route: '/v2/model', action: 'DeleteModel', data: { modelId: v.modelId } });
      deleted++;
    }
  }
  console.log(JSON.stringify({ deleted }));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
