/**
 * The clean-up preview's progress at the size of a real account: `node out/test/bench/cleanUpProgress.js
 * [models] [versions] [latencyMs] [rate]` (defaults 200 × 20 at 50 ms, no rate limit; 0 for no
 * limit). The reads go as the command sends them (the detail loader through the client's adaptive
 * limiter, forced) and the progress is counted as the command counts it (ReadCount over the
 * details store's changes; "the rate limit sets the pace" once the limiter learnt a rate or a
 * request was refused). Prints how far the count is at a few moments, against what had been
 * answered by then, the longest time the count stood still, and how long the rate-limit note
 * showed.
 */
import { AdaptiveLimiter } from '../../src/core/qianfan/adaptiveLimit';
import { VersionDetailsStore } from '../../src/core/state/versionDetails';
import { ReadCount } from '../../src/core/work/cleanUp';
import { generatedFixture } from '../emulator/fixture';
import { startHarness } from '../support/clientHarness';
import { benchLoader } from './benchLoader';

async function main(): Promise<void> {
  const [models, versions, latencyMs, rate] = [200, 20, 50, 0].map((fallback, i) => Number(process.argv[2 + i] ?? fallback));
  const fixture = generatedFixture(models, versions, 42, { sameSecondModels: models });
  const h = await startHarness({ fixture, latencyMs, rateLimit: rate });
  try {
    const client = h.makeClient({ retry: { maxRetries: 6, baseDelayMs: 300, maxDelayMs: 20_000 } });
    const limiter = client.limiter instanceof AdaptiveLimiter ? client.limiter : undefined;
    const ids = fixture.versions.map((v) => v.modelId);
    const store = new VersionDetailsStore();
    const loader = benchLoader(client, store);
    const reads = new ReadCount(ids);
    const started = performance.now();
    const at = () => performance.now() - started;
    let lastMove = 0;
    let stillest = 0;
    let noteMs = 0;
    let noteSince: number | undefined;
    const answered = () => h.emulator.requests.filter((r) => r.action === 'DescribeModel' && r.status === 200).length;
    const samples: string[] = [];
    const sub = store.onDidChange((changed) => {
      if (reads.landed(changed, (id) => !store.isLoading(id) && store.get(id) !== undefined) > 0) {
        stillest = Math.max(stillest, at() - lastMove);
        lastMove = at();
      }
    });
    const sampler = setInterval(() => {
      const state = limiter?.state;
      const note = reads.done < reads.total && state !== undefined && (state.rate !== undefined || state.throttled > 0);
      if (note && noteSince === undefined) {
        noteSince = at();
      } else if (!note && noteSince !== undefined) {
        noteMs += at() - noteSince;
        noteSince = undefined;
      }
    }, 100);
    const marks = [300, 1000, 3000, 10_000, 30_000, 60_000];
    const timers = marks.map((ms) =>
      setTimeout(() => samples.push(`  at ${(ms / 1000).toFixed(1)} s: counted ${reads.done} of ${reads.total}, answered ${answered()}`), ms),
    );
    await loader.load(ids, { force: true });
    const total = at();
    clearInterval(sampler);
    timers.forEach(clearTimeout);
    sub.dispose();
    if (noteSince !== undefined) {
      noteMs += total - noteSince;
    }
    process.stdout.write(
      `clean-up progress at ${models} models × ${versions} versions, ${latencyMs} ms latency, ${rate ? `${rate} requests/s` : 'no rate limit'}\n` +
        samples.join('\n') +
        `\n  all ${reads.done} read in ${(total / 1000).toFixed(1)} s; the count stood still at most ${stillest.toFixed(0)} ms;` +
        ` the rate-limit note showed ${(noteMs / 1000).toFixed(1)} s; ${h.emulator.throttled} requests refused\n`,
    );
  } finally {
    await h.emulator.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${String(error)}\n`);
  process.exit(1);
});
