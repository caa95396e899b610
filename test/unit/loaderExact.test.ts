/**
 * The status poller and the detail loader, to the exact step: when each round runs and what it
 * asks for, what a collapse, a cancel or a dispose takes back, what the limiter is asked for and
 * given back, and what lands in the store after each kind of failure. The poller's waits and the
 * loader's write delay are `setTimeout`s: here they run on a clock the test moves.
 */
import * as assert from 'assert';
import { CancelledError, QianfanError } from '../../src/core/qianfan/errors';
import { type ModelVersionDetail } from '../../src/core/qianfan/model';
import { type Presence } from '../../src/core/qianfan/presence';
import { type TrackedInfo } from '../../src/core/state/trackedVersions';
import { VersionDetailsStore } from '../../src/core/state/versionDetails';
import { DetailLoader, type DetailLoaderDeps } from '../../src/core/work/detailLoader';
import { StatusPoller } from '../../src/core/work/statusPoller';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
const ticks = async (n = 5) => {
  for (let i = 0; i < n; i++) {
    await tick();
  }
};

const ids = (n: number) => Array.from({ length: n }, (_, i) => `amv-${String(i).padStart(8, '0')}`);

function detail(modelId: string, status: string): ModelVersionDetail {
  return { modelId, modelSetId: 'am-aaaaaaaaaaaa', modelName: `V${modelId.slice(-2)}`, status };
}

/** The global `setTimeout` and `clearTimeout`, for one test, on a clock that moves only when told. */
class GlobalClock {
  t = 0;
  private nextId = 1;
  private readonly pending = new Map<number, { at: number; fn: () => void }>();
  private readonly saved = { setTimeout: globalThis.setTimeout, clearTimeout: globalThis.clearTimeout };

  constructor() {
    globalThis.setTimeout = ((fn: () => void, ms?: number) => {
      const id = this.nextId++;
      this.pending.set(id, { at: this.t + (ms ?? 0), fn });
      return id;
    }) as unknown as typeof setTimeout;
    globalThis.clearTimeout = ((id?: number) => void (id !== undefined && this.pending.delete(id))) as typeof clearTimeout;
  }

  /** How many timers are set and not yet run nor cleared. */
  get scheduled(): number {
    return this.pending.size;
  }

  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    await ticks();
    for (;;) {
      const due = [...this.pending].filter(([, e]) => e.at <= end).sort(([a, x], [b, y]) => x.at - y.at || a - b)[0];
      if (!due) {
        break;
      }
      this.pending.delete(due[0]);
      this.t = due[1].at;
      due[1].fn();
      await ticks();
    }
    this.t = end;
    await ticks();
  }

  uninstall(): void {
    globalThis.setTimeout = this.saved.setTimeout;
    globalThis.clearTimeout = this.saved.clearTimeout;
  }
}

let clock: GlobalClock | undefined;
const useClock = () => (clock = new GlobalClock());
const putTimersBack = () => {
  clock?.uninstall();
  clock = undefined;
};

