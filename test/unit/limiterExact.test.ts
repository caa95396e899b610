/**
 * The gate's parts and the adaptive limiter's arithmetic, pinned to exact values on a fake clock:
 * which answer halves, by how much the rate grows, what a 429 teaches, that a signal keeps no
 * listener it no longer needs and the limiter no timer it no longer needs.
 */
import * as assert from 'assert';
import { getEventListeners } from 'events';
import { AdaptiveLimiter, type AdaptiveLimitOptions, REAL_TIMERS } from '../../src/core/qianfan/adaptiveLimit';
import { CancelledError } from '../../src/core/qianfan/errors';
import { type AttemptOutcome, FixedGate, type Permit, SignalPlaces, WaitQueue } from '../../src/core/qianfan/gate';
import { FakeTimers, flush } from '../support/fakeTimers';
import { type Ask, ask } from '../support/gateProbe';

const listeners = (signal: AbortSignal) => getEventListeners(signal, 'abort').length;

/** A permit that records every release it is given. */
function recorder(): Permit & { readonly outcomes: AttemptOutcome[] } {
  const outcomes: AttemptOutcome[] = [];
  return { outcomes, release: (o) => void outcomes.push(o) };
}

function limiter(options: Partial<AdaptiveLimitOptions> = {}): { gate: AdaptiveLimiter; clock: FakeTimers } {
  const clock = new FakeTimers();
  return { gate: new AdaptiveLimiter({ initial: 8, timers: clock, ...options }), clock };
}

/** One attempt at a time, each answered after `latency` ms. */
async function answerOneByOne(gate: AdaptiveLimiter, clock: FakeTimers, count: number, latency: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const a = ask(gate);
    await clock.advance(latency);
    assert.ok(a.granted);
    a.permit!.release('answered');
  }
}

/** Waits until each of `asked` has its place (or the time runs out); returns when each got it. */
async function startTimes(clock: FakeTimers, asked: Ask[], step: number, until: number): Promise<number[]> {
  const starts: number[] = [];
  await flush();
  while (clock.t < until && starts.filter((x) => x !== undefined).length < asked.length) {
    asked.forEach((a, k) => a.granted && starts[k] === undefined && (starts[k] = clock.t));
    await clock.advance(step);
  }
  asked.forEach((a, k) => a.granted && starts[k] === undefined && (starts[k] = clock.t));
  return starts;
}

/**
 * A rate learnt from a 429: `answers` answers one by one within the last second, 4 admitted
 * before the refused one. The default: 0.95 × 24 = 22.8/s.
 */
async function learnRate(gate: AdaptiveLimiter, clock: FakeTimers, answers = 20): Promise<void> {
  await answerOneByOne(gate, clock, answers, Math.floor(1000 / answers));
  const older = Array.from({ length: 4 }, () => ask(gate));
  await clock.advance(1);
  const refused = ask(gate);
  await clock.advance(9);
  refused.permit!.release('throttled');
  assert.strictEqual(gate.state.rate, 0.95 * (answers + 4));
  await clock.advance(40);
  older.forEach((a) => a.permit!.release('answered')); // 50 ms round trips, as before
}

describe('gate parts: the wait queue', () => {
  it('a caller granted or cancelled leaves no listener on its signal; a cancel takes only that caller out', async () => {
    const q = new WaitQueue();
    const c = new AbortController();
    const first = q.wait(() => 'first', c.signal);
    assert.strictEqual(listeners(c.signal), 1);
    q.shift();
    assert.strictEqual(await first, 'first');
    assert.strictEqual(listeners(c.signal), 0, 'a grant takes its listener off');
    const d = new AbortController();
    const cancelled = q.wait(() => 'cancelled', d.signal);
    const last = q.wait(() => 'last');
    d.abort();
    await assert.rejects(cancelled, CancelledError);
    assert.strictEqual(listeners(d.signal), 0, 'the abort listener runs once and is gone');
    assert.strictEqual(q.length, 1);
    q.shift();
    assert.strictEqual(await last, 'last');
  });

  it('tells its gate when a cancel took a caller out', async () => {
    let left = 0;
    const q = new WaitQueue(() => left++);
    const c = new AbortController();
    const waiting = q.wait(() => 0, c.signal);
    c.abort();
    await assert.rejects(waiting, CancelledError);
    assert.strictEqual(left, 1);
  });
});

