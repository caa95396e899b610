/** The clean-up rule: what it deletes, what it keeps and why. */
import * as assert from 'assert';
import { type CleanUpCandidate, type CleanUpRule, emptiedModels, parseCreateTime, planCleanUp, protectedReason, ruleNumber } from '../../src/core/work/cleanUp';

const DAY = 24 * 3600 * 1000;
const NOW = Date.parse('2026-11-30T12:00:00Z');

function v(id: string, daysAgo: number | undefined, extra: Partial<CleanUpCandidate> = {}): CleanUpCandidate {
  return {
    modelId: `amv-${id}`,
    modelSetId: 'am-model0001',
    label: `m / ${id}`,
    status: 'Ready',
    createdAt: daysAgo === undefined ? undefined : NOW - daysAgo * DAY,
    services: [],
    exporting: false,
    ...extra,
  };
}

/** "deleted ids | kept id:reason" for one model. */
function summary(versions: CleanUpCandidate[], rule: CleanUpRule): string {
  const plan = planCleanUp(versions, rule, NOW);
  return plan.models
    .map((m) => `${m.remove.map((x) => x.modelId.slice(4)).join(',')} | ${m.keep.map((k) => `${k.version.modelId.slice(4)}:${k.reason.kind}`).join(',')}`)
    .join(' / ');
}

describe('clean-up: the rule', () => {
  it('keeps the newest N per model by creation time, the rest goes', () => {
    const versions = [v('v1', 40), v('v3', 10), v('v2', 20), v('v5', 1), v('v4', 5)];
    assert.strictEqual(summary(versions, { kind: 'keepNewest', count: 3 }), 'v2,v1 | v5:newest,v4:newest,v3:newest');
    assert.strictEqual(summary(versions, { kind: 'keepNewest', count: 5 }), ' | v5:newest,v4:newest,v3:newest,v2:newest,v1:newest');
    assert.strictEqual(summary(versions, { kind: 'keepNewest', count: 1 }), 'v4,v3,v2,v1 | v5:newest');
  });

  it('counts per model, each model on its own', () => {
    const other = (id: string, d: number) => v(id, d, { modelSetId: 'am-model0002' });
    const plan = planCleanUp([v('a1', 3), other('b1', 9), v('a2', 2), other('b2', 8), other('b3', 7)], { kind: 'keepNewest', count: 1 }, NOW);
    assert.deepStrictEqual(
      plan.models.map((m) => [m.modelSetId, m.remove.map((x) => x.modelId)]),
      [
        ['am-model0001', ['amv-a1']],
        ['am-model0002', ['amv-b2', 'amv-b1']],
      ],
    );
    assert.strictEqual(plan.removeCount, 3);
  });

  it('always keeps what a service runs, what is being exported and what is still Creating, whatever the rule', () => {
    const versions = [
      v('run', 90, { services: ['cs-prod', 'cs-test'] }),
      v('exp', 90, { exporting: true }),
      v('new', 90, { status: 'Creating' }),
      v('old', 90, { status: 'Fail' }),
    ];
    for (const rule of [{ kind: 'keepNewest', count: 0 }, { kind: 'olderThan', days: 1 }, { kind: 'failed' }] as const) {
      assert.strictEqual(summary(versions, rule), 'old | exp:exporting,new:creating,run:service', rule.kind);
    }
    assert.deepStrictEqual(protectedReason(versions[0]), { kind: 'service', services: ['cs-prod', 'cs-test'] });
    assert.strictEqual(protectedReason(versions[3]), undefined);
  });

  it('a protected version still counts among the newest N', () => {
    assert.strictEqual(summary([v('v3', 1, { status: 'Creating' }), v('v2', 2), v('v1', 3)], { kind: 'keepNewest', count: 2 }), 'v1 | v3:creating,v2:newest');
  });

  it('deletes what is older than D days; exactly D days old is kept', () => {
    const versions = [v('a', 31), v('b', 30), v('c', 29), v('d', 30.01)];
    assert.strictEqual(summary(versions, { kind: 'olderThan', days: 30 }), 'd,a | c:recent,b:recent');
  });

  it('with "failed" only Fail goes', () => {
    const versions = [v('a', 1, { status: 'Fail' }), v('b', 2, { status: 'Ready' }), v('c', 3, { status: undefined })];
    assert.strictEqual(summary(versions, { kind: 'failed' }), 'a | b:notFailed,c:notFailed');
  });

  it('a version whose creation time is unknown is kept by the date rules, and deleted by "failed" when it failed', () => {
    const versions = [v('known', 100), v('unknown', undefined, { status: 'Fail' })];
    assert.strictEqual(summary(versions, { kind: 'keepNewest', count: 0 }), 'known | unknown:unknownDate');
    assert.strictEqual(summary(versions, { kind: 'olderThan', days: 1 }), 'known | unknown:unknownDate');
    assert.strictEqual(summary(versions, { kind: 'failed' }), 'unknown | known:notFailed');
  });

  it('names the models it would empty; nothing to delete is an empty plan', () => {
    const plan = planCleanUp(
      [v('a', 5, { status: 'Fail' }), v('b', 6, { status: 'Fail', modelSetId: 'am-model0002' }), v('c', 1, { modelSetId: 'am-model0002' })],
      { kind: 'failed' },
      NOW,
    );
    assert.deepStrictEqual(emptiedModels(plan), ['am-model0001']);
    const none = planCleanUp([v('a', 1)], { kind: 'failed' }, NOW);
    assert.strictEqual(none.removeCount, 0);
    assert.deepStrictEqual(emptiedModels(none), []);
    assert.deepStrictEqual(planCleanUp([], { kind: 'failed' }, NOW), { models: [], removeCount: 0 });
  });

  it('reads creation times and typed numbers', () => {
    assert.strictEqual(parseCreateTime('2026-11-30T12:00:00Z'), NOW);
    assert.strictEqual(parseCreateTime(''), undefined);
    assert.strictEqual(parseCreateTime('  '), undefined);
    assert.strictEqual(parseCreateTime(undefined), undefined);
    assert.strictEqual(parseCreateTime('yesterday'), undefined);
    assert.strictEqual(ruleNumber(' 3 '), 3);
    assert.strictEqual(ruleNumber('0'), undefined);
    assert.strictEqual(ruleNumber('-1'), undefined);
    assert.strictEqual(ruleNumber('2.5'), undefined);
    assert.strictEqual(ruleNumber('1e3'), undefined);
    assert.strictEqual(ruleNumber('1234567'), undefined);
    assert.strictEqual(ruleNumber(''), undefined);
  });

  it('keeps a stable order among versions created at the same time', () => {
    const same = [v('b', 1), v('a', 1), v('c', 1)];
    assert.strictEqual(summary(same, { kind: 'keepNewest', count: 1 }), 'b,c | a:newest');
  });
});
