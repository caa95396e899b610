/**
 * The file store's edges, pinned to exact values over a file system in memory (which counts what
 * is done to it): the keys of the folder, the problems and who hears them, the watch and its poll,
 * the files that cannot be read, and what a change elsewhere is told as.
 */
import * as assert from 'assert';
import { type Disposable } from '../../src/core/base/events';
import { FileStore, type FileStoreOptions, type StoreFs, fileNameOf, unscopedKey } from '../../src/core/state/fileStore';
import { type ElsewhereChange } from '../../src/core/state/sharedStore';
import { flush } from '../support/fakeTimers';

const encoder = new TextEncoder();
/** A failure as a port may give it: an Error, or anything else (told as String(reason)). */
// eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
const failWith = (reason: unknown): Promise<never> => Promise.reject(reason);
const decoder = new TextDecoder();

/** A folder in memory: every file has a mark that changes with each write, and what is done is logged. */
class MemFs implements StoreFs {
  readonly files = new Map<string, Uint8Array>();
  private readonly marks = new Map<string, number>();
  private tick = 0;
  /** What was done, in order (reads and stats left out). */
  readonly done: string[] = [];
  /** Names `list` gives besides the files. */
  readonly others: string[] = [];
  moveAsideFails?: unknown;
  releaseFails?: unknown;
  lockFails?: unknown;
  readonly listeners = new Set<(name: string | undefined) => void>();
  watchDisposed = 0;

  read(name: string, from = 0): Uint8Array | undefined {
    return this.files.get(name)?.slice(from);
  }
  stat(name: string): { mark: string; size: number } | undefined {
    const bytes = this.files.get(name);
    return bytes && { mark: `m${this.marks.get(name)}`, size: bytes.length };
  }
  put(name: string, text: string | Uint8Array): void {
    this.files.set(name, typeof text === 'string' ? encoder.encode(text) : text);
    this.marks.set(name, ++this.tick);
  }
  text(name: string): string | undefined {
    const bytes = this.files.get(name);
    return bytes && decoder.decode(bytes);
  }
  append(name: string, bytes: Uint8Array): Promise<void> {
    this.done.push(`append ${name}`);
    const old = this.files.get(name) ?? new Uint8Array();
    const next = new Uint8Array(old.length + bytes.length);
    next.set(old);
    next.set(bytes, old.length);
    this.put(name, next);
    return Promise.resolve();
  }
  truncate(name: string, size: number): Promise<void> {
    this.done.push(`truncate ${name} ${size}`);
    this.put(name, (this.files.get(name) ?? new Uint8Array()).slice(0, size));
    return Promise.resolve();
  }
  writeWhole(name: string, bytes: Uint8Array): Promise<void> {
    this.done.push(`write ${name}`);
    this.put(name, bytes.slice());
    return Promise.resolve();
  }
  remove(name: string): Promise<void> {
    this.done.push(`remove ${name}`);
    this.files.delete(name);
    this.marks.delete(name);
    return Promise.resolve();
  }
  moveAside(name: string): Promise<string> {
    this.done.push(`aside ${name}`);
    if (this.moveAsideFails !== undefined) {
      return failWith(this.moveAsideFails);
    }
    const aside = `${name}.unreadable-1`;
    this.put(aside, this.files.get(name) ?? new Uint8Array());
    this.files.delete(name);
    this.marks.delete(name);
    return Promise.resolve(aside);
  }
  lock(name: string): Promise<() => Promise<void>> {
    this.done.push(`lock ${name}`);
    if (this.lockFails !== undefined) {
      return failWith(this.lockFails);
    }
    return Promise.resolve(() => {
      this.done.push(`unlock ${name}`);
      return this.releaseFails === undefined ? Promise.resolve() : failWith(this.releaseFails);
    });
  }
  list(): string[] {
    return [...this.files.keys(), ...this.others];
  }
  watch(onChange: (name: string | undefined) => void): Disposable {
    this.listeners.add(onChange);
    return {
      dispose: () => {
        this.watchDisposed++;
        this.listeners.delete(onChange);
      },
    };
  }
  /** What another window's write looks like: the file event for `name`. */
  event(name: string | undefined): void {
    this.listeners.forEach((l) => l(name));
  }
}

const itemKey = (v: unknown) => (typeof v === 'object' && v !== null && typeof (v as { k?: unknown }).k === 'string' ? (v as { k: string }).k : undefined);
const open = (fs: MemFs, more: Partial<FileStoreOptions> = {}) => new FileStore({ fs, lists: { L: itemKey }, ...more });
const base = (gen: number, value: unknown) => JSON.stringify({ format: 1, gen, value });