describe('gate parts: places kept by signal', () => {
  it('a give-back releases the kept place once, as cancelled, and keeps nothing', () => {
    const places = new SignalPlaces();
    const permit = recorder();
    const c = new AbortController();
    const giveBack = places.keep(c.signal, permit);
    assert.strictEqual(listeners(c.signal), 1);
    giveBack();
    giveBack();
    assert.deepStrictEqual(permit.outcomes, ['cancelled']);
    assert.strictEqual(listeners(c.signal), 0);
    assert.strictEqual(places.take(c.signal), undefined, 'nothing is kept after the give-back');
  });

  it('a give-back of a place already taken leaves a later kept place alone', () => {
    const places = new SignalPlaces();
    const c = new AbortController();
    const [p1, p2] = [recorder(), recorder()];
    const stale = places.keep(c.signal, p1);
    places.take(c.signal)!.release('answered');
    places.keep(c.signal, p2);
    stale();
    assert.deepStrictEqual(p1.outcomes, ['answered']);
    const taken = places.take(c.signal);
    assert.ok(taken, 'the later place is still kept');
    taken.release('answered');
    assert.deepStrictEqual(p2.outcomes, ['answered']);
  });

  it('a second place kept for the same signal gives the first back', () => {
    const places = new SignalPlaces();
    const c = new AbortController();
    const [p1, p2] = [recorder(), recorder()];
    places.keep(c.signal, p1);
    places.keep(c.signal, p2);
    assert.deepStrictEqual(p1.outcomes, ['cancelled']);
    places.take(c.signal)!.release('answered');
    assert.deepStrictEqual(p2.outcomes, ['answered']);
  });

  it('a place kept for a signal already aborted is given back at once', () => {
    const places = new SignalPlaces();
    const permit = recorder();
    const signal = AbortSignal.abort();
    places.keep(signal, permit);
    assert.deepStrictEqual(permit.outcomes, ['cancelled']);
    assert.strictEqual(listeners(signal), 0);
  });

  it('a kept place goes to one request only; once taken, an abort gives nothing back', () => {
    const places = new SignalPlaces();
    const permit = recorder();
    const c = new AbortController();
    let taken = 0;
    places.keep(c.signal, permit, () => taken++);
    const mine = places.take(c.signal);
    assert.ok(mine);
    assert.strictEqual(taken, 1);
    assert.strictEqual(places.take(c.signal), undefined, 'not a second time');
    assert.strictEqual(listeners(c.signal), 0, 'taking it takes the abort listener off');
    assert.strictEqual(places.sending(c.signal), true);
    c.abort();
    assert.deepStrictEqual(permit.outcomes, [], 'the request under way ends it, not the abort');
    mine.release('answered');
    assert.deepStrictEqual(permit.outcomes, ['answered']);
    assert.strictEqual(places.sending(c.signal), false);
  });

  it('counts each attempt of a signal until its own release, each release once', () => {
    const places = new SignalPlaces();
    const c = new AbortController();
    const a = places.track(c.signal, recorder());
    const b = places.track(c.signal, recorder());
    a.release('answered');
    a.release('answered');
    assert.strictEqual(places.sending(c.signal), true, 'the second attempt is still out');
    b.release('failed');
    assert.strictEqual(places.sending(c.signal), false);
    const c2 = places.track(c.signal, recorder());
    assert.strictEqual(places.sending(c.signal), true, 'counts again from nothing');
    c2.release('answered');
    assert.strictEqual(places.sending(c.signal), false);
    const plain = recorder();
    assert.strictEqual(places.track(undefined, plain), plain, 'without a signal there is nothing to count');
  });
});

