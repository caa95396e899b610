/** The clean-up rule: what it deletes, what it keeps and why. */
import * as assert from 'assert';
import {
  type CleanUpCandidate,
  type CleanUpRule,
  emptiedModels,
  keptAnyway,
  newestFirst,
  parseCreateTime,
  planCleanUp,
  protectedReason,
  ruleNumber,
} from '../../src/core/work/cleanUp';

const DAY = 24 * 3600 * 1000;
const NOW = Date.parse('2026-11-30T12:00:00Z');

function v(id: string, daysAgo: number | undefined, extra: Partial<CleanUpCandidate> = {}): CleanUpCandidate {
  return {
    modelId: `amv-${id}`,
    modelSetId: 'am-model0001',
    label: `m / ${id}`,
    name: id,
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
      assert.strictEqual(summary(versions, rule), 'old | run:service,new:creating,exp:exporting', rule.kind);
    }
    assert.deepStrictEqual(protectedReason(versions[0]), { kind: 'service', services: ['cs-prod', 'cs-test'] });
    assert.strictEqual(protectedReason(versions[3]), undefined);
  });

  it('a protected version is kept in addition: the newest N counts only versions the rule may delete', () => {
    assert.strictEqual(
      summary([v('v4', 1, { status: 'Creating' }), v('v3', 2), v('v2', 3), v('v1', 4)], { kind: 'keepNewest', count: 2 }),
      'v1 | v4:creating,v3:newest,v2:newest',
    );
    // a version in a service, one being exported and one of unknown date take no place either
    assert.strictEqual(
      summary([v('s', 1, { services: ['cs'] }), v('e', 2, { exporting: true }), v('u', undefined), v('b', 3), v('a', 4)], { kind: 'keepNewest', count: 1 }),
      'a | s:service,e:exporting,b:newest,u:unknownDate',
    );
    assert.ok(keptAnyway({ kind: 'unknownDate' }) && keptAnyway({ kind: 'creating' }) && keptAnyway({ kind: 'service', services: [] }));
    assert.ok(keptAnyway({ kind: 'exporting' }));
    assert.ok(!keptAnyway({ kind: 'newest', count: 1 }) && !keptAnyway({ kind: 'recent', days: 1 }) && !keptAnyway({ kind: 'notFailed' }));
  });

  it('twenty versions of one second, the two newest Creating: keeps V20 and V19 and the three newest usable ones, V18 to V16', () => {
    // IDs in no order of age, as Qianfan's are
    const ids = ['k', 'c', 'x', 'a', 'q', 'f', 'z', 'b', 'm', 'd', 'y', 'e', 'p', 'g', 'w', 'h', 'r', 'i', 'o', 'j'];
    const versions = ids.map((id, i) => ({ ...v(id, 1), name: `V${i + 1}`, status: i >= 18 ? 'Creating' : 'Ready' }));
    const plan = planCleanUp(versions, { kind: 'keepNewest', count: 3 }, NOW);
    const [m] = plan.models;
    assert.deepStrictEqual(
      m.keep.map((k) => `${k.version.name}:${k.reason.kind}`),
      ['V20:creating', 'V19:creating', 'V18:newest', 'V17:newest', 'V16:newest'],
    );
    assert.deepStrictEqual(
      m.remove.map((x) => x.name),
      Array.from({ length: 15 }, (_, i) => `V${15 - i}`),
    );
    assert.deepStrictEqual(
      m.versions.map((p) => `${p.version.name}${p.reason ? '' : '-'}`),
      ['V20', 'V19', 'V18', 'V17', 'V16', ...Array.from({ length: 15 }, (_, i) => `V${15 - i}-`)],
      'every version newest first, the deleted ones marked',
    );
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

  it('among versions created in the same second the higher version name is the newer, in natural order, never by ID', () => {
    const same = [v('a', 1, { name: 'V9' }), v('b', 1, { name: 'V10' }), v('c', 1, { name: 'V2' })];
    assert.strictEqual(summary(same, { kind: 'keepNewest', count: 1 }), 'a,c | b:newest');
    assert.deepStrictEqual(
      [v('a', 1, { name: 'v3' }), v('b', 1, { name: 'V20' }), v('c', 2, { name: 'V99' })].sort(newestFirst).map((x) => x.name),
      ['V20', 'v3', 'V99'],
      'a time first; names by value, case aside',
    );
  });
});