describe('the status poller, round by round', () => {
  afterEach(putTimersBack);

  /** A poller over `visible` on the test's clock; each round is recorded with its time; loads answer Creating unless `next` says otherwise. */
  function pollerOn(c: GlobalClock, visible: { modelId: string; status?: string }[]) {
    const store = new VersionDetailsStore();
    const rounds: { at: number; ids: string[] }[] = [];
    const next = new Map<string, string>();
    const announced: string[] = [];
    let hold: (() => void) | undefined;
    const held = { on: false };
    const poller = new StatusPoller({
      store,
      loader: {
        load: (loaded) => {
          rounds.push({ at: c.t, ids: [...loaded] });
          const land = () => loaded.forEach((id) => store.set(id, { kind: 'loaded', detail: detail(id, next.get(id) ?? 'Creating'), at: c.t }));
          if (held.on) {
            return new Promise<void>((resolve) => (hold = () => (land(), resolve())));
          }
          land();
          return Promise.resolve();
        },
      },
      visible: () => visible,
      announce: (id, status) => announced.push(`${id} ${status}`),
    });
    poller.timing = { intervalMs: 100, maxIntervalMs: 1000 };
    return { store, poller, rounds, next, announced, held, release: () => hold?.() };
  }

  it('waits 1.5 times longer after each round that changes nothing, and the first interval again after one where any version changed', async () => {
    const c = useClock();
    const p = pollerOn(c, [
      { modelId: 'amv-a', status: 'Creating' },
      { modelId: 'amv-b', status: 'Creating' },
    ]);
    p.poller.setActive(true);
    await c.advance(500);
    // the first round learns each status (a change), then 100, 150, 225 ms
    assert.deepStrictEqual(
      p.rounds.map((r) => r.at),
      [0, 100, 250, 475],
    );
    p.next.set('amv-a', 'Ready');
    await c.advance(600);
    // 338 ms (337.5 rounded) after 475; amv-a changed there, so 100 ms; then amv-b alone, unchanged: 150 ms
    assert.deepStrictEqual(
      p.rounds.map((r) => r.at),
      [0, 100, 250, 475, 813, 913, 1063],
    );
    assert.deepStrictEqual(p.rounds[4].ids, ['amv-a', 'amv-b']);
    assert.deepStrictEqual(p.rounds[5].ids, ['amv-b']);
    assert.deepStrictEqual(p.announced, ['amv-a Ready']);
    p.poller.dispose();
  });

  it('does not start over when made visible again while visible', async () => {
    const c = useClock();
    const p = pollerOn(c, [{ modelId: 'amv-a', status: 'Creating' }]);
    p.poller.setActive(true);
    await c.advance(50);
    p.poller.setActive(true);
    await c.advance(0);
    assert.deepStrictEqual(
      p.rounds.map((r) => r.at),
      [0],
    );
    await c.advance(60);
    assert.deepStrictEqual(
      p.rounds.map((r) => r.at),
      [0, 100],
    );
    assert.strictEqual(p.poller.isActive, true);
    p.poller.dispose();
  });

  it('leaves no timer behind when hidden or disposed, and a disposed poller never starts polling', async () => {
    const c = useClock();
    const p = pollerOn(c, [{ modelId: 'amv-a', status: 'Creating' }]);
    p.poller.setActive(true);
    await c.advance(0);
    assert.strictEqual(c.scheduled, 1, 'the next round');
    p.poller.setActive(false);
    assert.strictEqual(c.scheduled, 0);
    p.poller.setActive(true);
    await c.advance(0);
    p.poller.dispose();
    assert.strictEqual(p.poller.isActive, false);
    assert.strictEqual(c.scheduled, 0);
    await c.advance(5000);
    assert.strictEqual(p.rounds.length, 2);

    const idle = pollerOn(c, [{ modelId: 'amv-b', status: 'Creating' }]);
    idle.poller.dispose();
    assert.strictEqual(idle.poller.isActive, false);
    await c.advance(5000);
    assert.deepStrictEqual(idle.rounds, []);
    assert.strictEqual(c.scheduled, 0);
  });

  it('polls no more once hidden during a round', async () => {
    const c = useClock();
    const p = pollerOn(c, [{ modelId: 'amv-a', status: 'Creating' }]);
    p.held.on = true;
    p.poller.setActive(true);
    await c.advance(0);
    assert.strictEqual(p.rounds.length, 1);
    p.poller.setActive(false);
    p.release();
    await c.advance(5000);
    assert.strictEqual(p.rounds.length, 1);
    assert.strictEqual(c.scheduled, 0);
    p.poller.dispose();
  });

  it('a reset while visible runs a round at once, in place of the one that was due, and while hidden runs none', async () => {
    const c = useClock();
    const p = pollerOn(c, [{ modelId: 'amv-a', status: 'Creating' }]);
    p.poller.reset();
    assert.strictEqual(c.scheduled, 0);
    await c.advance(1000);
    assert.strictEqual(p.rounds.length, 0);
    p.poller.setActive(true);
    await c.advance(40); // a round at 1000; the next one due at 1100
    p.poller.reset();
    await c.advance(200);
    // at 1040 (nothing changed: 150 ms), then 1190; none at 1100
    assert.deepStrictEqual(
      p.rounds.map((r) => r.at),
      [1000, 1040, 1190],
    );
    p.poller.dispose();
  });

  it('after a reset, takes the versions in view order again, as at the start', async () => {
    const c = useClock();
    const all = ids(60);
    const p = pollerOn(
      c,
      all.map((modelId) => ({ modelId, status: 'Creating' })),
    );
    p.poller.setActive(true);
    await c.advance(0);
    p.poller.reset();
    await c.advance(0);
    assert.deepStrictEqual(p.rounds[0].ids, all.slice(0, 50));
    assert.deepStrictEqual(p.rounds[1].ids, all.slice(0, 50));
    p.poller.dispose();
  });

  it('a version that left the view and came back goes first, as one never polled', async () => {
    const c = useClock();
    const all = ids(60);
    const visible = all.map((modelId) => ({ modelId, status: 'Creating' }));
    const p = pollerOn(c, visible);
    p.poller.timing = { intervalMs: 100, maxIntervalMs: 100 };
    p.poller.setActive(true);
    await c.advance(0);
    const [back] = visible.splice(45, 1); // its model collapsed
    await c.advance(100);
    assert.deepStrictEqual(p.rounds[1].ids, [...all.slice(50), ...all.slice(0, 40)]);
    visible.splice(45, 0, back);
    await c.advance(100);
    assert.deepStrictEqual(p.rounds[2].ids, [all[45], ...all.slice(40, 45), ...all.slice(46, 50), ...all.slice(0, 40)]);
    p.poller.dispose();
  });

  it('announces a version known Creating only from the tracked list once its first poll finds it Ready', async () => {
    const c = useClock();
    const p = pollerOn(c, [{ modelId: 'amv-a', status: 'Creating' }]);
    p.next.set('amv-a', 'Ready');
    p.poller.setActive(true);
    await c.advance(0);
    assert.deepStrictEqual(p.announced, ['amv-a Ready']);
    p.poller.dispose();
  });

  it('announces a version that any load saw Creating and then Ready, even while hidden', () => {
    const c = useClock();
    const p = pollerOn(c, []);
    p.store.set('amv-a', { kind: 'loaded', detail: detail('amv-a', 'Creating'), at: 1 });
    p.store.set('amv-a', { kind: 'loaded', detail: detail('amv-a', 'Ready'), at: 2 });
    assert.deepStrictEqual(p.announced, ['amv-a Ready']);
    p.poller.dispose();
  });

  it('takes in its stride a change of a version nothing is known of (loading, forgotten)', async () => {
    const c = useClock();
    const p = pollerOn(c, [{ modelId: 'amv-a', status: 'Creating' }]);
    p.store.setLoading(['amv-b', 'amv-a'], true);
    p.store.set('amv-a', { kind: 'loaded', detail: detail('amv-a', 'Creating'), at: 1 });
    p.store.forget(['amv-a']);
    await ticks();
    assert.deepStrictEqual(p.announced, []);
    p.poller.dispose();
  });
});

