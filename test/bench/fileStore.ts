/**
 * `node out/test/bench/fileStore.js`: what a batch of 50 learnt statuses costs at 10,000 tracked
 * versions, before (globalState's way: the extension's whole state written as one JSON value) and
 * after (the file store: a log line of the batch, folded into the list file now and then).
 * Prints bytes written and ms per batch (median, p95, mean with the folds), what the other window
 * spends reading the batch, and a cold read of the list. BATCHES (default 200), VERSIONS (10,000).
 */
import { readFileSync, rmSync, writeFileSync } from 'fs';
import * as path from 'path';
import { type KeyValueStore } from '../../src/core/state/keyValueStore';
import { TrackedVersionsStore, type TrackedInfo } from '../../src/core/state/trackedVersions';
import { fileStore, statusOf, tempFolder, versionId } from '../unit/fileStoreSupport';

const VERSIONS = Number(process.env.VERSIONS ?? 10_000);
const BATCHES = Number(process.env.BATCHES ?? 200);
const BATCH = 50;

/** globalState as VS Code keeps it: one object per extension, written whole at each update. */
class WholeValueStore implements KeyValueStore {
  private value: Record<string, unknown> = {};
  bytesWritten = 0;
  constructor(private readonly file: string) {}
  get<T>(key: string): T | undefined {
    return this.value[key] as T | undefined;
  }
  async update(key: string, value: unknown): Promise<void> {
    this.value = { ...this.value, [key]: value };
    const text = JSON.stringify(this.value);
    this.bytesWritten += Buffer.byteLength(text);
    await Promise.resolve(writeFileSync(this.file, text)); // the storage's write (VS Code's goes to SQLite, through IPC)
  }
}

function accountVersions(): TrackedInfo[] {
  return Array.from({ length: VERSIONS }, (_, i) => ({
    modelId: versionId('v', i),
    modelSetId: `am-set${String(i % 400).padStart(6, '0')}`,
    modelSetName: `model ${i % 400}`,
    name: `V${(i % 25) + 1}`,
    status: 'Ready',
    statusAt: 1_700_000_000_000,
  }));
}

let seed = 42;
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};

function batch(round: number): TrackedInfo[] {
  return Array.from({ length: BATCH }, () => ({
    modelId: versionId('v', Math.floor(random() * VERSIONS)),
    status: statusOf(round),
    statusAt: 1_700_000_000_000 + round,
  }));
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const median = (xs: number[]) => sorted(xs)[Math.floor(xs.length / 2)];
const p95 = (xs: number[]) => sorted(xs)[Math.floor(xs.length * 0.95)];
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

interface Row {
  readonly way: string;
  readonly bytes: number[];
  readonly times: number[];
  readonly otherMs?: number[];
  readonly coldMs: number;
}

async function before(folder: string): Promise<Row> {
  const kv = new WholeValueStore(path.join(folder, 'state.json'));
  const tracked = new TrackedVersionsStore(kv, () => 1);
  await tracked.add(accountVersions());
  const bytes: number[] = [];
  const times: number[] = [];
  for (let round = 0; round < BATCHES; round++) {
    const b = batch(round);
    const was = kv.bytesWritten;
    const start = process.hrtime.bigint();
    await tracked.updateInfo(b);
    times.push(ms(start));
    bytes.push(kv.bytesWritten - was);
  }
  // a new window: the stored value read and parsed (VS Code's from its database), then the list read
  const start = process.hrtime.bigint();
  const state = JSON.parse(readFileSync(path.join(folder, 'state.json'), 'utf8')) as Record<string, unknown>;
  new TrackedVersionsStore({ get: <T>(key: string) => state[key] as T, update: () => Promise.resolve() }).get(versionId('v', 1));
  return { way: 'before: globalState (whole value)', bytes, times, coldMs: ms(start) };
}

async function after(folder: string): Promise<Row> {
  const store = fileStore(folder);
  const tracked = new TrackedVersionsStore(store, () => 1);
  await tracked.add(accountVersions());
  const otherStore = fileStore(folder); // the other window, told of each batch
  const other = new TrackedVersionsStore(otherStore);
  other.get(versionId('v', 0));
  let told = 0;
  other.onDidChange((c) => (told += c.updated.length));
  const bytes: number[] = [];
  const times: number[] = [];
  const otherMs: number[] = [];
  for (let round = 0; round < BATCHES; round++) {
    const b = batch(round);
    const was = store.bytesWritten;
    const start = process.hrtime.bigint();
    await tracked.updateInfo(b);
    times.push(ms(start));
    bytes.push(store.bytesWritten - was);
    const seen = process.hrtime.bigint();
    otherStore.refresh();
    other.get(versionId('v', 0));
    otherMs.push(ms(seen));
  }
  if (told === 0) {
    throw new Error('the other window was told nothing');
  }
  const start = process.hrtime.bigint();
  new TrackedVersionsStore(fileStore(folder)).get(versionId('v', 1));
  return { way: 'after: file store (list file + log)', bytes, times, otherMs, coldMs: ms(start) };
}

function print(row: Row): void {
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  const folds = row.bytes.filter((b) => b > 10 * median(row.bytes)).length;
  console.log(row.way);
  console.log(
    `  bytes per batch: median ${kb(median(row.bytes))}, max ${kb(Math.max(...row.bytes))}, mean ${kb(mean(row.bytes))}` +
      (folds > 0 ? ` (${folds} of ${row.bytes.length} batches folded the log into the list file)` : ''),
  );
  console.log(`  ms per batch: median ${median(row.times).toFixed(2)}, p95 ${p95(row.times).toFixed(2)}, mean ${mean(row.times).toFixed(2)}`);
  if (row.otherMs) {
    console.log(`  the other window reads a batch in: median ${median(row.otherMs).toFixed(2)} ms, p95 ${p95(row.otherMs).toFixed(2)} ms`);
  }
  console.log(`  a new window reads the list (file read, parse, checks): ${row.coldMs.toFixed(1)} ms`);
}

async function main(): Promise<void> {
  console.log(`${BATCHES} batches of ${BATCH} statuses at ${VERSIONS} tracked versions (Node ${process.versions.node})`);
  const folders = [tempFolder('qianfan-bench-'), tempFolder('qianfan-bench-')];
  try {
    const rows = [await before(folders[0]), await after(folders[1])];
    rows.forEach(print);
    const [b, a] = rows;
    console.log(
      `after / before: bytes (mean) ${(mean(a.bytes) / mean(b.bytes)).toFixed(4)}, ms (median) ${(median(a.times) / median(b.times)).toFixed(3)}, ms (mean) ${(mean(a.times) / mean(b.times)).toFixed(3)}`,
    );
  } finally {
    folders.forEach((f) => rmSync(f, { recursive: true, force: true }));
  }
}

void main();
