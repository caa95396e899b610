/**
 * One "window" of the two-process test (forked by fileStoreProcesses.test.ts): a tracked list on
 * the shared folder, changed round after round while another process does the same.
 *
 * Arguments: folder, name (a short letter prefix of the versions it adds), rounds, the other's
 * name, a seed. Each round is one of: add a new version of its own, untrack one of its own, or a
 * status batch of up to 50 versions (its own share of the shared versions, and the other's own
 * versions, which must never come back by it). It sends what it expects at the end.
 *
 * With QIANFAN_STORE_MODE=whole it works as before the file store, for comparison: globalState's
 * way, one value kept in memory and written whole, another window's write seen on a refresh.
 */
import * as fs from 'fs';
import * as path from 'path';
import { type KeyValueStore } from '../../../src/core/state/keyValueStore';
import { TrackedVersionsStore } from '../../../src/core/state/trackedVersions';
import { SHARED, fileStore, sharedId, statusOf, versionId } from '../fileStoreSupport';

export interface WorkerResult {
  readonly name: string;
  /** Its own versions still tracked at the end. */
  readonly mine: string[];
  /** Every own version it added (those not in `mine` were untracked). */
  readonly added: string[];
  /** The last status it wrote to each shared version of its share. */
  readonly statuses: Record<string, string>;
  readonly rounds: number;
}

const [folder, name, roundsText, other, seedText] = process.argv.slice(2);
const rounds = Number(roundsText);
let seed = Number(seedText);
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};

/** globalState as before: the whole value in memory, written whole; another window's write replaces it when seen. */
class WholeValueStore implements KeyValueStore {
  private value: Record<string, unknown> = {};
  private readonly file = path.join(folder, 'globalState.json');
  get<T>(key: string): T | undefined {
    return this.value[key] as T | undefined;
  }
  async update(key: string, value: unknown): Promise<void> {
    this.value = { ...this.value, [key]: value };
    await fs.promises.writeFile(`${this.file}.${name}`, JSON.stringify(this.value));
    await fs.promises.rename(`${this.file}.${name}`, this.file);
  }
  refresh(): void {
    try {
      this.value = JSON.parse(fs.readFileSync(this.file, 'utf8')) as Record<string, unknown>;
    } catch {
      // not there yet
    }
  }
}

async function run(): Promise<WorkerResult> {
  const store = process.env.QIANFAN_STORE_MODE === 'whole' ? new WholeValueStore() : fileStore(folder);
  store.refresh();
  const tracked = new TrackedVersionsStore(store, () => 1);
  const mine: string[] = [];
  const added: string[] = [];
  const statuses: Record<string, string> = {};
  const share = name === 'a' ? 0 : 1; // shared versions i with i % 2 === share are this one's to set
  for (let round = 0; round < rounds; round++) {
    const roll = random();
    if (roll < 0.35 || mine.length === 0) {
      const id = versionId(name, round);
      await tracked.add([{ modelId: id, name: `${name} ${round}` }]);
      mine.push(id);
      added.push(id);
    } else if (roll < 0.6) {
      const id = mine.splice(Math.floor(random() * mine.length), 1)[0];
      await tracked.remove([id]);
    } else {
      store.refresh(); // as the watcher would: learn the other's versions
      const others = tracked.view().filter((v) => v.modelId.startsWith(`amv-${other}`));
      const batch = [];
      for (let k = 0; k < 40; k++) {
        const i = Math.floor(random() * (SHARED / 2)) * 2 + share;
        batch.push({ modelId: sharedId(i), status: statusOf(round) });
        statuses[sharedId(i)] = statusOf(round);
      }
      for (const v of others.slice(0, 10)) {
        batch.push({ modelId: v.modelId, status: statusOf(round) }); // never brings back one the other untracked
      }
      await tracked.updateInfo(batch);
    }
  }
  return { name, mine, added, statuses, rounds };
}

process.on('message', (message) => {
  if (message === 'go') {
    run().then(
      (result) => process.send?.(result, () => process.exit(0)),
      (error: unknown) => {
        process.send?.({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }, () => process.exit(1));
      },
    );
  }
});
process.send?.('ready');
