/** The adaptive limiter on a fake clock: growth, halving, Retry-After, pacing, cancel, no lost items. */
import * as assert from 'assert';
import { AdaptiveLimiter, type AdaptiveLimitOptions, REAL_TIMERS } from '../../src/core/qianfan/adaptiveLimit';
import { runBatch } from '../../src/core/work/batch';
import { CancelledError } from '../../src/core/qianfan/errors';
import { FixedGate } from '../../src/core/qianfan/gate';
import { FakeTimers, flush } from '../support/fakeTimers';
import { ask } from '../support/gateProbe';

function limiter(options: Partial<AdaptiveLimitOptions> = {}): { gate: AdaptiveLimiter; clock: FakeTimers } {
  const clock = new FakeTimers();
  return { gate: new AdaptiveLimiter({ initial: 4, timers: clock, ...options }), clock };
}

/** `rounds` bursts of more than the limit, each answered cleanly after `latency` ms per round trip. */
async function cleanRounds(gate: AdaptiveLimiter, clock: FakeTimers, rounds: number, latency = 50): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    const asked = Array.from({ length: gate.state.limit + 2 }, () => ask(gate));
    const released = new Set<ReturnType<typeof ask>>();
    while (released.size < asked.length) {
      await clock.advance(latency);
      for (const a of asked.filter((x) => x.granted && !released.has(x))) {
        released.add(a);
        a.permit!.release('answered');
      }
      assert.ok(gate.state.inFlight <= gate.state.limit);
    }
  }
}

