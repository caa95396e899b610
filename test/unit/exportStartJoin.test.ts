import * as assert from 'assert';
import { CancelledError } from '../../src/core/qianfan/errors';
import { type ExportStart, joinExportStart } from '../../src/core/qianfan/exportStart';

/** A start whose outcome the test gives by hand; it records each call and the signal it was given. */
class ManualStart {
  readonly signals: AbortSignal[] = [];
  private readonly answers: { resolve(v: ExportStart): void; reject(e: unknown): void }[] = [];

  readonly start = (signal: AbortSignal): Promise<ExportStart> => {
    this.signals.push(signal);
    return new Promise<ExportStart>((resolve, reject) => this.answers.push({ resolve, reject }));
  };

  get calls(): number {
    return this.signals.length;
  }

  answer(call: number, exportId: string): void {
    this.answers[call].resolve({ exportId, resumed: false });
  }

  fail(call: number, error: unknown): void {
    this.answers[call].reject(error);
  }
}

/** What a promise has come to so far: pending, its value, or its error. */
function watch<T>(promise: Promise<T>) {
  const state: { done: boolean; value?: T; error?: unknown } = { done: false };
  promise.then(
    (value) => Object.assign(state, { done: true, value }),
    (error: unknown) => Object.assign(state, { done: true, error }),
  );
  return state;
}

const tick = () => new Promise((r) => setImmediate(r));
let n = 0;
const freshKey = () => `http://127.0.0.1 amv-join${String(++n).padStart(8, '0')}`;

describe('a joined export start: each caller cancels its own wait', () => {
  it('the first caller cancels, the second does not: the second gets the result, and the request goes on', async () => {
    const s = new ManualStart();
    const key = freshKey();
    const first = new AbortController();
    const a = watch(joinExportStart(key, s.start, first.signal));
    const b = watch(joinExportStart(key, s.start, new AbortController().signal));
    assert.strictEqual(s.calls, 1, 'joined: one start');
    first.abort();
    await tick();
    assert.ok(a.error instanceof CancelledError, 'the first rejects at once');
    assert.strictEqual(b.done, false, 'the second still waits');
    assert.strictEqual(s.signals[0].aborted, false, 'the shared request goes on');
    s.answer(0, 'ex-1');
    await tick();
    assert.deepStrictEqual(b.value, { exportId: 'ex-1', resumed: false });
    assert.strictEqual(s.calls, 1);
  });

  it('only the second caller cancels: it rejects at once, the first gets the result', async () => {
    const s = new ManualStart();
    const key = freshKey();
    const second = new AbortController();
    const a = watch(joinExportStart(key, s.start, new AbortController().signal));
    const b = watch(joinExportStart(key, s.start, second.signal));
    second.abort();
    await tick();
    assert.ok(b.error instanceof CancelledError, 'the second rejects at once');
    assert.strictEqual(a.done, false);
    assert.strictEqual(s.signals[0].aborted, false, 'the first still wants it');
    s.answer(0, 'ex-2');
    await tick();
    assert.deepStrictEqual(a.value, { exportId: 'ex-2', resumed: false });
    assert.strictEqual(s.calls, 1);
  });

  it('a caller without a signal keeps the request going whoever cancels', async () => {
    const s = new ManualStart();
    const key = freshKey();
    const other = new AbortController();
    const a = watch(joinExportStart(key, s.start));
    const b = watch(joinExportStart(key, s.start, other.signal));
    other.abort();
    await tick();
    assert.ok(b.error instanceof CancelledError);
    assert.strictEqual(s.signals[0].aborted, false);
    s.answer(0, 'ex-3');
    await tick();
    assert.deepStrictEqual(a.value, { exportId: 'ex-3', resumed: false });
  });

  it('when every caller has cancelled, the shared request is aborted', async () => {
    const s = new ManualStart();
    const key = freshKey();
    const first = new AbortController();
    const second = new AbortController();
    const a = watch(joinExportStart(key, s.start, first.signal));
    const b = watch(joinExportStart(key, s.start, second.signal));
    first.abort();
    await tick();
    assert.strictEqual(s.signals[0].aborted, false, 'one caller still waits');
    second.abort();
    await tick();
    assert.ok(a.error instanceof CancelledError && b.error instanceof CancelledError);
    assert.strictEqual(s.signals[0].aborted, true, 'nobody waits: aborted');
    s.fail(0, new CancelledError());
  });

  it('a caller already cancelled starts nothing', async () => {
    const s = new ManualStart();
    const gone = new AbortController();
    gone.abort();
    const a = watch(joinExportStart(freshKey(), s.start, gone.signal));
    await tick();
    assert.ok(a.error instanceof CancelledError);
    assert.strictEqual(s.calls, 0);
  });

  it('after all cancelled, a new caller joins the start still in flight: its result when it has one', async () => {
    const s = new ManualStart();
    const key = freshKey();
    const first = new AbortController();
    watch(joinExportStart(key, s.start, first.signal));
    first.abort();
    await tick();
    assert.strictEqual(s.signals[0].aborted, true);
    const again = watch(joinExportStart(key, s.start, new AbortController().signal));
    await tick();
    assert.strictEqual(s.calls, 1, 'no second start while the first is in flight');
    s.answer(0, 'ex-4'); // the create had gone through before the abort reached it
    await tick();
    assert.deepStrictEqual(again.value, { exportId: 'ex-4', resumed: false });
    assert.strictEqual(s.calls, 1, 'never created twice');
  });

  it('after all cancelled, a new caller waits for the abandoned start to end before starting again', async () => {
    const s = new ManualStart();
    const key = freshKey();
    const first = new AbortController();
    watch(joinExportStart(key, s.start, first.signal));
    first.abort();
    await tick();
    const again = watch(joinExportStart(key, s.start, new AbortController().signal));
    const third = watch(joinExportStart(key, s.start));
    await tick();
    assert.strictEqual(s.calls, 1, 'nothing new while the abandoned start is in flight');
    s.fail(0, new CancelledError()); // the abandoned start ended by its abort
    await tick();
    assert.strictEqual(s.calls, 2, 'then one new start (it looks before it creates), for both callers');
    assert.strictEqual(s.signals[1].aborted, false);
    s.answer(1, 'ex-5');
    await tick();
    assert.deepStrictEqual(again.value, { exportId: 'ex-5', resumed: false });
    assert.deepStrictEqual(third.value, { exportId: 'ex-5', resumed: false });
    const later = watch(joinExportStart(key, s.start));
    await tick();
    assert.strictEqual(s.calls, 3, 'once settled, the key is free again');
    s.answer(2, 'ex-6');
    await tick();
    assert.deepStrictEqual(later.value, { exportId: 'ex-6', resumed: false });
  });

  it('a failure reaches every caller still waiting', async () => {
    const s = new ManualStart();
    const key = freshKey();
    const a = watch(joinExportStart(key, s.start));
    const b = watch(joinExportStart(key, s.start, new AbortController().signal));
    const failure = new Error('denied');
    s.fail(0, failure);
    await tick();
    assert.strictEqual(a.error, failure);
    assert.strictEqual(b.error, failure);
  });
});
