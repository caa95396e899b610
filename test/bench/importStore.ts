/**
 * The store work of an import: `TrackedVersionsStore.add` of 40,000 versions, into an empty list
 * and into one of 40,000 (median of 7 runs each). `npx tsc -p tsconfig.test.json && node out/test/bench/importStore.js`.
 * Two key-value stores: one that keeps the value it is given, as globalState does in memory, and
 * the unit tests' MemoryKeyValueStore, which copies through JSON on every get and update.
 */
import { performance } from 'perf_hooks';
import { type KeyValueStore, MemoryKeyValueStore } from '../../src/core/state/keyValueStore';
import { TRACKED_KEY, TrackedVersionsStore } from '../../src/core/state/trackedVersions';

const COUNT = 40_000;
const RUNS = 7;

/** Keeps what it is given, as VS Code's Memento does in memory. */
class KeepingKeyValueStore implements KeyValueStore {
  private readonly data = new Map<string, unknown>();
  get<T>(key: string): T | undefined {
    return this.data.get(key) as T | undefined;
  }
  update(key: string, value: unknown): Promise<void> {
    this.data.set(key, value);
    return Promise.resolve();
  }
}

const versionId = (prefix: string, i: number) => `amv-${prefix}${String(i).padStart(8, '0')}`;
const incoming = Array.from({ length: COUNT }, (_, i) => ({ modelId: versionId('new', i), name: 'V2', modelSetId: 'am-import001' }));
const existing = Array.from({ length: COUNT }, (_, i) => ({ modelId: versionId('old', i), name: 'V1', status: 'Ready', addedAt: 1 }));

async function addMs(kv: KeyValueStore, preloaded: boolean): Promise<number> {
  if (preloaded) {
    await kv.update(TRACKED_KEY, existing);
  }
  const store = new TrackedVersionsStore(kv, () => 2);
  const t = performance.now();
  const added = await store.add(incoming);
  const ms = performance.now() - t;
  if (added !== COUNT) {
    throw new Error(`bench: ${added} added, not ${COUNT}`);
  }
  return ms;
}

async function median(make: () => KeyValueStore, preloaded: boolean): Promise<number> {
  const runs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    runs.push(await addMs(make(), preloaded));
  }
  return runs.sort((a, b) => a - b)[Math.floor(RUNS / 2)];
}

async function main(): Promise<void> {
  const rows = [
    ['import of 40,000 versions (store work, median of 7)', 'into an empty list', 'into a list of 40,000'],
    ['---', '---:', '---:'],
  ];
  for (const [name, make] of [
    ['a store that keeps the value (as globalState)', () => new KeepingKeyValueStore()],
    ['MemoryKeyValueStore (JSON copies)', () => new MemoryKeyValueStore()],
  ] as const) {
    rows.push([name, `${(await median(make, false)).toFixed(0)} ms`, `${(await median(make, true)).toFixed(0)} ms`]);
  }
  console.log(rows.map((cells) => `| ${cells.join(' | ')} |`).join('\n'));
}

main().catch((error) => {
  console.error((error as Error).stack ?? error);
  process.exit(1);
});
