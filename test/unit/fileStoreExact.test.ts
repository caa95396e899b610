/**
 * The file store's edges, pinned to exact values over a file system in memory (which counts what
 * is done to it): the keys of the folder, the problems and who hears them, the watch and its poll,
 * the files that cannot be read, and what a change elsewhere is told as.
 */
import * as assert from 'assert';
import { type Disposable } from '../../src/core/base/events';
import { FileStore, type FileStoreOptions, type StoreFs, diff, fileNameOf, unscopedKey } from '../../src/core/state/fileStore';
import { MemoryKeyValueStore } from '../../src/core/state/keyValueStore';
import { type ElsewhereChange } from '../../src/core/state/sharedStore';
import { isListKey, migrateToFiles, routedStore } from '../../src/core/state/storeRouting';
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
  /** Locks are given once this settles. */
  gate = Promise.resolve();
  /** What a write puts on disk instead of its bytes (a disk that damages them). */
  mangle?: (text: string) => string;
  readonly listeners = new Set<(name: string | undefined) => void>();
  watchDisposed = 0;

  /** How many reads there were. */
  reads = 0;
  /** Names whose file is gone by the time it is read (after its stat). */
  readonly vanishing = new Set<string>();
  read(name: string, from = 0): Uint8Array | undefined {
    this.reads++;
    return this.vanishing.has(name) ? undefined : this.files.get(name)?.slice(from);
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
    this.put(name, this.mangle ? encoder.encode(this.mangle(decoder.decode(bytes))) : bytes.slice());
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
    const bytes = this.files.get(name);
    if (!bytes) {
      return failWith(new Error(`ENOENT ${name}`));
    }
    const aside = `${name}.unreadable-1`;
    this.put(aside, bytes);
    this.files.delete(name);
    this.marks.delete(name);
    return Promise.resolve(aside);
  }
  lock(name: string): Promise<() => Promise<void>> {
    this.done.push(`lock ${name}`);
    if (this.lockFails !== undefined) {
      return failWith(this.lockFails);
    }
    return this.gate.then(() => () => {
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

  describe('files that cannot be read', () => {
    const bad: [string, string | Uint8Array][] = [
      ['not JSON', '{"format":1,"gen":1,"value":['],
      ['not an object', '5'],
      ['null', 'null'],
      ['an array', '[]'],
      ['another format', base(1, []).replace('"format":1', '"format":2')],
      ['a generation as text', '{"format":1,"gen":"1","value":[]}'],
      ['a generation not whole', '{"format":1,"gen":1.5,"value":[]}'],
      ['generation 0', '{"format":1,"gen":0,"value":[]}'],
      ['a negative generation', '{"format":1,"gen":-1,"value":[]}'],
      ['a list that is not a list', base(1, { k: 'a' })],
      ['bytes that are not UTF-8', Uint8Array.from([...encoder.encode('{"format":1,"gen":1,"value":[{"k":"a'), 0xff, ...encoder.encode('"}]}')])],
    ];
    for (const [what, content] of bad) {
      it(`keeps a list file aside: ${what}`, async () => {
        const fs = new MemFs();
        fs.put('L.json', content);
        const store = open(fs);
        const problems: string[] = [];
        store.onProblem((_key, problem) => problems.push(problem));
        assert.strictEqual(store.get('L'), undefined);
        await flush();
        assert.deepStrictEqual([...fs.files.keys()].sort(), ['L.json', 'L.json.unreadable-1'], 'moved aside, never written over');
        assert.deepStrictEqual(fs.files.get('L.json.unreadable-1'), typeof content === 'string' ? encoder.encode(content) : content);
        assert.strictEqual(fs.text('L.json'), base(1, []), 'nothing was read: an empty list at generation 1 in its place');
        assert.deepStrictEqual(problems, ['L.json could not be read; it is kept as L.json.unreadable-1 and the list goes on from what could be read']);
        await store.update('L', [{ k: 'new' }]);
        assert.deepStrictEqual(open(fs).get('L'), [{ k: 'new' }]);
      });
    }

    it('reads what is whole: a list of a key outside the lists may be anything, and text may be any UTF-8', () => {
      const fs = new MemFs();
      fs.put('S.json', base(7, { any: 'thing' }));
      fs.put('L.json', base(9, [{ k: 'é😀' }]));
      const store = open(fs);
      assert.deepStrictEqual(store.get('S'), { any: 'thing' });
      assert.deepStrictEqual(store.get('L'), [{ k: 'é😀' }]);
    });

    it('with an unreadable list file its log goes aside too, and the list from before the files is never read instead', async () => {
      const fs = new MemFs();
      fs.put('L.json', 'broken');
      fs.put('L.log', '{"gen":1}\n{"put":[{"k":"x"}]}\n');
      const store = open(fs);
      store.get('L');
      await flush();
      assert.deepStrictEqual([...fs.files.keys()].sort(), ['L.json', 'L.json.unreadable-1', 'L.log.unreadable-1']);
      assert.strictEqual(fs.text('L.log.unreadable-1'), '{"gen":1}\n{"put":[{"k":"x"}]}\n');

      const fs2 = new MemFs();
      fs2.put('L.json', 'broken');
      const withLegacy = open(fs2, { legacy: (key) => (key === 'L' ? [{ k: 'old' }] : undefined) });
      assert.strictEqual(withLegacy.get('L'), undefined, 'globalState’s copy is older than the files were');
      await flush();
      assert.deepStrictEqual(fs2.done, ['lock L', 'aside L.json', 'write L.json', 'unlock L']);
      assert.strictEqual(fs2.text('L.json'), base(1, []));
      assert.deepStrictEqual(withLegacy.get('L'), []);
      assert.strictEqual(await withLegacy.adopt('L', [{ k: 'old' }]), 'already', 'nor moved again at the next start');
    });

    it('a log with a broken line: its lines before it are kept, folded into a new list file, and the log goes aside', async () => {
      for (const line of ['not json', '5', '[]', 'null', '{"put":5}', '{"del":"a"}', '']) {
        const fs = new MemFs();
        fs.put('L.json', base(3, [{ k: 'a' }]));
        fs.put('L.log', `{"gen":3}\n{"put":[{"k":"b"}]}\n${line}\n{"put":[{"k":"c"}]}\n`);
        const store = open(fs);
        const problems: string[] = [];
        store.onProblem((_key, problem) => problems.push(problem));
        assert.deepStrictEqual(store.get('L'), [{ k: 'a' }, { k: 'b' }], line);
        await flush();
        assert.deepStrictEqual(fs.done, ['lock L', 'aside L.log', 'write L.json', 'unlock L'], line);
        assert.strictEqual(fs.text('L.json'), base(4, [{ k: 'a' }, { k: 'b' }]), line);
        assert.deepStrictEqual(problems, ['L.log could not be read; it is kept as L.log.unreadable-1 and the list goes on from what could be read'], line);
      }
    });

    it('a broken line appended after a read (an empty one too) is found on the next refresh', async () => {
      const fs = new MemFs();
      fs.put('L.json', base(3, [{ k: 'a' }]));
      fs.put('L.log', '{"gen":3}\n');
      const store = open(fs);
      store.get('L');
      void fs.append('L.log', encoder.encode('\n'));
      store.refresh();
      await flush();
      assert.deepStrictEqual([...fs.files.keys()].sort(), ['L.json', 'L.log.unreadable-1']);
      assert.strictEqual(fs.text('L.json'), base(4, [{ k: 'a' }]));
    });

    it('a log’s first line: cut short, it is not read yet; not a generation, the log goes aside; another generation’s, or 0, it is not read', async () => {
      const cases: [string, string | undefined, string, unknown, boolean][] = [
        ['cut short', base(4, [{ k: 'a' }]), '{"gen":4}', [{ k: 'a' }], false],
        ['cut short, whole JSON after', base(4, [{ k: 'a' }]), '{"gen":4} ', [{ k: 'a' }], false],
        ['not JSON', base(4, [{ k: 'a' }]), 'x\n{"put":[{"k":"b"}]}\n', [{ k: 'a' }], true],
        ['a generation as text', base(4, [{ k: 'a' }]), '{"gen":"4"}\n{"put":[{"k":"b"}]}\n', [{ k: 'a' }], true],
        ['no generation', base(4, [{ k: 'a' }]), '{}\n{"put":[{"k":"b"}]}\n', [{ k: 'a' }], true],
        ['empty', base(4, [{ k: 'a' }]), '\n{"put":[{"k":"b"}]}\n', [{ k: 'a' }], true],
        ['an older generation', base(4, [{ k: 'a' }]), '{"gen":3}\n{"put":[{"k":"b"}]}\n', [{ k: 'a' }], false],
        ['generation 0, no list file', undefined, '{"gen":0}\n{"put":[{"k":"b"}]}\n', undefined, false],
        ['this generation', base(4, [{ k: 'a' }]), '{"gen":4}\n{"put":[{"k":"b"}]}\n', [{ k: 'a' }, { k: 'b' }], false],
      ];
      for (const [what, list, log, value, aside] of cases) {
        const fs = new MemFs();
        if (list !== undefined) {
          fs.put('L.json', list);
        }
        fs.put('L.log', log);
        const store = open(fs);
        const problems: string[] = [];
        store.onProblem((_key, problem) => problems.push(problem));
        assert.deepStrictEqual(store.get('L'), value, what);
        await flush();
        assert.strictEqual(fs.files.has('L.log.unreadable-1'), aside, what);
        assert.strictEqual(problems.length, aside ? 1 : 0, what);
      }
    });

    it('a log of a key outside the lists is never read', () => {
      const fs = new MemFs();
      fs.put('S.json', base(1, [1]));
      fs.put('S.log', '{"gen":1}\n{"put":[2]}\n');
      assert.deepStrictEqual(open(fs).get('S'), [1]);
    });

    it('a log gone between its stat and its read is no log; one removed by hand is read no more', () => {
      const fs = new MemFs();
      fs.put('L.json', base(2, [{ k: 'a' }]));
      fs.put('L.log', '{"gen":2}\n{"put":[{"k":"b"}]}\n');
      fs.vanishing.add('L.log');
      const store = open(fs);
      assert.deepStrictEqual(store.get('L'), [{ k: 'a' }]);
      fs.vanishing.clear();
      void fs.append('L.log', encoder.encode('{"put":[{"k":"c"}]}\n'));
      store.refresh();
      assert.deepStrictEqual(store.get('L'), [{ k: 'a' }, { k: 'b' }, { k: 'c' }], 'read from its start once it is there');
      void fs.remove('L.log');
      store.refresh();
      void fs.append('L.log', encoder.encode('{"gen":2}\n{"put":[{"k":"d"}]}\n'));
      store.refresh();
      assert.deepStrictEqual(store.get('L'), [{ k: 'a' }, { k: 'b' }, { k: 'c' }, { k: 'd' }]);
    });
  });

  describe('what a change writes', () => {
    it('writes the list file, then log lines, appended; nothing for the same list; the list file again for a new order', async () => {
      const fs = new MemFs();
      const store = open(fs);
      const line = (o: unknown) => `${JSON.stringify(o)}\n`;
      await store.update('L', [{ k: 'a' }, { k: 'b' }]);
      const first = base(1, [{ k: 'a' }, { k: 'b' }]);
      assert.deepStrictEqual(fs.done.splice(0), ['lock L', 'write L.json', 'unlock L']);
      assert.strictEqual(fs.text('L.json'), first);
      await store.update('L', [{ k: 'a' }, { k: 'b' }]);
      assert.deepStrictEqual(fs.done.splice(0), ['lock L', 'unlock L'], 'the same list (another array): nothing written');
      await store.update('L', [{ k: 'a', s: 1 }, { k: 'b' }]);
      assert.deepStrictEqual(fs.done.splice(0), ['lock L', 'write L.log', 'unlock L']);
      await store.update('L', [{ k: 'a', s: 1 }, { k: 'c' }]);
      assert.deepStrictEqual(fs.done.splice(0), ['lock L', 'append L.log', 'unlock L']);
      const log = `{"gen":1}\n${line({ put: [{ k: 'a', s: 1 }] })}${line({ put: [{ k: 'c' }], del: ['b'] })}`;
      assert.strictEqual(fs.text('L.log'), log);
      assert.strictEqual(store.bytesWritten, first.length + log.length);
      fs.put('L.log', `${log}{"put":[{"k"`); // another window's line cut short by a crash
      await store.update('L', [{ k: 'a', s: 2 }, { k: 'c' }]);
      assert.deepStrictEqual(fs.done.splice(0), ['lock L', `truncate L.log ${log.length}`, 'append L.log', 'unlock L']);
      assert.strictEqual(fs.text('L.log'), `${log}${line({ put: [{ k: 'a', s: 2 }] })}`);
      await store.update('L', [{ k: 'c' }, { k: 'a', s: 2 }]);
      assert.deepStrictEqual(fs.done.splice(0), ['lock L', 'write L.json', 'remove L.log', 'unlock L'], 'a new order: the list file');
      assert.strictEqual(fs.text('L.json'), base(2, [{ k: 'c' }, { k: 'a', s: 2 }]));
      assert.deepStrictEqual(open(fs).get('L'), [{ k: 'c' }, { k: 'a', s: 2 }]);
      await store.update('L', [{ k: 'c' }, { k: 'a', s: 2 }, { k: 'a', s: 3 }]);
      assert.deepStrictEqual(fs.done.splice(0), ['lock L', 'write L.json', 'unlock L'], 'a key twice: the list file');
    });

    it('folds the log when a line would take it past compactAt(list file bytes), not before', async () => {
      const list = [{ k: 'a' }];
      const next = [{ k: 'a', s: 1 }];
      const line = `${JSON.stringify({ put: next })}\n`;
      for (const [limit, expected] of [
        [line.length, 'write L.log'],
        [line.length - 1, 'write L.json'],
      ] as const) {
        const fs = new MemFs();
        fs.put('L.json', base(1, list));
        const sizes: number[] = [];
        const store = open(fs, {
          compactAt: (bytes) => {
            sizes.push(bytes);
            return limit;
          },
        });
        await store.update('L', next);
        assert.deepStrictEqual(fs.done, ['lock L', expected, 'unlock L']);
        assert.deepStrictEqual(sizes, [base(1, list).length], 'from the size of the list file read');
      }
      const fs = new MemFs();
      const store = open(fs, { compactAt: (bytes) => bytes });
      await store.update('L', [{ k: 'a' }]);
      await store.update('L', [{ k: 'a', s: 'x'.repeat(10) }]);
      await store.update('L', [{ k: 'a', s: 'y'.repeat(10) }]);
      assert.deepStrictEqual(
        fs.done.filter((d) => !d.includes('lock')),
        ['write L.json', 'write L.log', 'write L.json', 'remove L.log'],
      );
    });

    it('a key outside the lists, a list from before the files and a list of generation 0 are written whole', async () => {
      const fs = new MemFs();
      const store = open(fs, { legacy: (key) => (key === 'L' ? [{ k: 'a' }] : undefined) });
      await store.update('S', [1]);
      await store.update('S', [1, 2]);
      assert.deepStrictEqual(store.get('L'), [{ k: 'a' }]);
      await store.update('L', [{ k: 'a' }, { k: 'b' }]);
      assert.deepStrictEqual(
        fs.done.filter((d) => !d.includes('lock')),
        ['write S.json', 'write S.json', 'write L.json'],
      );
      const fresh = open(fs);
      assert.deepStrictEqual(
        [fresh.get('S'), fresh.get('L')],
        [
          [1, 2],
          [{ k: 'a' }, { k: 'b' }],
        ],
      );
    });

    it('keeps a value from before the files that is not a list in a file of its own, once, before a list is written', async () => {
      const legacy: Record<string, unknown> = { L: 'garbage', 'L@n': null, S: 'x' };
      const fs = new MemFs();
      const store = open(fs, { legacy: (key) => legacy[key] });
      const problems: string[] = [];
      store.onProblem((key, problem) => problems.push(`${key}: ${problem}`));
      assert.strictEqual(store.get('L'), undefined);
      await store.update('L', [{ k: 'a' }]);
      await store.update('L', undefined);
      await store.update('L', [{ k: 'b' }]);
      await store.update('L@n', [{ k: 'c' }]);
      await store.update('S', 'y');
      const writes = fs.done.filter((d) => d.startsWith('write '));
      assert.strictEqual(writes.length, 5, writes.join());
      assert.match(writes[0], /^write L\.legacy-\d+\.json$/);
      const aside = writes[0].slice('write '.length);
      assert.deepStrictEqual(writes.slice(1), ['write L.json', 'write L.json', 'write L@n.json', 'write S.json']);
      assert.strictEqual(fs.text(aside), '"garbage"');
      assert.deepStrictEqual(problems, [`L: the value kept before was not a list; it is kept in ${aside} and a new list is started`]);
      assert.deepStrictEqual(open(fs).keys().sort(), ['L', 'L@n', 'S']);
      const later = open(fs, { legacy: () => 'garbage' });
      await later.update('L', [{ k: 'c' }]);
      assert.deepStrictEqual(
        fs.list().filter((n) => n.includes('.legacy-')),
        [aside],
        'the files hold the list already: what globalState has is not theirs to keep',
      );
    });

    it('adopts a value once, and fails one that does not read back the same', async () => {
      const fs = new MemFs();
      const store = open(fs);
      assert.strictEqual(await store.adopt('L', [{ k: 'a' }]), 'written');
      assert.strictEqual(await store.adopt('L', [{ k: 'b' }]), 'already');
      assert.deepStrictEqual(store.get('L'), [{ k: 'a' }]);
      assert.strictEqual(await store.adopt('M', 'not a list'), 'written', 'a key outside the lists takes anything');
      fs.mangle = (text) => text.replace('"a"', '"z"');
      const problems: string[] = [];
      store.onProblem((key, problem) => problems.push(`${key}: ${problem}`));
      assert.strictEqual(await store.adopt('L@p', [{ k: 'a' }]), 'failed');
      assert.deepStrictEqual(problems, ['L@p: the list written from the value kept before did not read back the same; the value kept before stays']);
    });
  });

  describe('reading again', () => {
    it('a refresh that finds no whole new line keeps the same list', () => {
      const fs = new MemFs();
      fs.put('L.json', base(1, [{ k: 'a' }]));
      fs.put('L.log', '{"gen":1}\n');
      const store = open(fs);
      const list = store.get('L');
      void fs.append('L.log', encoder.encode('{"put":['));
      store.refresh();
      assert.strictEqual(store.get('L'), list);
    });

    it('reads nothing when nothing changed, nor after its own writes', async () => {
      const fs = new MemFs();
      const store = open(fs);
      await store.update('L', [{ k: 'a' }]);
      await store.update('L', [{ k: 'a', s: 1 }]);
      await store.update('L', [{ k: 'a', s: 2 }]);
      await store.update('S', 1);
      const reads = fs.reads;
      store.refresh();
      store.refresh();
      assert.deepStrictEqual([store.get('L'), store.get('S')], [[{ k: 'a', s: 2 }], 1]);
      assert.strictEqual(fs.reads, reads);
    });

    it('a refresh while a change waits for the lock leaves the reading to the change, which tells it once', async () => {
      const fs = new MemFs();
      const mine = open(fs);
      const other = open(fs);
      await other.update('L', [{ k: 'a' }]);
      mine.get('L');
      const told: ElsewhereChange[] = [];
      mine.onDidChangeElsewhere((c) => told.push(c));
      await other.update('L', [{ k: 'a' }, { k: 'b' }]);
      let open_ = () => undefined as void;
      fs.gate = new Promise<void>((resolve) => (open_ = resolve));
      const change = mine.change('L', (list) => ({ value: [...(list as unknown[]), { k: 'c' }], result: (list as unknown[]).length }));
      await flush();
      mine.refresh();
      assert.deepStrictEqual(told, []);
      open_();
      assert.strictEqual(await change, 2);
      assert.deepStrictEqual(told, [{ key: 'L', added: ['b'], removed: [], updated: [] }]);
      mine.refresh();
      assert.strictEqual(told.length, 1);
    });

    it('a first change tells nothing of what was there; a refresh that finds a file unreadable moves it aside', async () => {
      const fs = new MemFs();
      await open(fs).update('L', [{ k: 'a' }]);
      const store = open(fs);
      const told: ElsewhereChange[] = [];
      store.onDidChangeElsewhere((c) => told.push(c));
      await store.update('L', [{ k: 'a' }, { k: 'b' }]);
      assert.deepStrictEqual(told, []);
      fs.put('L.json', 'broken');
      store.refresh();
      await flush();
      assert.ok(fs.files.has('L.json.unreadable-1'));
      assert.deepStrictEqual(told, [], 'the list this window read last goes on: nothing was removed');
      assert.strictEqual(fs.text('L.json'), base(2, [{ k: 'a' }, { k: 'b' }]));
    });

    it('tells a change that only updates, and nothing of a key outside the lists even when it holds a list', () => {
      const fs = new MemFs();
      fs.put('L.json', base(1, [{ k: 'a' }]));
      fs.put('S.json', base(1, [{ k: 'a' }]));
      const store = open(fs);
      const told: ElsewhereChange[] = [];
      store.onDidChangeElsewhere((c) => told.push(c));
      store.get('L');
      store.get('S');
      fs.put('L.json', base(2, [{ k: 'a', s: 1 }]));
      fs.put('S.json', base(2, [{ k: 'b' }]));
      store.refresh();
      assert.deepStrictEqual(told, [{ key: 'L', added: [], removed: [], updated: ['a'] }]);
      assert.deepStrictEqual(store.get('S'), [{ k: 'b' }]);
    });
  });

  describe('diff', () => {
    const key = (v: unknown) => String((v as { k: string }).k);
    it('a key twice in the next list is a new order; an equal item is no change', () => {
      const a = { k: 'a' };
      assert.strictEqual(diff([a], [a, { k: 'a' }], key), 'order');
      assert.strictEqual(diff([a, { k: 'b' }], [{ k: 'a' }, { k: 'b' }], key), 'same');
      assert.deepStrictEqual(diff([a, { k: 'b' }], [{ k: 'a' }, { k: 'b', s: 1 }], key), { put: [{ k: 'b', s: 1 }] });
      assert.deepStrictEqual(diff([a, { k: 'b' }], [{ k: 'b' }, a].slice(1), key), { del: ['b'] });
    });

    it('a batch in place on a list known to have each key once costs what it changed, not the list’s length', () => {
      let calls = 0;
      const counted = (v: unknown) => (calls++, key(v));
      const unique = new WeakSet<readonly unknown[]>();
      const prev: { k: string; s?: number }[] = Array.from({ length: 1000 }, (_, i) => ({ k: `v${i}` }));
      unique.add(prev);
      const next = [...prev];
      next[500] = { k: 'v500', s: 1 };
      next[7] = { k: 'v7' };
      assert.deepStrictEqual(diff(prev, next, counted, unique), { put: [{ k: 'v500', s: 1 }] });
      assert.strictEqual(calls, 4);
      assert.ok(unique.has(next));
      calls = 0;
      assert.strictEqual(diff(next, [...next], counted, unique), 'same');
      assert.strictEqual(calls, 0);
    });
  });

  describe('routing between the files and globalState', () => {
    /** globalState: values, the updates it was given, and keys it may list without a value. */
    class Global extends MemoryKeyValueStore {
      readonly updates: [string, unknown][] = [];
      readonly listed: string[] = [];
      override update(key: string, value: unknown): Promise<void> {
        this.updates.push([key, value]);
        return super.update(key, value);
      }
      keys(): readonly string[] {
        return this.listed;
      }
    }
    const lists = { L: itemKey };
    const toFiles = (key: string) => isListKey(lists, key);

    it('knows the list keys of any profile and what is kept aside of them', () => {
      const yes = ['L', 'L@p', 'L.unreadable', 'L.unreadable@p'];
      const no = ['L@p@q', 'M', 'M.unreadable', '.unreadable', 'L.unreadablex', 'Lx', 'L.unreadable.unreadable', 'xL'];
      assert.deepStrictEqual(
        [...yes, ...no].map((k) => isListKey(lists, k)),
        [...yes.map(() => true), ...no.map(() => false)],
      );
    });

    it('reads, writes and changes a list in the files and a setting in globalState', async () => {
      const fs = new MemFs();
      const global = new Global();
      await global.update('L', [{ k: 'before' }]);
      await global.update('setting', 1);
      global.updates.length = 0;
      const files = open(fs, { lists, legacy: (key) => global.get(key) });
      const store = routedStore(files, global, toFiles);
      assert.deepStrictEqual([store.get('L'), store.get('setting')], [[{ k: 'before' }], 1]);
      await store.update('L', [{ k: 'a' }]);
      await store.update('setting', 2);
      assert.deepStrictEqual(global.updates, [['setting', 2]], 'globalState keeps its copy of the list');
      assert.deepStrictEqual(open(fs).get('L'), [{ k: 'a' }]);
      assert.strictEqual(await store.change('L', (v) => ({ value: [...(v as unknown[]), { k: 'b' }], result: 'list' })), 'list');
      assert.deepStrictEqual(open(fs).get('L'), [{ k: 'a' }, { k: 'b' }]);
      assert.strictEqual(await store.change('setting', (v) => ({ value: (v as number) + 1, result: 'setting' })), 'setting');
      assert.strictEqual(await store.change('setting', () => undefined), undefined);
      assert.strictEqual(await store.change('other', (v) => (v === undefined ? undefined : { value: v, result: 1 })), undefined);
      assert.deepStrictEqual(global.updates, [
        ['setting', 2],
        ['setting', 3],
      ]);
      assert.deepStrictEqual(fs.list().sort(), ['L.json', 'L.log']);
      await store.update('L@p', undefined);
      assert.deepStrictEqual(global.updates.length, 2, 'cleared where globalState had nothing: globalState is not written');
      await store.update('L', undefined);
      assert.deepStrictEqual(global.updates.slice(2), [['L', undefined]]);
      assert.deepStrictEqual(fs.list(), []);
    });

    it('tells the files’ changes elsewhere and problems', async () => {
      const fs = new MemFs();
      const files = open(fs, { lists });
      const store = routedStore(files, new Global(), toFiles);
      await store.update('L', [{ k: 'a' }]);
      const told: unknown[] = [];
      store.onDidChangeElsewhere((c) => told.push(c));
      store.onProblem((key, problem) => told.push(`${key}: ${problem}`));
      fs.put('L.json', base(5, [{ k: 'b' }]));
      files.refresh();
      fs.put('L.json', 'broken');
      files.refresh();
      await flush();
      assert.deepStrictEqual(told, [
        { key: 'L', added: ['b'], removed: ['a'], updated: [] },
        'L: L.json could not be read; it is kept as L.json.unreadable-1 and the list goes on from what could be read',
      ]);
      assert.strictEqual(fs.text('L.json'), base(6, [{ k: 'b' }]), 'written anew from the list read last');
    });

    it('moves only list keys that have a value', async () => {
      const fs = new MemFs();
      const global = new Global();
      await global.update('L', [{ k: 'a' }]);
      await global.update('setting', 1);
      global.listed.push('L', 'L@gone', 'setting');
      const files = open(fs, { lists, legacy: (key) => global.get(key) });
      assert.deepStrictEqual(await migrateToFiles(files, global, toFiles), { moved: ['L'], kept: [] });
      assert.deepStrictEqual(fs.list(), ['L.json']);
      assert.deepStrictEqual(await migrateToFiles(files, global, toFiles), { moved: [], kept: [] });
    });
  });
});
