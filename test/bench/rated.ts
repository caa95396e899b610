/**
 * The rate-limited part of `npm run bench`: bulk deletes of 1,000 versions against the emulator
 * limited to 50 requests/s (50 ms latency): the adaptive client, the same client with the limiter
 * off (fixed at the default concurrency), and the official SDK's plain loop; each checked against the
 * emulator's state afterwards.
 */
import { type QianfanEmulator } from '../emulator/emulator';
import { DEFAULT_CONCURRENCY, deleteTargets } from './side';

/** This many versions, against a service limited to RATE_LIMIT requests/s; the goal for ours. */
export const RATED_DELETES = 1000;
export const RATE_LIMIT = 50;
export const RATE_GOAL = 0.9;

export type Who = 'ours' | 'adaptive' | 'fixed' | 'official';

export interface SideResult {
  ms: number;
  ok: number;
  failed: number;
  failedIds: string[];
  maxRssKb: number;
}

export interface RatedRow {
  what: string;
  ms: number;
  perSecond: number;
  throttled: number;
  deleted: number;
  failed: number;
}

export const percent = (perSecond: number) => `${Math.round((100 * perSecond) / RATE_LIMIT)} %`;

/**
 * Bulk deletes of RATED_DELETES versions each (slices 1, 2, 3 of the account: the 200-version runs
 * used the first 600) against the emulator limited to RATE_LIMIT requests/s. After each run every
 * version reported deleted must be gone and every one reported failed must still exist.
 */
export async function ratedDeletes(emulator: QianfanEmulator, runSide: (who: Who, extra: string[]) => Promise<SideResult>): Promise<RatedRow[]> {
  emulator.rateLimit = RATE_LIMIT;
  const runs: [Who, string][] = [
    ['adaptive', `this extension (adaptive, starting at ${DEFAULT_CONCURRENCY})`],
    ['fixed', `this extension, limiter off (fixed concurrency ${DEFAULT_CONCURRENCY})`],
    ['official', 'official SDK, a plain loop'],
  ];
  const rows: RatedRow[] = [];
  for (const [i, [who, what]] of runs.entries()) {
    await new Promise((r) => setTimeout(r, 1100)); // an empty rate window for each run
    const throttledBefore = emulator.throttled;
    const run = i + 1;
    const r = await runSide(who, [String(run), String(DEFAULT_CONCURRENCY), String(RATED_DELETES)]);
    const targets = deleteTargets(run, RATED_DELETES);
    const failed = new Set(r.failedIds);
    const wrong = targets.filter((id) => emulator.store.versions.has(id) !== failed.has(id));
    const stray = r.failedIds.filter((id) => !targets.includes(id));
    if (r.ok + r.failed !== RATED_DELETES || r.failed !== failed.size || wrong.length > 0 || stray.length > 0) {
      throw new Error(`bench: ${what}: ${r.ok} reported deleted, ${r.failed} failed of ${RATED_DELETES}; reported wrongly: ${wrong.length + stray.length}`);
    }
    rows.push({ what, ms: r.ms, perSecond: r.ok / (r.ms / 1000), throttled: emulator.throttled - throttledBefore, deleted: r.ok, failed: r.failed });
  }
  emulator.rateLimit = 0;
  return rows;
}

export function ratedTable(rows: RatedRow[]): string {
  const lines = [
    `| way | time | deletes/s | of the ${RATE_LIMIT}/s limit | 429s received | deleted | failed (still there) | lost or reported wrongly |`,
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.what} | ${(r.ms / 1000).toFixed(1)} s | ${r.perSecond.toFixed(1)} | ${percent(r.perSecond)} | ${r.throttled} | ${r.deleted} | ${r.failed} | 0 |`,
    );
  }
  return lines.join('\n');
}
