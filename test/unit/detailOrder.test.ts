/**
 * The detail loader and the client's limiter together, on a fake clock, against a service that
 * lets 5 requests through per second: what the user opens next comes first once the pace is
 * learnt, and a collapsed model sends nothing more.
 */
import * as assert from 'assert';
import { AdaptiveLimiter } from '../../src/core/qianfan/adaptiveLimit';
import { DetailLoader } from '../../src/core/work/detailLoader';
import { CancelledError } from '../../src/core/qianfan/errors';
import { FixedGate, type RequestGate } from '../../src/core/qianfan/gate';
import { type ModelVersionDetail } from '../../src/core/qianfan/model';
import { VersionDetailsStore } from '../../src/core/state/versionDetails';
import { FakeTimers } from '../support/fakeTimers';

const RATE = 5;
const HALF_TRIP_MS = 25;

const versions = (model: string, n: number) => Array.from({ length: n }, (_, i) => `amv-${model}${String(i).padStart(7, '0')}`);

/**
 * A service limited to RATE requests in any second (a sliding window), 50 ms round trips, and
 * a describe that calls it as the client's runner does: every attempt waits for the gate, a 429
 * is waited out (its Retry-After) and retried.
 */
function ratedService(clock: FakeTimers, gate: RequestGate) {
  const admitted: number[] = [];
  const sent: { id: string; at: number }[] = [];
  let throttled = 0;
  const describe = async (id: string, signal: AbortSignal): Promise<ModelVersionDetail> => {
    for (;;) {
      const permit = await gate.acquire(signal);
      sent.push({ id, at: clock.t });
      await clock.sleep(HALF_TRIP_MS);
      const t = clock.t;
      const inWindow = admitted.filter((x) => x > t - 1000);
      await clock.sleep(HALF_TRIP_MS);
      if (inWindow.length >= RATE) {
        throttled++;
        const retryAfterMs = inWindow[inWindow.length - RATE] + 1000 - t;
        permit.release('throttled', retryAfterMs);
        await clock.sleep(Math.max(retryAfterMs, 100));
        if (signal.aborted) {
          throw new CancelledError();
        }
        continue;
      }
      admitted.push(t);
      permit.release('answered');
      return { modelId: id, modelSetId: 'am-aaaaaaaaaaaa', modelName: id.slice(-2), status: 'Ready' };
    }
  };
  return { describe, sent, throttled: () => throttled };
}

function setup(gate: AdaptiveLimiter, clock: FakeTimers) {
  const service = ratedService(clock, gate);
  const store = new VersionDetailsStore();
  const deps = {
    describe: service.describe,
    reserve: (signal: AbortSignal) => gate.reserve(signal),
    sending: (signal: AbortSignal) => gate.sending(signal),
    concurrency: () => gate.ceiling, // as the extension sets it: enough for the limiter's ceiling
    store,
    persist: () => Promise.resolve(),
    now: () => clock.t,
    log: () => undefined,
  };
  return { service, store, loader: new DetailLoader(deps) };
}

async function until(clock: FakeTimers, done: () => boolean, maxMs: number): Promise<void> {
  const end = clock.t + maxMs;
  while (!done() && clock.t < end) {
    await clock.advance(10);
  }
}