describe('adaptive limiter', () => {
  it('starts at the setting and lets no more than the limit in flight', async () => {
    const { gate } = limiter({ initial: 3 });
    const asked = Array.from({ length: 5 }, () => ask(gate));
    await flush();
    assert.deepStrictEqual(
      asked.map((a) => a.granted),
      [true, true, true, false, false],
    );
    asked[0].permit!.release('answered');
    await flush();
    assert.strictEqual(asked[3].granted, true, 'a release lets the next one in, in order');
    assert.strictEqual(asked[4].granted, false);
    assert.strictEqual(gate.state.inFlight, 3);
  });

  it('grows additively while answers are fast and clean, up to its ceiling', async () => {
    const { gate, clock } = limiter({ initial: 4 });
    assert.strictEqual(gate.ceiling, 16);
    await cleanRounds(gate, clock, 2);
    assert.ok([5, 6].includes(gate.state.limit), `about +1 per full window of clean answers, got ${gate.state.limit}`);
    await cleanRounds(gate, clock, 40);
    assert.strictEqual(gate.state.limit, 16);
  });

  it('does not grow when it is not the bottleneck', async () => {
    const { gate, clock } = limiter({ initial: 4 });
    for (let i = 0; i < 20; i++) {
      const a = ask(gate);
      await clock.advance(50);
      a.permit!.release('answered');
    }
    assert.strictEqual(gate.state.limit, 4);
  });

  it('halves on a 429, once per round trip, never below 1, and recovers', async () => {
    const { gate, clock } = limiter({ initial: 8 });
    const first = Array.from({ length: 8 }, () => ask(gate));
    await flush();
    first[0].permit!.release('throttled');
    assert.strictEqual(gate.state.limit, 4);
    first[1].permit!.release('throttled'); // started before the halving: no second halving
    assert.strictEqual(gate.state.limit, 4);
    assert.strictEqual(gate.state.throttled, 2, 'each throttled answer is counted');
    first.slice(2).forEach((a) => a.permit!.release('failed'));
    await cleanRounds(gate, clock, 12);
    assert.ok(gate.state.limit >= 8, `recovers, got ${gate.state.limit}`);
    assert.strictEqual(gate.state.rate, undefined, 'a lone 429 teaches no rate');
    await clock.advance(5000);
    for (let i = 0; i < 6; i++) {
      const previous: number = gate.state.limit;
      const a = ask(gate);
      await clock.advance(2000); // once a rate is learnt (at 1 in flight), the next start waits for its slot
      a.permit!.release('throttled');
      assert.strictEqual(gate.state.limit, Math.max(1, Math.floor(previous / 2)));
    }
    assert.strictEqual(gate.state.limit, 1);
    assert.strictEqual(gate.state.throttled, 8);
  });

  it('a Retry-After of 0 (or none) closes nothing: the next start is not held back', async () => {
    const { gate, clock } = limiter({ initial: 2 });
    const a = ask(gate);
    await flush();
    a.permit!.release('throttled', 0);
    const b = ask(gate);
    await clock.advance(1);
    assert.ok(b.granted, 'no pause for a hint of 0 ms');
    b.permit!.release('throttled', 500);
    const c = ask(gate);
    await clock.advance(400);
    assert.ok(!c.granted, 'a hint of 500 ms holds the next start');
    await clock.advance(200);
    assert.ok(c.granted, 'until it has passed');
  });

  it('halves when latency rises well above the recent baseline', async () => {
    const { gate, clock } = limiter({ initial: 8 });
    for (let i = 0; i < 25; i++) {
      const a = ask(gate);
      await clock.advance(40);
      a.permit!.release('answered');
    }
    assert.strictEqual(gate.state.limit, 8);
    for (let i = 0; i < 6 && gate.state.limit === 8; i++) {
      const a = ask(gate);
      await clock.advance(400);
      a.permit!.release('answered');
    }
    assert.strictEqual(gate.state.limit, 4);
  });

  it('starts nothing before Retry-After', async () => {
    const { gate, clock } = limiter();
    const a = ask(gate);
    await flush();
    await clock.advance(30);
    a.permit!.release('throttled', 1000);
    const b = ask(gate);
    await clock.advance(999);
    assert.strictEqual(b.granted, false);
    await clock.advance(1);
    assert.strictEqual(b.granted, true);
  });

  it('learns a rate from a 429 and spaces the starts by it', async () => {
    const { gate, clock } = limiter({ initial: 16 });
    // 20 answers in the last second, then a 429 for an attempt that started after 4 others still in flight
    for (let i = 0; i < 20; i++) {
      const a = ask(gate);
      await clock.advance(50);
      a.permit!.release('answered');
    }
    const older = Array.from({ length: 4 }, () => ask(gate));
    await clock.advance(1);
    const throttled = ask(gate);
    await clock.advance(10);
    throttled.permit!.release('throttled');
    assert.strictEqual(gate.state.rate, 0.95 * 24, 'what got through: 20 answered + 4 admitted before it');
    older.forEach((a) => a.permit!.release('answered'));
    const starts: number[] = [];
    const next = Array.from({ length: 5 }, () => ask(gate));
    for (let i = 0; i < 10; i++) {
      await clock.advance(10);
      next.forEach((a, k) => a.granted && starts[k] === undefined && (starts[k] = clock.t));
    }
    const gaps = starts.slice(1).map((t, i) => t - starts[i]);
    assert.ok(
      gaps.every((g) => g >= 40 && g <= 50),
      `one start every ~44 ms, got ${gaps.join(', ')}`,
    );
  });

  it('paces at the rate the service announced (after the catch-up burst any pace allows)', async () => {
    const { gate, clock } = limiter({ initial: 8 });
    gate.setServiceRate(10);
    gate.setServiceRate(NaN);
    gate.setServiceRate(0);
    gate.setServiceRate(-3);
    assert.strictEqual(gate.state.rate, 10, 'a value that is not a positive number is ignored');
    const starts: number[] = [];
    const asked = Array.from({ length: 12 }, () => ask(gate));
    for (let i = 0; i < 120; i++) {
      await clock.advance(10);
      asked.forEach((a, k) => {
        if (a.granted && starts[k] === undefined) {
          starts[k] = clock.t;
          a.permit!.release('answered');
        }
      });
    }
    const gaps = starts.slice(4).map((t, i) => t - starts[i + 3]);
    assert.ok(starts.length === 12 && gaps.every((g) => g >= 90 && g <= 110), `after the first 4, one start every ~100 ms, got ${gaps.join(', ')}`);
    gate.setServiceRate(1000);
    assert.strictEqual(gate.state.rate, 1000);
  });

  it('a cancel takes a waiting caller out at once; the others keep their turn', async () => {
    const { gate } = limiter({ initial: 1 });
    const holder = ask(gate);
    const c = new AbortController();
    const cancelled = ask(gate, c.signal);
    const after = ask(gate);
    await flush();
    c.abort();
    await cancelled.done;
    assert.ok(cancelled.error instanceof CancelledError);
    assert.strictEqual(gate.state.waiting, 1);
    holder.permit!.release('answered');
    await after.done;
    assert.strictEqual(after.granted, true);
    const already = ask(gate, AbortSignal.abort());
    await already.done;
    assert.ok(already.error instanceof CancelledError);
  });

  it('a cancel releases a caller waiting for Retry-After at once', async () => {
    const { gate, clock } = limiter();
    const a = ask(gate);
    await flush();
    a.permit!.release('throttled', 60_000);
    const c = new AbortController();
    const waiting = ask(gate, c.signal);
    await clock.advance(10);
    c.abort();
    await waiting.done;
    assert.ok(waiting.error instanceof CancelledError);
  });

  it('keeps a reserved place for the same signal only, and takes it back when given back or cancelled', async () => {
    const { gate } = limiter({ initial: 1 });
    const c = new AbortController();
    const giveBack = await gate.reserve(c.signal);
    const other = ask(gate);
    await flush();
    assert.strictEqual(other.granted, false, 'the place is kept');
    assert.strictEqual(gate.sending(c.signal), false, 'kept, not yet on the wire');
    giveBack();
    await other.done;
    assert.strictEqual(other.granted, true, 'given back unused: the next in line gets it');
    const d = new AbortController();
    const kept = gate.reserve(d.signal);
    other.permit!.release('answered');
    await kept;
    const mine = ask(gate, d.signal);
    await mine.done;
    assert.strictEqual(mine.granted, true, 'the request with that signal gets it at once');
    assert.strictEqual(gate.sending(d.signal), true);
    mine.permit!.release('answered');
    assert.strictEqual(gate.sending(d.signal), false);
    const e = new AbortController();
    await gate.reserve(e.signal);
    e.abort();
    const last = ask(gate);
    await last.done;
    assert.strictEqual(last.granted, true, 'a cancel gives a kept place back');
  });

  it('a release counts once', async () => {
    const { gate } = limiter({ initial: 2 });
    const [a] = [ask(gate), ask(gate)];
    const third = ask(gate);
    await flush();
    a.permit!.release('answered');
    a.permit!.release('answered');
    a.permit!.release('throttled');
    await flush();
    assert.strictEqual(gate.state.inFlight, 2);
    assert.strictEqual(gate.state.throttled, 0);
    assert.strictEqual(third.granted, true);
  });

  it('a bulk run against a service limited to 20 per second: every item done once, at the service pace', async () => {
    const { gate, clock } = limiter({ initial: 8 });
    const admitted: number[] = [];
    const done = new Map<number, number>();
    let throttles = 0;
    /** One request as the runner makes it: wait for the gate, 50 ms round trip, 429 beyond 20 in any second. */
    const task = async (item: number) => {
      for (;;) {
        const permit = await gate.acquire();
        await clock.sleep(25);
        const t = clock.t;
        const inWindow = admitted.filter((x) => x > t - 1000).length;
        await clock.sleep(25);
        if (inWindow >= 20) {
          throttles++;
          const oldest = admitted.filter((x) => x > t - 1000)[inWindow - 20];
          permit.release('throttled', oldest + 1000 - t);
          await clock.sleep(300);
          continue;
        }
        admitted.push(t);
        permit.release('answered');
        done.set(item, (done.get(item) ?? 0) + 1);
        return item;
      }
    };
    const items = Array.from({ length: 200 }, (_, i) => i);
    let finished = false;
    const run = runBatch(items, task, { concurrency: gate.ceiling }).finally(() => (finished = true));
    while (!finished) {
      await clock.advance(5);
    }
    const outcomes = await run;
    assert.ok(outcomes.every((o) => o.ok));
    assert.deepStrictEqual(
      [...done.keys()].sort((a, b) => a - b),
      items,
      'every item once',
    );
    assert.ok(
      [...done.values()].every((n) => n === 1),
      'none twice',
    );
    const seconds = clock.t / 1000;
    assert.ok(200 / seconds >= 0.9 * 20, `≥ 90 % of the limit: ${(200 / seconds).toFixed(1)}/s`);
    assert.ok(throttles < 40, `few 429s once the rate is learnt: ${throttles}`);
  });
});

