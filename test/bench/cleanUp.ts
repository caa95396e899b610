/**
 * The clean-up at the size of a real account: `node out/test/bench/cleanUp.js [models] [versions]
 * [rate] [latencyMs]` (defaults 20 × 40 at 50 requests/s and 100 ms; the full size is
 * `200 40 50 100`, about 160 s of describes). Against the emulator over loopback:
 * 1. the preview's gathering: the details of every version (DescribeModel, through the detail
 *    loader and the client's adaptive limiter) and the services check, timed against the bound
 *    the rate limit allows (versions ÷ rate), with the request count;
 * 2. the plan (keep the newest 3 per model), timed;
 * 3. the bulk delete of what the plan deletes (the Delete batch: runBatch over deleteModel), in
 *    deletes per second against the rate limit.
 */
import { findDeployments } from '../../src/core/qianfan/deployments';
import { VersionDetailsStore } from '../../src/core/state/versionDetails';
import { runBatch } from '../../src/core/work/batch';
import { type CleanUpCandidate, parseCreateTime, planCleanUp } from '../../src/core/work/cleanUp';
import { generatedFixture } from '../emulator/fixture';
import { startHarness } from '../support/clientHarness';
import { benchLoader } from './benchLoader';

const DAY = 24 * 3600 * 1000;

async function main(): Promise<void> {
  const [models, versions, rate, latencyMs] = [20, 40, 50, 100].map((fallback, i) => Number(process.argv[2 + i] ?? fallback));
  const fixture = generatedFixture(models, versions, 3);
  fixture.versions.forEach((v, i) => (v.createTime = new Date(Date.now() - (versions - (i % versions)) * DAY).toISOString()));
  const h = await startHarness({ fixture, latencyMs, rateLimit: rate });
  try {
    const client = h.makeClient({ retry: { maxRetries: 6, baseDelayMs: 300, maxDelayMs: 20_000 } });
    const ids = fixture.versions.map((v) => v.modelId);
    const store = new VersionDetailsStore();
    const loader = benchLoader(client, store);
    const started = performance.now();
    await loader.load(ids, { force: true });
    const check = await findDeployments(ids, {
      listServices: (p, s) => client.listServices(p, { signal: s }),
      describeService: (id, s) => client.describeService(id, { signal: s }),
    });
    const gatherMs = performance.now() - started;
    const requests = h.emulator.requests.length;
    const planStarted = performance.now();
    const candidates: CleanUpCandidate[] = ids.map((modelId) => {
      const live = store.get(modelId);
      const detail = live?.kind === 'loaded' ? live.detail : undefined;
      return {
        modelId,
        modelSetId: detail?.modelSetId ?? '',
        label: modelId,
        name: detail?.modelName ?? '',
        status: detail?.status,
        createdAt: parseCreateTime(detail?.createTime),
        services: check.kind === 'checked' ? (check.running.get(modelId) ?? []).map((s) => s.name) : [],
        exporting: false,
      };
    });
    const plan = planCleanUp(candidates, { kind: 'keepNewest', count: 3 }, Date.now());
    const planMs = performance.now() - planStarted;
    const doomed = plan.models.flatMap((m) => m.remove.map((v) => v.modelId));
    const deleteStarted = performance.now();
    const outcomes = await runBatch(doomed, (id, signal) => client.deleteModel(id, { signal }), { concurrency: client.limiter.ceiling });
    const deleteMs = performance.now() - deleteStarted;
    const deleted = outcomes.filter((o) => o.ok).length;
    const loaded = ids.filter((id) => store.get(id)?.kind === 'loaded').length;
    const bound = (1000 * ids.length) / rate;
    const rows = [
      ['versions', String(ids.length)],
      [
        'preview: details + services check',
        `${(gatherMs / 1000).toFixed(1)} s (bound ${(bound / 1000).toFixed(1)} s at ${rate}/s: ${((100 * bound) / gatherMs).toFixed(0)} % of the limit)`,
      ],
      ['preview: requests (refused 429s included)', `${requests} for ${ids.length} versions (${h.emulator.throttled} refused)`],
      ['preview: versions loaded', `${loaded} of ${ids.length}`],
      ['plan (keep the newest 3 per model)', `${planMs.toFixed(1)} ms: ${plan.removeCount} to delete`],
      [
        'bulk delete',
        `${deleted} of ${doomed.length} in ${(deleteMs / 1000).toFixed(1)} s: ${((1000 * deleted) / deleteMs).toFixed(1)} deletes/s (limit ${rate}/s)`,
      ],
    ];
    process.stdout.write(`clean-up at ${models} models × ${versions} versions, ${latencyMs} ms latency, ${rate} requests/s\n`);
    for (const [name, value] of rows) {
      process.stdout.write(`  ${name.padEnd(44)} ${value}\n`);
    }
  } finally {
    await h.emulator.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${String(error)}\n`);
  process.exit(1);
});
