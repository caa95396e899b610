import * as assert from 'assert';
import { runBatch } from '../../src/core/work/batch';

describe('a batch whose listener throws', () => {
  it('settles each item once, keeps its outcome, and runs every item', async () => {
    const calls: [number, boolean, number][] = [];
    const ran: number[] = [];
    const failure = new Error('no such version');
    const outcomes = await runBatch(
      [1, 2, 3, 4],
      (n) => {
        ran.push(n);
        return n === 2 ? Promise.reject(failure) : Promise.resolve(n * 10);
      },
      {
        concurrency: 1,
        onSettled: (o, done) => {
          calls.push([o.item, o.ok, done]);
          throw new Error('the progress was closed');
        },
      },
    );
    assert.deepStrictEqual(ran, [1, 2, 3, 4], 'every item ran');
    assert.deepStrictEqual(
      calls,
      [
        [1, true, 1],
        [2, false, 2],
        [3, true, 3],
        [4, true, 4],
      ],
      'one report per item, counted once',
    );
    assert.deepStrictEqual(
      outcomes.map((o) => (o.ok ? o.value : o.error)),
      [10, failure, 30, 40],
      "a listener's throw is not the item's outcome",
    );
  });

  it('settles items not started after a cancel once each, too', async () => {
    const controller = new AbortController();
    let reports = 0;
    const outcomes = await runBatch(
      ['a', 'b', 'c'],
      (s) => {
        controller.abort();
        return Promise.resolve(s);
      },
      {
        concurrency: 1,
        signal: controller.signal,
        onSettled: () => {
          reports++;
          throw new Error('listener');
        },
      },
    );
    assert.strictEqual(reports, 3);
    assert.deepStrictEqual(
      outcomes.map((o) => (o.ok ? 'ok' : o.cancelled ? 'cancelled' : 'failed')),
      ['ok', 'cancelled', 'cancelled'],
    );
  });
});