describe('the limiter on the real clock', () => {
  /** Runs `body` with the system clock and the monotonic clock both read from `clock`, the system clock `wall()` ms off it. */
  async function withClocks(clock: FakeTimers, wall: () => number, body: () => Promise<void>): Promise<void> {
    const dateNow = Object.getOwnPropertyDescriptor(Date, 'now')!;
    const start = Date.now();
    Object.defineProperty(Date, 'now', { value: () => start + clock.t + wall(), configurable: true, writable: true });
    Object.defineProperty(performance, 'now', { value: () => 5000 + clock.t, configurable: true, writable: true });
    try {
      await body();
    } finally {
      Object.defineProperty(Date, 'now', dateNow);
      Reflect.deleteProperty(performance, 'now'); // the prototype's own again
    }
  }

  it('paces on a monotonic clock: once a rate is learnt, setting the system clock back 10 minutes delays no start', async () => {
    const clock = new FakeTimers();
    let offset = 0;
    await withClocks(
      clock,
      () => offset,
      async () => {
        const gate = new AdaptiveLimiter({ initial: 4, timers: { now: () => REAL_TIMERS.now(), setTimer: clock.setTimer } });
        for (let i = 0; i < 10; i++) {
          const a = ask(gate);
          await clock.advance(50);
          a.permit!.release('answered');
        }
        const throttled = ask(gate);
        await clock.advance(50);
        throttled.permit!.release('throttled');
        assert.strictEqual(gate.state.rate, 0.95 * 10, 'a rate learnt from the 429');
        offset = -10 * 60_000; // the system clock is set back; real time goes on
        for (let i = 0; i < 3; i++) {
          const next = ask(gate);
          await clock.advance(150);
          assert.ok(next.granted, `start ${i + 1} at the learnt pace (one every 105 ms), not 10 minutes later`);
          next.permit!.release('answered');
        }
      },
    );
    assert.ok(Math.abs(Date.now() - new Date().getTime()) < 1000, 'the system clock is restored');
  });
});

describe('fixed gate (the limiter off)', () => {
  it('lets exactly n in flight, in order, and a cancel out', async () => {
    const gate = new FixedGate(2);
    const asked = [ask(gate), ask(gate), ask(gate)];
    const c = new AbortController();
    const cancelled = ask(gate, c.signal);
    await flush();
    assert.deepStrictEqual(
      asked.map((a) => a.granted),
      [true, true, false],
    );
    c.abort();
    await cancelled.done;
    assert.ok(cancelled.error instanceof CancelledError);
    asked[0].permit!.release('throttled', 10_000); // no pause, no adaptation
    await asked[2].done;
    assert.strictEqual(asked[2].granted, true);
    assert.strictEqual(gate.ceiling, 2);
  });
});
