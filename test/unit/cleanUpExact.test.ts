/** The clean-up rule's edges: the order of versions, ties, unknown dates, and the typed numbers. */
import * as assert from 'assert';
import { type CleanUpCandidate, ReadCount, emptiedModels, parseCreateTime, planCleanUp, ruleNumber } from '../../src/core/work/cleanUp';
import { VersionDetailsStore } from '../../src/core/state/versionDetails';

const DAY = 24 * 3600 * 1000;
const NOW = Date.parse('2026-11-30T12:00:00Z');

function v(id: string, daysAgo: number | undefined, name = ''): CleanUpCandidate {
  const createdAt = daysAgo === undefined ? undefined : NOW - daysAgo * DAY;
  return { modelId: `amv-${id}`, modelSetId: 'am-model0001', label: `m / ${id}`, name, status: 'Ready', createdAt, services: [], exporting: false };
}

const removed = (versions: CleanUpCandidate[], count: number) =>
  planCleanUp(versions, { kind: 'keepNewest', count }, NOW).models.flatMap((m) => m.remove.map((x) => x.modelId.slice(4)));

describe('clean-up: the edges', () => {
  it('a version of unknown date counts after every dated one: it takes no place among the newest', () => {
    assert.deepStrictEqual(removed([v('u', undefined), v('a', 1), v('b', 2)], 1), ['b']);
  });

  it('versions created at the same time rank by name, newest the highest; without names they keep the order they came in', () => {
    assert.deepStrictEqual(removed([v('a', 5, 'V1'), v('b', 5, 'V3'), v('c', 5, 'V2')], 1), ['c', 'a']);
    assert.deepStrictEqual(removed([v('b', 5), v('a', 5), v('c', 5)], 1), ['a', 'c']);
  });

  it('reads an ISO time; nothing, blanks or words are no time', () => {
    assert.strictEqual(parseCreateTime('2026-11-30T12:00:00Z'), NOW);
    for (const text of [undefined, '', '   ', 'yesterday']) {
      assert.strictEqual(parseCreateTime(text), undefined, String(text));
    }
  });

  it('names the models a plan would empty, and only those', () => {
    const plan = planCleanUp(
      [v('a', 100), { ...v('b', 100), modelSetId: 'am-model0002' }, { ...v('c', 1), modelSetId: 'am-model0002' }],
      { kind: 'olderThan', days: 30 },
      NOW,
    );
    assert.deepStrictEqual(emptiedModels(plan), ['am-model0001']);
  });

  it('a typed rule number: a whole number from 1 to 999999', () => {
    assert.deepStrictEqual(['1', ' 10 ', '999999'].map(ruleNumber), [1, 10, 999999]);
    for (const text of ['0', '1000000', '-1', '1.5', '1e3', '', 'ten']) {
      assert.strictEqual(ruleNumber(text), undefined, text);
    }
  });
});

describe('clean-up: counting the reads', () => {
  it('counts a version when its answer lands, not when it is asked for; once each; only the asked ones', () => {
    const store = new VersionDetailsStore();
    store.set('a', { kind: 'missing', at: 1 }); // known from before: the forced load asks again
    const reads = new ReadCount(['a', 'b', 'c', 'a']);
    const landed: number[] = [];
    store.onDidChange((changed) => landed.push(reads.landed(changed, (id) => !store.isLoading(id) && store.get(id) !== undefined)));
    store.setLoading(['a', 'b', 'c', 'x'], true); // asked: nothing read yet, though a has an old answer
    assert.strictEqual(reads.done, 0);
    store.set('b', { kind: 'error', error: new Error('boom'), at: 2 });
    store.set('x', { kind: 'missing', at: 2 }); // not one of ours
    store.set('b', { kind: 'missing', at: 3 }); // b again: already counted
    store.set('a', { kind: 'missing', at: 3 });
    store.set('c', { kind: 'missing', at: 3 });
    assert.deepStrictEqual(landed, [0, 1, 0, 0, 1, 1]);
    assert.deepStrictEqual([reads.done, reads.total], [3, 3]);
  });
});