/** The global timers replaced by ones that move only when told (the watch uses the global ones). */
class GlobalTimers {
  private t = 0;
  private next = 1;
  private readonly pending = new Map<number, { at: number; every?: number; fn: () => void }>();
  private readonly saved = {
    setTimeout: globalThis.setTimeout,
    clearTimeout: globalThis.clearTimeout,
    setInterval: globalThis.setInterval,
    clearInterval: globalThis.clearInterval,
  };
  /** Every timer set: [kind, ms]. */
  readonly set: [string, number][] = [];
  /** Every timer cleared, by id. */
  readonly cleared: unknown[] = [];

  constructor() {
    const add = (kind: string, fn: () => void, ms: number, every?: number) => {
      this.set.push([kind, ms]);
      const id = this.next++;
      this.pending.set(id, { at: this.t + ms, every, fn });
      return id;
    };
    const clear = (id: unknown) => {
      this.cleared.push(id);
      this.pending.delete(id as number);
    };
    Object.assign(globalThis, {
      setTimeout: (fn: () => void, ms: number) => add('timeout', fn, ms),
      setInterval: (fn: () => void, ms: number) => add('interval', fn, ms, ms),
      clearTimeout: clear,
      clearInterval: clear,
    });
  }
  get count(): number {
    return this.pending.size;
  }
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const due = [...this.pending.entries()].filter(([, e]) => e.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) {
        break;
      }
      const [id, entry] = due;
      this.t = entry.at;
      if (entry.every === undefined) {
        this.pending.delete(id);
      } else {
        entry.at += Math.max(1, entry.every);
      }
      entry.fn();
    }
    this.t = end;
  }
  restore(): void {
    Object.assign(globalThis, this.saved);
  }
}

