/** The clean-up over the emulator's generated accounts: versions an hour apart, or all of one second. */
import * as assert from 'assert';
import { generatedFixture, qianfanTime } from '../emulator/fixture';
import { type CleanUpCandidate, parseCreateTime, planCleanUp } from '../../src/core/work/cleanUp';

function candidates(sameSecondModels: number): CleanUpCandidate[] {
  return generatedFixture(2, 20, 42, { sameSecondModels }).versions.map((v) => ({
    modelId: v.modelId,
    modelSetId: v.modelSetId,
    label: v.modelId,
    name: v.modelName,
    status: v.status,
    createdAt: parseCreateTime(v.createTime),
    services: [],
    exporting: false,
  }));
}

const kept = (versions: CleanUpCandidate[]) =>
  planCleanUp(versions, { kind: 'keepNewest', count: 3 }, Date.now()).models.map((m) => m.keep.map((k) => k.version.name).join(','));

describe('clean-up: the generated accounts', () => {
  it('each version is created later than the one before it, in whole seconds and China time', () => {
    const times = generatedFixture(1, 20).versions.map((v) => v.createTime);
    assert.strictEqual(times[0], '2026-10-12T10:20:30+08:00');
    assert.strictEqual(times[1], '2026-10-12T11:20:30+08:00');
    assert.strictEqual(times[19], '2026-10-13T05:20:30+08:00');
    const ms = times.map((t) => Date.parse(t));
    assert.ok(
      ms.every((t, i) => i === 0 || t > ms[i - 1]),
      'increasing',
    );
    assert.strictEqual(qianfanTime(Date.parse('2026-01-01T00:00:00Z')), '2026-01-01T08:00:00+08:00');
  });

  it('keeps the highest versions whether the times differ or tie (V7 and V14 are Creating)', () => {
    assert.deepStrictEqual(kept(candidates(0)), ['V20,V19,V18,V14,V7', 'V20,V19,V18,V14,V7']);
    assert.deepStrictEqual(kept(candidates(1)), ['V20,V19,V18,V14,V7', 'V20,V19,V18,V14,V7']);
    const tied = generatedFixture(2, 20, 42, { sameSecondModels: 1 });
    assert.strictEqual(new Set(tied.versions.slice(0, 20).map((v) => v.createTime)).size, 1, 'the first model: one second');
    assert.strictEqual(new Set(tied.versions.slice(20).map((v) => v.createTime)).size, 20, 'the second: its own times');
  });
});