/** A describe whose answers the test gives by hand; a cancel rejects as an abort does. */
class Answers {
  readonly started: string[] = [];
  readonly signals = new Map<string, AbortSignal>();
  private readonly pending = new Map<string, { resolve(d: ModelVersionDetail): void; reject(e: unknown): void }>();

  readonly describe = (id: string, signal: AbortSignal): Promise<ModelVersionDetail> => {
    this.started.push(id);
    this.signals.set(id, signal);
    return new Promise<ModelVersionDetail>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      signal.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' })));
    });
  };

  answer(id: string, status = 'Ready'): void {
    this.pending.get(id)!.resolve(detail(id, status));
  }

  fail(id: string, error: unknown): void {
    this.pending.get(id)!.reject(error);
  }
}

/** A limiter whose places the test grants or refuses by hand; `cancellable` ones refuse at once when their signal aborts, as the client's gate does. */
class Places {
  readonly asked: { readonly signal: AbortSignal; grant(): void; refuse(error: unknown): void; givenBack: number }[] = [];

  constructor(private readonly cancellable: boolean) {}

  readonly reserve = (signal: AbortSignal): Promise<() => void> =>
    new Promise<() => void>((resolve, reject) => {
      const entry = { signal, grant: () => resolve(() => entry.givenBack++), refuse: reject, givenBack: 0 };
      this.asked.push(entry);
      if (this.cancellable) {
        signal.addEventListener('abort', () => reject(new CancelledError()));
      }
    });
}