describe('the detail loader and the limiter: what the user opens comes first', () => {
  it('at 5 requests/s, a model expanded after another collapsed gets its 5 versions within a second; the collapsed one sends nothing more', async () => {
    const clock = new FakeTimers();
    const gate = new AdaptiveLimiter({ initial: 10, timers: clock });
    const { service, store, loader } = setup(gate, clock);
    const a = versions('a', 40);
    const b = versions('b', 5);
    void loader.load(a);
    await until(clock, () => false, 3000); // the pace is learnt from the first 429s
    assert.ok(gate.state.rate !== undefined && gate.state.rate <= 1.2 * RATE, `a rate learnt: ${gate.state.rate}`);
    assert.ok(loader.pending.running <= 3, `only what is out (or retried) counts as running: ${loader.pending.running}`);

    const collapsedAt = clock.t;
    const sentBefore = service.sent.length;
    loader.drop(a);
    const bLoaded = loader.load(b);
    const allOfB = () => b.every((id) => store.get(id)?.kind === 'loaded');
    await until(clock, allOfB, 15_000);
    assert.ok(allOfB(), 'B loaded');
    await bLoaded;
    const bMs = clock.t - collapsedAt;
    const bound = (1000 * b.length) / RATE + 2 * HALF_TRIP_MS;
    assert.ok(bMs <= bound + 1000 / RATE, `B's ${b.length} statuses ${bMs} ms after the expand (the bound: ${bound} ms)`);

    const after = service.sent.slice(sentBefore);
    const lastB = after.map((s) => s.id).lastIndexOf(b[b.length - 1]);
    const aBeforeB = after.slice(0, lastB).filter((s) => a.includes(s.id));
    assert.strictEqual(aBeforeB.length, 0, `B first: ${aBeforeB.length} requests of A went before B's last`);
    await until(clock, () => loader.pending.running === 0, 5000);
    const aAfter = after.filter((s) => a.includes(s.id));
    assert.ok(aAfter.length <= 1, `the collapsed model sent ${aAfter.length} more after the collapse`);
    assert.deepStrictEqual(loader.pending, { running: 0, queued: 0 });
    assert.strictEqual(gate.state.inFlight, 0, 'no place kept for a request that never came');
  });

  it('an expand goes before what waits, a collapse takes it back before it is sent (what is on the wire finishes), and an unused place goes back', async () => {
    const gate = new FixedGate(1);
    const started: string[] = [];
    const answers = new Map<string, () => void>();
    const store = new VersionDetailsStore();
    const deps = {
      describe: async (id: string, signal: AbortSignal): Promise<ModelVersionDetail> => {
        if (id.endsWith('bad')) {
          throw new Error('no request made'); // failed before it came to the gate: its place must go back
        }
        const permit = await gate.acquire(signal);
        started.push(id);
        await new Promise<void>((resolve) => answers.set(id, resolve));
        permit.release('answered');
        return { modelId: id, modelSetId: 'am-aaaaaaaaaaaa', modelName: '', status: 'Ready' };
      },
      reserve: (signal: AbortSignal) => gate.reserve(signal),
      sending: (signal: AbortSignal) => gate.sending(signal),
      concurrency: () => 8,
      store,
      persist: () => Promise.resolve(),
      now: () => 0,
      log: () => undefined,
    };
    const loader = new DetailLoader(deps);
    const tick = () => new Promise((r) => setImmediate(r));
    void loader.load(['amv-a1', 'amv-a2', 'amv-a3']);
    await tick();
    assert.deepStrictEqual(started, ['amv-a1']);
    assert.deepStrictEqual(loader.pending, { running: 1, queued: 2 }, 'what waits for the gate waits in the loader');
    loader.drop(['amv-a1', 'amv-a2', 'amv-a3']); // a1 is on the wire: it finishes
    void loader.load(['amv-b1', 'amv-bbad', 'amv-b2']);
    answers.get('amv-a1')!();
    for (let i = 0; i < 5; i++) {
      await tick();
    }
    assert.deepStrictEqual(started, ['amv-a1', 'amv-b1'], 'B next, A taken back');
    answers.get('amv-b1')!();
    for (let i = 0; i < 5; i++) {
      await tick();
    }
    assert.deepStrictEqual(started, ['amv-a1', 'amv-b1', 'amv-b2'], 'the place of one that failed before the gate went back');
    answers.get('amv-b2')!();
    await loader.idle();
    assert.strictEqual(store.get('amv-a1')?.kind, 'loaded');
    assert.strictEqual(store.get('amv-a2'), undefined);
    assert.strictEqual(store.get('amv-a3'), undefined);
  });
});
