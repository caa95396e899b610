import * as assert from 'assert';
import { type ModelVersionDetail } from '../../src/core/qianfan/model';
import { MAX_POLLED_PER_ROUND, StatusPoller } from '../../src/core/work/statusPoller';
import { VersionDetailsStore } from '../../src/core/state/versionDetails';

const ids = (n: number) => Array.from({ length: n }, (_, i) => `amv-${String(i).padStart(8, '0')}`);

function detail(modelId: string, status: string): ModelVersionDetail {
  return { modelId, modelSetId: 'am-aaaaaaaaaaaa', modelName: `V${modelId.slice(-2)}`, status };
}

/** A poller over `visible` whose loads answer Creating (or what `next` says), each round recorded. */
function setup(visible: { modelId: string; status?: string }[]) {
  const store = new VersionDetailsStore();
  const rounds: (readonly string[])[] = [];
  const next = new Map<string, string>();
  let waiter: { count: number; resolve(): void } | undefined;
  const poller = new StatusPoller({
    store,
    loader: {
      load: (loaded) => {
        rounds.push([...loaded]);
        loaded.forEach((id) => store.set(id, { kind: 'loaded', detail: detail(id, next.get(id) ?? 'Creating'), at: rounds.length }));
        if (waiter && rounds.length >= waiter.count) {
          waiter.resolve();
        }
        return Promise.resolve();
      },
    },
    visible: () => visible,
    announce: () => undefined,
  });
  poller.timing = { intervalMs: 1, maxIntervalMs: 1 };
  /** Resolves once `count` rounds have run (the poller's own timer drives them). */
  const roundsRun = (count: number) =>
    new Promise<void>((resolve) => {
      if (rounds.length >= count) {
        resolve();
      } else {
        waiter = { count, resolve };
      }
    });
  return { poller, rounds, next, roundsRun };
}

describe('the status poller takes versions in turns', () => {
  it('polls each of 120 Creating versions within 3 rounds of at most 50', async () => {
    const all = ids(120);
    const p = setup(all.map((modelId) => ({ modelId, status: 'Creating' })));
    p.poller.setActive(true);
    await p.roundsRun(3);
    p.poller.dispose();
    const firstThree = p.rounds.slice(0, 3);
    firstThree.forEach((r) => assert.ok(r.length <= MAX_POLLED_PER_ROUND, `${r.length} in a round`));
    const polled = new Set(firstThree.flat());
    assert.deepStrictEqual(
      all.filter((id) => !polled.has(id)),
      [],
      'every version polled within ceil(120 / 50) rounds',
    );
    assert.deepStrictEqual(firstThree[0], all.slice(0, 50), 'the first round: the first 50 in view order');
    assert.deepStrictEqual(firstThree[1], all.slice(50, 100));
    assert.deepStrictEqual(firstThree[2], [...all.slice(100), ...all.slice(0, 30)], 'then the longest waiting');
  });

  it('keeps every version in turn round after round, and a version no longer Creating leaves the turns', async () => {
    const all = ids(75);
    const p = setup(all.map((modelId) => ({ modelId, status: 'Creating' })));
    p.next.set(all[60], 'Ready'); // found Ready by its first poll (round 2)
    p.poller.setActive(true);
    await p.roundsRun(6);
    p.poller.dispose();
    const rounds = p.rounds.slice(0, 6);
    const lastSeen = new Map<string, number>();
    rounds.forEach((r, i) => r.forEach((id) => lastSeen.set(id, i)));
    for (const id of all.filter((id) => id !== all[60])) {
      assert.ok((lastSeen.get(id) ?? -1) >= 4, `${id} polled in the last two rounds`);
    }
    assert.strictEqual(lastSeen.get(all[60]), 1, 'polled once, then no longer Creating');
  });
});