function loaderOf(describe: DetailLoaderDeps['describe'], extra: Partial<DetailLoaderDeps> = {}) {
  const store = new VersionDetailsStore();
  const persisted: TrackedInfo[][] = [];
  const logged: string[] = [];
  const loader = new DetailLoader({
    describe,
    concurrency: () => 1,
    store,
    persist: (info) => {
      persisted.push([...info]);
      return Promise.resolve();
    },
    now: () => 7000,
    log: (message) => logged.push(message),
    persistDelayMs: 10,
    ...extra,
  });
  return { store, loader, persisted, logged };
}

/** Resolves to whether the promise settled within a few turns of the event loop. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await ticks();
  return done;
}

const notFound = () => new QianfanError({ kind: 'api', status: 404, code: 'ResourceNotFound', message: 'not known' });
const busy = () => new QianfanError({ kind: 'api', status: 503, code: 'ServiceUnavailable', message: 'busy' });

describe('the detail loader, step by step', () => {
  it('asked again for a version that waits, resolves only once that version is answered', async () => {
    const d = new Answers();
    const { loader } = loaderOf(d.describe);
    void loader.load(['amv-a', 'amv-b']);
    const again = loader.load(['amv-b']);
    assert.strictEqual(await settled(again), false);
    d.answer('amv-a');
    assert.strictEqual(await settled(again), false, 'amv-b is not answered yet');
    d.answer('amv-b');
    assert.strictEqual(await settled(again), true);
  });

  it('background work asking for a version that waits leaves it in its place', async () => {
    const d = new Answers();
    const { loader } = loaderOf(d.describe);
    void loader.load(['amv-a', 'amv-b', 'amv-c']);
    void loader.load(['amv-b'], { background: true });
    for (const id of ['amv-a', 'amv-b', 'amv-c']) {
      await ticks();
      d.answer(id);
    }
    await loader.idle();
    assert.deepStrictEqual(d.started, ['amv-a', 'amv-b', 'amv-c']);
  });

  it('a load that adds nothing sends nothing', async () => {
    const d = new Answers();
    let concurrency = 1;
    const { loader } = loaderOf(d.describe, { concurrency: () => concurrency });
    void loader.load(['amv-a', 'amv-b']);
    await ticks();
    concurrency = 2;
    void loader.load(['amv-a']);
    await ticks();
    assert.deepStrictEqual(d.started, ['amv-a']);
    assert.deepStrictEqual(loader.pending, { running: 1, queued: 1 });
  });

  it('a collapse takes back only what it names; the rest is still sent, in order', async () => {
    const d = new Answers();
    const { store, loader } = loaderOf(d.describe);
    const all = loader.load(['amv-a', 'amv-b', 'amv-c', 'amv-d']);
    await ticks();
    loader.drop(['amv-b']);
    assert.strictEqual(store.isLoading('amv-b'), false);
    assert.strictEqual(store.isLoading('amv-c'), true);
    assert.deepStrictEqual(loader.pending, { running: 1, queued: 2 });
    for (const id of ['amv-a', 'amv-c', 'amv-d']) {
      await ticks();
      d.answer(id);
    }
    assert.strictEqual(await settled(all), true);
    assert.deepStrictEqual(d.started, ['amv-a', 'amv-c', 'amv-d']);
    assert.strictEqual(store.get('amv-b'), undefined);
  });

  it('resolves idle() only once nothing runs or waits, including what is asked for meanwhile', async () => {
    const d = new Answers();
    const { loader } = loaderOf(d.describe);
    void loader.load(['amv-a']);
    const idle = loader.idle();
    void loader.load(['amv-b']);
    assert.strictEqual(await settled(idle), false);
    d.answer('amv-a');
    assert.strictEqual(await settled(idle), false, 'amv-b still waits');
    d.answer('amv-b');
    assert.strictEqual(await settled(idle), true);
  });

  it('a dispose cancels what is out and sends nothing that waits', async () => {
    const d = new Answers();
    const { store, loader } = loaderOf(d.describe);
    const all = loader.load(['amv-a', 'amv-b']);
    await ticks();
    await loader.dispose();
    assert.strictEqual(d.signals.get('amv-a')!.aborted, true);
    assert.strictEqual(await settled(all), true);
    assert.deepStrictEqual(d.started, ['amv-a']);
    assert.strictEqual(store.get('amv-a'), undefined);
    assert.strictEqual(store.isLoading('amv-b'), false);
  });
});

describe('the detail loader and the limiter’s places', () => {
  it('keeps to its concurrency though places are granted at once, and asks for the next place as soon as one is used', async () => {
    const d = new Answers();
    let givenBack = 0;
    const { loader } = loaderOf(d.describe, { concurrency: () => 2, reserve: () => Promise.resolve(() => void givenBack++) });
    void loader.load(['amv-a', 'amv-b', 'amv-c']);
    await ticks();
    assert.deepStrictEqual(d.started, ['amv-a', 'amv-b'], 'two at once, before any answer');
    d.answer('amv-b');
    await ticks();
    assert.deepStrictEqual(d.started, ['amv-a', 'amv-b', 'amv-c']);
    d.answer('amv-a');
    d.answer('amv-c');
    await loader.idle();
    assert.strictEqual(givenBack, 3, 'each place is offered back once its run ends (the limiter ignores one that was used)');
  });

  it('a collapse of all that waits cancels the place asked for; a place granted anyway goes back unused', async () => {
    const d = new Answers();
    const places = new Places(false);
    const { loader } = loaderOf(d.describe, { reserve: places.reserve });
    const all = loader.load(['amv-a', 'amv-b']);
    await ticks();
    assert.strictEqual(places.asked.length, 1);
    loader.drop(['amv-b']);
    assert.strictEqual(places.asked[0].signal.aborted, false, 'amv-a still waits for it');
    loader.drop(['amv-a']);
    assert.strictEqual(places.asked[0].signal.aborted, true);
    places.asked[0].grant();
    await ticks();
    assert.deepStrictEqual(d.started, []);
    assert.strictEqual(places.asked[0].givenBack, 1);
    assert.strictEqual(places.asked.length, 1, 'no other place asked for');
    assert.strictEqual(await settled(all), true);
  });

  it('a place granted after a partial collapse goes to the first that still waits', async () => {
    const d = new Answers();
    const places = new Places(false);
    const { loader } = loaderOf(d.describe, { reserve: places.reserve });
    void loader.load(['amv-a', 'amv-b', 'amv-c']);
    await ticks();
    loader.drop(['amv-a']);
    places.asked[0].grant();
    await ticks();
    assert.deepStrictEqual(d.started, ['amv-b']);
    assert.strictEqual(places.asked[0].givenBack, 0);
  });

  it('cancelAll cancels the place asked for', async () => {
    const places = new Places(true);
    const { loader } = loaderOf(new Answers().describe, { reserve: places.reserve });
    const all = loader.load(['amv-a']);
    await ticks();
    loader.cancelAll();
    assert.strictEqual(places.asked[0].signal.aborted, true);
    assert.strictEqual(await settled(all), true);
    assert.strictEqual(places.asked.length, 1);
  });

  it('a cancelled place refused late does not let a second place be asked for beside the new one', async () => {
    const d = new Answers();
    const places = new Places(true);
    const { loader } = loaderOf(d.describe, { reserve: places.reserve, concurrency: () => 3 });
    void loader.load(['amv-a']);
    await ticks();
    loader.drop(['amv-a']);
    void loader.load(['amv-b', 'amv-c']);
    await ticks();
    assert.strictEqual(places.asked.length, 2, 'the cancelled one and one for amv-b');
    places.asked[1].grant();
    await ticks();
    assert.deepStrictEqual(d.started, ['amv-b']);
    assert.strictEqual(places.asked.length, 3, 'then one for amv-c');
  });

  it('without a limiter to ask, sends anyway, up to its concurrency, and logs why', async () => {
    const d = new Answers();
    const { loader, logged } = loaderOf(d.describe, { concurrency: () => 2, reserve: () => Promise.reject(new Error('no client yet')) });
    void loader.load(['amv-a', 'amv-b', 'amv-c']);
    await ticks();
    assert.deepStrictEqual(d.started, ['amv-a', 'amv-b']);
    assert.deepStrictEqual(logged, ['Could not wait for the limiter', 'Could not wait for the limiter']);
    d.answer('amv-a');
    await ticks();
    assert.deepStrictEqual(d.started, ['amv-a', 'amv-b', 'amv-c']);
  });
});

describe('the detail loader, after a failure', () => {
  afterEach(putTimersBack);

  function withPresence(answer: () => Promise<Presence>) {
    const d = new Answers();
    const asked: string[] = [];
    const l = loaderOf(d.describe, {
      presence: (id) => {
        asked.push(id);
        return answer();
      },
    });
    return { d, asked, ...l };
  }

  it('asks whether a version is gone only after an answer that may mean so', async () => {
    const p = withPresence(() => Promise.resolve('gone'));
    const done = p.loader.load(['amv-a']);
    await ticks();
    p.d.fail('amv-a', busy());
    await done;
    assert.deepStrictEqual(p.asked, []);
    assert.strictEqual(p.store.get('amv-a')?.kind, 'error');
    assert.deepStrictEqual(p.logged, ['Could not load amv-a']);
  });

  for (const [what, answer] of [
    ['present', () => Promise.resolve<Presence>('present')],
    ['unknown', () => Promise.resolve<Presence>('unknown')],
    ['a failure while looking', () => Promise.reject(new Error('offline'))],
  ] as const) {
    it(`keeps the failure, not "gone", when the look says ${what}`, async () => {
      const p = withPresence(answer);
      const done = p.loader.load(['amv-a']);
      await ticks();
      p.d.fail('amv-a', notFound());
      await done;
      assert.deepStrictEqual(p.asked, ['amv-a']);
      const state = p.store.get('amv-a');
      assert.strictEqual(state?.kind, 'error');
      assert.deepStrictEqual(state, { kind: 'error', error: (state as { error: unknown }).error, at: 7000 });
      assert.match(String((state as { error: Error }).error.message), /not known/);
    });
  }

  it('stores nothing when cancelled while looking whether the version is gone', async () => {
    let gone!: (p: Presence) => void;
    const p = withPresence(() => new Promise<Presence>((resolve) => (gone = resolve)));
    const done = p.loader.load(['amv-a']);
    await ticks();
    p.d.fail('amv-a', notFound());
    await ticks();
    assert.deepStrictEqual(p.asked, ['amv-a']);
    p.loader.cancelAll();
    gone('gone');
    await done;
    assert.strictEqual(p.store.get('amv-a'), undefined);
    assert.deepStrictEqual(p.logged, []);
  });

  it('says once why loading stopped at refused keys', async () => {
    const d = new Answers();
    const { loader, logged } = loaderOf(d.describe);
    const done = loader.load(['amv-a', 'amv-b']);
    await ticks();
    d.fail('amv-a', new QianfanError({ kind: 'api', status: 403, code: 'SignatureDoesNotMatch', message: 'refused' }));
    await done;
    assert.deepStrictEqual(logged, ['Loading stopped until the keys or the settings change']);
  });

  it('after a flush, gathers the next answers again for one write after the delay', async () => {
    const c = useClock();
    const d = new Answers();
    const { loader, persisted } = loaderOf(d.describe, { concurrency: () => 3 });
    void loader.load(['amv-a', 'amv-b', 'amv-c']);
    await c.advance(0);
    d.answer('amv-a', 'Creating'); // its write is due at 10
    await c.advance(0);
    await loader.flush();
    assert.deepStrictEqual(
      persisted.map((batch) => batch.map((i) => i.modelId)),
      [['amv-a']],
    );
    assert.strictEqual(c.scheduled, 0, 'the flush took the timer');
    await c.advance(5);
    d.answer('amv-b'); // gathered until 15
    await c.advance(7);
    d.answer('amv-c');
    await c.advance(20);
    assert.deepStrictEqual(
      persisted.map((batch) => batch.map((i) => i.modelId)),
      [['amv-a'], ['amv-b', 'amv-c']],
    );
  });
});