describe('file store, exactly', () => {
  describe('names and keys', () => {
    it('names a file by its key, and reads the keys back from the folder’s list files only', () => {
      assert.strictEqual(fileNameOf('qianfan.trackedVersions.v1@team-2_x'), 'qianfan.trackedVersions.v1@team-2_x');
      assert.strictEqual(fileNameOf('a b/é%'), 'a%20b%2F%C3%A9%25');
      assert.strictEqual(fileNameOf('\n'), '%0A');
      assert.strictEqual(unscopedKey('k@p@q'), 'k@p');
      assert.strictEqual(unscopedKey('k'), 'k');
      const fs = new MemFs();
      for (const name of ['L.json', 'L.log', 'L@team.json', 'a%20b%2F%C3%A9%25.json', 'L.legacy-5.json', 'L.json.1a2b.tmp', 'L.json.unreadable-1']) {
        fs.put(name, '{}');
      }
      fs.others.push('a b.json', '%E0%A4%A.json', 'lower%c3%a9.json', '.json', 'json');
      assert.deepStrictEqual(open(fs).keys(), ['L', 'L@team', 'a b/é%', '']);
    });
  });

  describe('problems', () => {
    it('tells each problem once, to the listeners there are, and again to a listener that comes later', async () => {
      const fs = new MemFs();
      fs.put('L.json', 'not json');
      fs.put('M.json', 'not json');
      const store = open(fs, { lists: { L: itemKey, M: itemKey } });
      const first: string[] = [];
      const gone: string[] = [];
      store.onProblem((key, problem) => first.push(`${key}: ${problem}`));
      store.onProblem((key) => gone.push(key)).dispose();
      assert.strictEqual(store.get('L'), undefined);
      await store.update('L', [{ k: 'a' }]);
      fs.put('L.json', 'not json again');
      await store.update('L', [{ k: 'b' }]);
      assert.strictEqual(store.get('M'), undefined);
      await flush();
      const expected = [
        'L: L.json could not be read; it is kept as L.json.unreadable-1 and the list goes on from what could be read',
        'M: M.json could not be read; it is kept as M.json.unreadable-1 and the list goes on from what could be read',
      ];
      assert.deepStrictEqual(first, expected, 'the same problem of the same key is told once');
      assert.deepStrictEqual(gone, [], 'a listener let go hears nothing');
      const late: string[] = [];
      store.onProblem((key, problem) => late.push(`${key}: ${problem}`));
      assert.deepStrictEqual(late, expected);
    });

    it('tells a file that could not be moved aside, and a lock that could not be let go, with the error’s message', async () => {
      const fs = new MemFs();
      fs.put('L.json', 'not json');
      fs.moveAsideFails = new Error('disk gone');
      const store = open(fs);
      const problems: string[] = [];
      store.onProblem((key, problem) => problems.push(`${key}: ${problem}`));
      assert.strictEqual(store.get('L'), undefined);
      await flush();
      assert.deepStrictEqual(problems, ['L: a file that could not be read was not moved aside: disk gone']);
      assert.strictEqual(fs.text('L.json'), 'not json', 'never written over');
      fs.moveAsideFails = 'no reason';
      assert.strictEqual(store.get('L@p'), undefined, 'no file: nothing to move');
      fs.put('L@q.json', 'broken');
      store.get('L@q');
      await flush();
      assert.strictEqual(problems[1], 'L@q: a file that could not be read was not moved aside: no reason');
      fs.moveAsideFails = undefined;
      fs.releaseFails = new Error('lock lost');
      await store.update('K', 1);
      fs.releaseFails = 7;
      await store.update('J', 2);
      assert.deepStrictEqual(problems.slice(2), ['K: the lock could not be let go: lock lost', 'J: the lock could not be let go: 7']);
      fs.releaseFails = undefined;
      assert.deepStrictEqual([store.get('K'), store.get('J')], [1, 2], 'the change was made');
    });

    it('hears nothing more once disposed', async () => {
      const fs = new MemFs();
      const store = open(fs);
      const a = open(fs);
      await a.update('L', [{ k: 'a' }]);
      const told: unknown[] = [];
      store.get('L');
      store.onDidChangeElsewhere((c) => told.push(c));
      store.onProblem((key) => told.push(key));
      store.dispose();
      await a.update('L', [{ k: 'b' }]);
      fs.put('M.json', 'broken');
      store.refresh();
      store.get('M');
      await flush();
      assert.deepStrictEqual(told, []);
      assert.deepStrictEqual(store.get('L'), [{ k: 'b' }], 'the store still reads');
    });
  });

  describe('the lock', () => {
    it('a lock not taken fails the change, and the list is still refreshed after', async () => {
      const fs = new MemFs();
      const mine = open(fs);
      const other = open(fs);
      await other.update('L', [{ k: 'a' }]);
      assert.deepStrictEqual(mine.get('L'), [{ k: 'a' }]);
      const told: ElsewhereChange[] = [];
      mine.onDidChangeElsewhere((c) => told.push(c));
      const problems: string[] = [];
      mine.onProblem((_key, problem) => problems.push(problem));
      fs.lockFails = new Error('ELOCKED');
      await assert.rejects(mine.update('L', [{ k: 'a' }, { k: 'mine' }]), /ELOCKED/);
      fs.lockFails = undefined;
      await other.update('L', [{ k: 'a' }, { k: 'b' }]);
      mine.refresh();
      assert.deepStrictEqual(told, [{ key: 'L', added: ['b'], removed: [], updated: [] }]);
      await mine.update('L', [{ k: 'b' }]);
      assert.deepStrictEqual(open(fs).get('L'), [{ k: 'b' }]);
      assert.deepStrictEqual(problems, [], 'no lock to let go: nothing to tell');
    });
  });

  describe('watching', () => {
    let timers: GlobalTimers;
    beforeEach(() => (timers = new GlobalTimers()));
    afterEach(() => timers.restore());

    /** The store with `refresh` counted. */
    const counted = (fs: MemFs) => {
      const store = open(fs);
      const refreshes = { n: 0 };
      const refresh = store.refresh.bind(store);
      store.refresh = () => {
        refreshes.n++;
        refresh();
      };
      return { store, refreshes };
    };

    it('refreshes once for a burst of file events, 20 ms after the first, and again for a later one', () => {
      const fs = new MemFs();
      const { store, refreshes } = counted(fs);
      const watching = store.watch(0);
      assert.deepStrictEqual(timers.set, [], 'no poll when 0');
      fs.event('L.json');
      fs.event('L.log');
      fs.event(undefined);
      assert.deepStrictEqual(timers.set, [['timeout', 20]]);
      timers.advance(19);
      assert.strictEqual(refreshes.n, 0);
      timers.advance(1);
      assert.strictEqual(refreshes.n, 1);
      timers.advance(1000);
      assert.strictEqual(refreshes.n, 1);
      fs.event('L.json');
      timers.advance(20);
      assert.strictEqual(refreshes.n, 2);
      watching.dispose();
      assert.strictEqual(fs.watchDisposed, 1);
      assert.strictEqual(fs.listeners.size, 0);
    });

    it('polls every pollMs until disposed, and a refresh due is dropped by the dispose', () => {
      const fs = new MemFs();
      const { store, refreshes } = counted(fs);
      const watching = store.watch(500);
      assert.deepStrictEqual(timers.set, [['interval', 500]]);
      timers.advance(1500);
      assert.strictEqual(refreshes.n, 3);
      fs.event('L.json');
      assert.strictEqual(timers.count, 2);
      watching.dispose();
      assert.strictEqual(timers.count, 0, 'no timer left');
      timers.advance(5000);
      assert.strictEqual(refreshes.n, 3);
      assert.strictEqual(fs.watchDisposed, 1);
    });

    it('a dispose with nothing due clears nothing it did not set', () => {
      const fs = new MemFs();
      const { store } = counted(fs);
      store.watch(0).dispose();
      assert.deepStrictEqual(timers.cleared, []);
    });
  });

  describe('what another window changed', () => {
    it('tells a list file written anew by item key: added, removed, updated (equal items are not)', () => {
      const fs = new MemFs();
      fs.put('L.json', base(1, [{ k: 'same', v: 1 }, { k: 'changed', v: 1 }, { k: 'gone' }, { v: 'no key' }]));
      const store = open(fs);
      const told: ElsewhereChange[] = [];
      store.onDidChangeElsewhere((c) => told.push(c));
      store.get('L');
      store.refresh();
      assert.deepStrictEqual(told, [], 'nothing changed');
      fs.put('L.json', base(2, [{ k: 'new' }, { k: 'changed', v: 2 }, { k: 'same', v: 1 }, { v: 'no key' }, { v: 'another' }]));
      store.refresh();
      assert.deepStrictEqual(told, [{ key: 'L', added: ['new', '\u0000{"v":"another"}'], removed: ['gone'], updated: ['changed'] }]);
      fs.put('L.json', base(3, [{ k: 'new' }, { k: 'changed', v: 2 }, { k: 'same', v: 1 }, { v: 'no key' }, { v: 'another' }]));
      store.refresh();
      assert.strictEqual(told.length, 1, 'written anew with the same items: nothing told');
    });

    it('tells a change from something else than a list to a list, and from a list to nothing', () => {
      const fs = new MemFs();
      fs.put('L.json', base(1, [{ k: 'a' }]));
      const store = open(fs);
      const told: ElsewhereChange[] = [];
      store.onDidChangeElsewhere((c) => told.push(c));
      store.get('L');
      void fs.remove('L.json');
      store.refresh();
      assert.deepStrictEqual(told, [{ key: 'L', added: [], removed: ['a'], updated: [] }]);
      assert.strictEqual(store.get('L'), undefined);
      fs.put('L.json', base(1, [{ k: 'b' }]));
      store.refresh();
      assert.deepStrictEqual(told[1], { key: 'L', added: ['b'], removed: [], updated: [] });
    });

    it('tells nothing of a value that is not a list, nor of a key not read yet', () => {
      const fs = new MemFs();
      fs.put('S.json', base(1, 'one'));
      fs.put('L.json', base(1, [{ k: 'a' }]));
      const store = open(fs);
      const told: ElsewhereChange[] = [];
      store.onDidChangeElsewhere((c) => told.push(c));
      assert.strictEqual(store.get('S'), 'one');
      fs.put('S.json', base(2, 'two'));
      fs.put('L.json', base(2, [{ k: 'b' }]));
      store.refresh();
      assert.strictEqual(store.get('S'), 'two');
      assert.deepStrictEqual(told, []);
      assert.deepStrictEqual(store.get('L'), [{ k: 'b' }]);
    });

    it('tells the log’s new lines by what they changed: a put of a new key, of a known one, a delete, and nothing for a delete of a key not there', () => {
      const fs = new MemFs();
      fs.put('L.json', base(4, [{ k: 'a' }, { k: 'b' }, { k: 'c' }]));
      fs.put('L.log', '{"gen":4}\n');
      const store = open(fs);
      const told: ElsewhereChange[] = [];
      store.onDidChangeElsewhere((c) => told.push(c));
      store.get('L');
      void fs.append('L.log', encoder.encode('{"del":["zz"]}\n'));
      store.refresh();
      assert.deepStrictEqual(told, [], 'a delete of nothing changes nothing');
      void fs.append(
        'L.log',
        encoder.encode('{"put":[{"k":"d"},{"k":"b","s":1}],"del":["c"]}\n{"put":[{"k":"e"}]}\n{"del":["e","a"]}\n{"del":["d"],"put":[{"k":"d","s":2}]}\n'),
      );
      store.refresh();
      assert.deepStrictEqual(told, [{ key: 'L', added: ['d'], removed: ['c', 'a'], updated: ['b'] }]);
      assert.deepStrictEqual(store.get('L'), [
        { k: 'b', s: 1 },
        { k: 'd', s: 2 },
      ]);
      void fs.append('L.log', encoder.encode('{"put":[{"k":"b","s":1}],"del":[7]}\n'));
      store.refresh();
      assert.deepStrictEqual(told[1], { key: 'L', added: [], removed: [], updated: ['b'] }, 'a put is told as updated even when it is the same');
    });
  });
});