describe('gate parts: the fixed gate', () => {
  it('a release counts once', async () => {
    const gate = new FixedGate(1);
    const [a, b, c] = [ask(gate), ask(gate), ask(gate)];
    await flush();
    a.permit!.release('answered');
    a.permit!.release('answered');
    await flush();
    assert.deepStrictEqual([b.granted, c.granted], [true, false]);
  });
});

describe('gate parts: the fixed gate keeps a place', () => {
  it('for the request made with the signal, which gets it at once', async () => {
    const gate = new FixedGate(1);
    const c = new AbortController();
    const giveBack = await gate.reserve(c.signal);
    const other = ask(gate);
    const mine = ask(gate, c.signal);
    await flush();
    assert.deepStrictEqual([mine.granted, other.granted], [true, false]);
    assert.strictEqual(gate.sending(c.signal), true);
    giveBack(); // too late: taken
    await flush();
    assert.strictEqual(other.granted, false);
    mine.permit!.release('answered');
    assert.strictEqual(gate.sending(c.signal), false);
    await other.done;
    assert.strictEqual(other.granted, true);
  });
});

describe('adaptive limiter, exactly', () => {
  it('a kept place goes to its request at once, even with every place taken', async () => {
    const { gate } = limiter({ initial: 1 });
    const c = new AbortController();
    await gate.reserve(c.signal);
    const other = ask(gate);
    const mine = ask(gate, c.signal);
    await flush();
    assert.deepStrictEqual([mine.granted, other.granted, gate.state.inFlight], [true, false, 1]);
  });

  it('real timers: a cancelled timer does not fire', async () => {
    let fired = 0;
    REAL_TIMERS.setTimer(() => fired++, 5)();
    REAL_TIMERS.setTimer(() => (fired += 10), 5);
    await new Promise((r) => setTimeout(r, 40));
    assert.strictEqual(fired, 10);
  });

  it('latency: the second slow answer halves, not the first (a short average against a slowly rising baseline)', async () => {
    const { gate, clock } = limiter();
    await answerOneByOne(gate, clock, 25, 40);
    await answerOneByOne(gate, clock, 1, 400); // short 112 < 2 × 43.6 + 50
    assert.strictEqual(gate.state.limit, 8);
    await answerOneByOne(gate, clock, 1, 400); // short 169.6 > 2 × 47.2 + 50
    assert.strictEqual(gate.state.limit, 4);
  });

  it('latency: the baseline rises by 1 % of the gap per answer (at 200 ms after 40, the fifth answer halves)', async () => {
    const { gate, clock } = limiter();
    await answerOneByOne(gate, clock, 25, 40);
    await answerOneByOne(gate, clock, 4, 200); // short 134.5 < 2 × 46.3 + 50
    assert.strictEqual(gate.state.limit, 8);
    await answerOneByOne(gate, clock, 1, 200); // short 147.6 > 2 × 47.8 + 50
    assert.strictEqual(gate.state.limit, 4);
  });

  it('latency: needs 20 answers before it can halve', async () => {
    const { gate, clock } = limiter();
    await answerOneByOne(gate, clock, 1, 40);
    await answerOneByOne(gate, clock, 18, 400);
    assert.strictEqual(gate.state.limit, 8, '19 answers');
    await answerOneByOne(gate, clock, 1, 400);
    assert.strictEqual(gate.state.limit, 4, 'the 20th');
  });

  it('latency: two slow answers of one round trip halve once', async () => {
    const { gate, clock } = limiter();
    await answerOneByOne(gate, clock, 25, 40);
    const three = Array.from({ length: 3 }, () => ask(gate));
    await clock.advance(400);
    three.forEach((a) => a.permit!.release('answered'));
    assert.strictEqual(gate.state.limit, 4, 'the second answer halves; the third started before that');
  });

  it('latency: a latency that stays high becomes the baseline, and the limit grows again', async () => {
    const { gate, clock } = limiter();
    await answerOneByOne(gate, clock, 25, 40);
    await answerOneByOne(gate, clock, 10, 400);
    assert.strictEqual(gate.state.limit, 1, 'halved on each slow round trip');
    await answerOneByOne(gate, clock, 60, 400);
    assert.ok(gate.state.limit > 1, `grows again once 400 ms is normal, got ${gate.state.limit}`);
  });

  it('latency: a reserved place is timed from when its request takes it, not from the reservation', async () => {
    const { gate, clock } = limiter();
    await answerOneByOne(gate, clock, 25, 40);
    for (let i = 0; i < 6; i++) {
      const c = new AbortController();
      await gate.reserve(c.signal);
      await clock.advance(400); // held in the caller's own queue
      const a = ask(gate, c.signal);
      await clock.advance(40);
      assert.ok(a.granted);
      a.permit!.release('answered');
    }
    assert.strictEqual(gate.state.limit, 8, 'round trips of 40 ms: nothing slow');
  });

  it('a 429 learns from the answers of the last second only (one exactly a second old is out)', async () => {
    const { gate, clock } = limiter();
    await answerOneByOne(gate, clock, 20, 50);
    await clock.advance(5000);
    await answerOneByOne(gate, clock, 2, 100); // answered at t and t + 100
    await clock.advance(800);
    const refused = ask(gate);
    await clock.advance(100); // refused at t + 1000: the answer at t is a second old
    refused.permit!.release('throttled');
    assert.strictEqual(gate.state.rate, undefined, 'one answer is no evidence');
    const { gate: g2, clock: c2 } = limiter();
    await answerOneByOne(g2, c2, 20, 50);
    await c2.advance(5000);
    await answerOneByOne(g2, c2, 2, 100);
    await c2.advance(799);
    const r2 = ask(g2);
    await c2.advance(100);
    r2.permit!.release('throttled');
    assert.strictEqual(g2.state.rate, 0.95 * 2, 'two got through in the last second: the least evidence that teaches');
  });

  it('two 429s of one round trip lower the rate once', async () => {
    const { gate, clock } = limiter({ initial: 16 });
    await answerOneByOne(gate, clock, 20, 50);
    const refused = Array.from({ length: 2 }, () => ask(gate));
    await clock.advance(10);
    refused.forEach((a) => a.permit!.release('throttled'));
    assert.strictEqual(gate.state.rate, 0.95 * 20);
    assert.strictEqual(gate.state.limit, 8);
    assert.strictEqual(gate.state.throttled, 2);
  });

  it('a later 429 backs off from the rate, unless far less got through than it', async () => {
    const { gate, clock } = limiter({ initial: 16 });
    await learnRate(gate, clock); // 22.8/s
    await clock.advance(2000);
    // 21 answers in the last second (between 0.95² × 22.8 and 22.8): back off from the rate
    for (let i = 0; i < 21; i++) {
      const a = ask(gate);
      await clock.advance(44);
      a.permit!.release('answered');
    }
    const refused = ask(gate);
    await clock.advance(45);
    refused.permit!.release('throttled');
    const rate = gate.state.rate!;
    assert.ok(Math.abs(rate - 0.95 * 22.8) < 0.5, `0.95 × the rate it had (about 21.7), got ${rate}`);
    await clock.advance(3000);
    await answerOneByOne(gate, clock, 5, 150); // only 5 in the last second now
    const again = ask(gate);
    await clock.advance(200);
    again.permit!.release('throttled');
    assert.strictEqual(gate.state.rate, 0.95 * 5, 'far less got through: 0.95 × what did');
  });

  it('the rate grows by 0.5/s per second (2 % above 25/s) while callers wait for the pace, and only then', async () => {
    const { gate, clock } = limiter({ initial: 16 });
    await learnRate(gate, clock);
    const t0 = clock.t;
    // nobody waits for the pace: answers do not grow the rate
    await clock.advance(1000);
    await answerOneByOne(gate, clock, 3, 20);
    assert.strictEqual(gate.state.rate, 0.95 * 24, 'no growth while nobody waits for the pace');
    // ten callers held by the pace: each answer grows the rate by 0.5/s × the time since the last growth
    const asked = Array.from({ length: 10 }, () => ask(gate));
    const lastGrowth = clock.t;
    let lastAnswer = lastGrowth;
    for (let i = 0; i < 60 && asked.some((a) => !a.permit || a.granted); i++) {
      await clock.advance(10);
      for (const a of asked) {
        if (a.granted && a.permit) {
          a.permit.release('answered');
          a.permit = undefined;
          if (asked.some((x) => !x.granted)) {
            lastAnswer = clock.t;
          }
        }
      }
    }
    assert.ok(clock.t > t0);
    const grown = gate.state.rate - 0.95 * 24;
    assert.ok(grown > 0, 'it grew');
    assert.ok(
      Math.abs(grown - (0.5 * (lastAnswer - lastGrowth)) / 1000) < 0.02,
      `0.5/s per second of waiting: +${grown.toFixed(3)} over ${lastAnswer - lastGrowth} ms`,
    );
  });

  it('the rate does not grow while callers wait for Retry-After', async () => {
    const { gate, clock } = limiter({ initial: 16 });
    await learnRate(gate, clock);
    await clock.advance(2000);
    const inFlight = Array.from({ length: 3 }, () => ask(gate));
    await clock.advance(150);
    assert.ok(inFlight.every((a) => a.granted));
    const refused = ask(gate);
    await clock.advance(60);
    refused.permit!.release('throttled', 2000);
    const after429 = gate.state.rate;
    const waiting = Array.from({ length: 3 }, () => ask(gate));
    await clock.advance(100);
    inFlight.forEach((a) => a.permit!.release('answered')); // answers while the callers wait for the pause
    assert.strictEqual(gate.state.rate, after429);
    assert.ok(!waiting.some((a) => a.granted));
  });

  it('at a concurrency of 1, a lone 429 teaches a rate', async () => {
    const { gate, clock } = limiter({ initial: 1 });
    const a = ask(gate);
    await clock.advance(30);
    a.permit!.release('throttled');
    assert.strictEqual(gate.state.rate, 0.95);
    assert.strictEqual(gate.state.limit, 1);
  });

  it('above 25/s the rate grows by 2 % per second of waiting for the pace', async () => {
    const { gate, clock } = limiter({ initial: 16 });
    await learnRate(gate, clock, 56); // 0.95 × 60 = 57/s
    await clock.advance(2000);
    const asked = Array.from({ length: 40 }, () => ask(gate));
    const answers: { t: number; rate: number }[] = [];
    for (let i = 0; i < 200 && asked.some((a) => !a.granted); i++) {
      await clock.advance(5);
      for (const a of asked) {
        if (a.granted && a.permit) {
          a.permit.release('answered');
          a.permit = undefined;
          answers.push({ t: clock.t, rate: gate.state.rate! });
        }
      }
    }
    const [first, last] = [answers[0], answers[answers.length - 1]]; // growth counted from the first answer on
    const grown = last.rate - first.rate;
    const expected = (0.02 * first.rate * (last.t - first.t)) / 1000;
    assert.ok(Math.abs(grown - expected) < 0.05 * expected, `+${grown.toFixed(3)}/s, expected about +${expected.toFixed(3)}/s over ${last.t - first.t} ms`);
  });

  it('a learnt rate under an announced one: the lower paces', async () => {
    const { gate, clock } = limiter({ initial: 16 });
    await learnRate(gate, clock);
    gate.setServiceRate(100);
    assert.strictEqual(gate.state.rate, 0.95 * 24);
    gate.setServiceRate(10);
    assert.strictEqual(gate.state.rate, 10);
  });

  it('after an idle spell, the pace lets 3 missed slots catch up at once, then spaces', async () => {
    const { gate, clock } = limiter();
    gate.setServiceRate(10);
    await clock.advance(10_000);
    const asked = Array.from({ length: 6 }, () => ask(gate));
    const starts = await startTimes(clock, asked, 10, clock.t + 2000);
    const t = starts[0];
    assert.deepStrictEqual(
      starts.map((s) => s - t),
      [0, 0, 0, 0, 100, 200],
    );
  });

  it('a throttled answer with no hint pauses nothing and keeps the pace', async () => {
    const { gate, clock } = limiter({ initial: 16 });
    await learnRate(gate, clock);
    const asked = Array.from({ length: 4 }, () => ask(gate));
    const starts = await startTimes(clock, asked, 1, clock.t + 1000);
    const gaps = starts.slice(2).map((s, i) => s - starts[i + 1]);
    assert.ok(gaps.length === 2 && gaps.every((g) => g >= 43 && g <= 45), `one start every 1000 / 22.8 ms: ${gaps.join(', ')}`);
  });

  it('concurrency is not halved below what the learnt rate needs at the recent latency (× 1.5, + 1)', async () => {
    const { gate, clock } = limiter({ initial: 16 });
    await learnRate(gate, clock); // 22.8/s; 16 → 8
    assert.strictEqual(gate.state.limit, 8);
    await clock.advance(2000);
    await answerOneByOne(gate, clock, 4, 150); // the short average rises to about 109 ms
    await clock.advance(1500);
    const refused = ask(gate);
    await clock.advance(1);
    refused.permit!.release('throttled'); // a lone 429: teaches no rate, halves
    assert.strictEqual(gate.state.rate, 0.95 * 24);
    // needed = ceil(1.5 × 22.8/s × 0.109 s) + 1 = 5, more than 8 / 2
    assert.strictEqual(gate.state.limit, 5);
  });

  it('waits with one timer: a pause of a second wakes it once, and a cancel leaves no timer behind', async () => {
    const { gate, clock } = limiter({ initial: 4 }); // 2 after the 429
    const a = ask(gate);
    await flush();
    a.permit!.release('throttled', 1000);
    const set = clock.set;
    const b = ask(gate);
    const c = ask(gate);
    await clock.advance(999);
    assert.ok(!b.granted);
    assert.strictEqual(clock.set - set, 1, 'one timer for the pause');
    assert.strictEqual(clock.scheduled, 1);
    await clock.advance(1);
    assert.ok(b.granted && c.granted);
    assert.strictEqual(clock.scheduled, 0);
    b.permit!.release('throttled', 5000);
    c.permit!.release('answered');
    const ctl = new AbortController();
    const d = ask(gate, ctl.signal);
    await clock.advance(10);
    assert.strictEqual(clock.scheduled, 1);
    ctl.abort();
    await d.done;
    assert.ok(d.error instanceof CancelledError);
    assert.strictEqual(clock.scheduled, 0, 'nobody waits: no timer keeps the process alive');
  });

  it('a longer pause moves the one timer', async () => {
    const { gate, clock } = limiter();
    const [a, b] = [ask(gate), ask(gate)];
    await flush();
    a.permit!.release('throttled', 1000);
    const c = ask(gate);
    await clock.advance(10);
    assert.strictEqual(clock.scheduled, 1);
    b.permit!.release('throttled', 3000);
    assert.strictEqual(clock.scheduled, 1, 'moved, not a second one');
    await clock.advance(2000);
    assert.ok(!c.granted);
    await clock.advance(1000);
    assert.ok(c.granted);
  });
});
