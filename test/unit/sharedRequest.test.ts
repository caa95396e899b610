/** A request shared by callers who each may stop waiting; a request that goes on once sent. */
import * as assert from 'assert';
import { SharedRequest, cancelUntilSent } from '../../src/core/base/sharedRequest';

class Stopped extends Error {}
const stopped = () => new Stopped('stopped');
const flush = () => new Promise((r) => setImmediate(r));

/** A request answered by hand; its signal kept. */
function handRequest<T>() {
  let answer!: (v: T) => void;
  let fail!: (e: unknown) => void;
  let signal!: AbortSignal;
  const start = (s: AbortSignal) => {
    signal = s;
    return new Promise<T>((resolve, reject) => {
      answer = resolve;
      fail = reject;
    });
  };
  return { start, answer: (v: T) => answer(v), fail: (e: unknown) => fail(e), signal: () => signal };
}

describe('SharedRequest', () => {
  it('every caller gets the outcome; one who cancels gets its cancel at once, the request goes on', async () => {
    const hand = handRequest<number>();
    const shared = new SharedRequest(hand.start, stopped);
    const a = new AbortController();
    const first = shared.join(a.signal);
    const second = shared.join(new AbortController().signal);
    const third = shared.join();
    assert.strictEqual(shared.waiters, 3);
    a.abort();
    await assert.rejects(first, Stopped);
    assert.strictEqual(hand.signal().aborted, false);
    assert.strictEqual(shared.abandoned, false);
    assert.strictEqual(shared.waiters, 2);
    hand.answer(7);
    assert.deepStrictEqual(await Promise.all([second, third]), [7, 7]);
  });

  it('aborted only when the last caller cancels; a failure reaches those who wait', async () => {
    const hand = handRequest<number>();
    const shared = new SharedRequest(hand.start, stopped);
    const a = new AbortController();
    const b = new AbortController();
    const first = shared.join(a.signal);
    const second = shared.join(b.signal);
    a.abort();
    await assert.rejects(first, Stopped);
    assert.strictEqual(hand.signal().aborted, false);
    b.abort();
    await assert.rejects(second, Stopped);
    assert.strictEqual(hand.signal().aborted, true);
    assert.strictEqual(shared.abandoned, true);
    hand.fail(new Error('aborted')); // nobody waits: no unhandled rejection

    const other = handRequest<number>();
    const again = new SharedRequest(other.start, stopped);
    const waiting = again.join(new AbortController().signal);
    other.fail(new RangeError('bad'));
    await assert.rejects(waiting, RangeError);
    assert.strictEqual(again.waiters, 0);
  });

  it('a caller without a signal never stops waiting: the request is never aborted', async () => {
    const hand = handRequest<number>();
    const shared = new SharedRequest(hand.start, stopped);
    const plain = shared.join();
    const a = new AbortController();
    const withSignal = shared.join(a.signal);
    a.abort();
    await assert.rejects(withSignal, Stopped);
    assert.strictEqual(hand.signal().aborted, false);
    hand.answer(1);
    assert.strictEqual(await plain, 1);
  });

  it('a caller already cancelled: rejected at once; the first one aborts a request nobody waits for, a settled one stays', async () => {
    const hand = handRequest<number>();
    const shared = new SharedRequest(hand.start, stopped);
    await assert.rejects(shared.join(AbortSignal.abort()), Stopped);
    assert.strictEqual(hand.signal().aborted, true);

    const done = new SharedRequest(() => Promise.resolve(3), stopped);
    assert.strictEqual(await done.join(), 3);
    await flush();
    await assert.rejects(done.join(AbortSignal.abort()), Stopped);
    assert.strictEqual(done.abandoned, false, 'a settled answer is still good to reuse');
    const a = new AbortController();
    const late = done.join(a.signal);
    assert.strictEqual(await late, 3);
  });

  it('a start that throws is its rejection', async () => {
    const shared = new SharedRequest<number>(() => {
      throw new RangeError('no');
    }, stopped);
    await assert.rejects(shared.join(), RangeError);
  });
});

describe('cancelUntilSent', () => {
  it('a cancel before it was sent aborts it', async () => {
    const user = new AbortController();
    let seen!: AbortSignal;
    const run = cancelUntilSent(user.signal, (signal) => {
      seen = signal;
      return new Promise<string>((_r, reject) => signal.addEventListener('abort', () => reject(stopped())));
    });
    user.abort();
    await assert.rejects(run, Stopped);
    assert.strictEqual(seen.aborted, true);
  });

  it('once sent, a cancel no longer stops it: its outcome comes back', async () => {
    const user = new AbortController();
    let seen!: AbortSignal;
    let answer!: (v: string) => void;
    const run = cancelUntilSent(user.signal, (signal, sent) => {
      seen = signal;
      sent();
      return new Promise<string>((resolve) => (answer = resolve));
    });
    user.abort();
    await flush();
    assert.strictEqual(seen.aborted, false);
    answer('deleted');
    assert.strictEqual(await run, 'deleted');
  });

  it('already cancelled: aborted from the start, and sent() then changes nothing', async () => {
    let seen!: AbortSignal;
    const run = cancelUntilSent(AbortSignal.abort(), (signal, sent) => {
      sent();
      seen = signal;
      return Promise.resolve(signal.aborted);
    });
    assert.strictEqual(await run, true);
    assert.strictEqual(seen.aborted, true);
  });

  it('without a signal it just runs; a throw is its rejection', async () => {
    assert.strictEqual(await cancelUntilSent(undefined, (s) => Promise.resolve(s.aborted)), false);
    await assert.rejects(
      cancelUntilSent(undefined, () => {
        throw new RangeError('x');
      }),
      RangeError,
    );
  });
});
