/**
 * The store's folder under faults: a write that fails half-way, temporary files left by a crash,
 * a lock left by a window that died whose time is ahead of this machine's clock (or behind it),
 * and a list file that cannot be read while this window holds a newer list than the copy the
 * move from globalState left.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { NodeStoreFs } from '../../src/platform/nodeStoreFs';
import { tempFolder } from './fileStoreSupport';

const files = (folder: string) => fs.readdirSync(folder).sort();

/** `fs.promises.open` replaced for one test: the handle's writes fail with `code` (a full disk, an I/O error). */
function failingWrites(code: string): { restore(): void } {
  const promises = fs.promises as { open: typeof fs.promises.open };
  const open = promises.open;
  promises.open = (async (...args: Parameters<typeof fs.promises.open>) => {
    const handle = await open(...args);
    const fail = () => Promise.reject(Object.assign(new Error(`${code}: simulated`), { code }));
    return Object.assign(Object.create(handle) as typeof handle, {
      writeFile: fail,
      write: fail,
      sync: () => handle.sync(),
      close: () => handle.close(),
    });
  }) as typeof fs.promises.open;
  return { restore: () => (promises.open = open) };
}

describe('file store under faults', () => {
  describe('no litter', () => {
    for (const code of ['ENOSPC', 'EIO']) {
      it(`a whole write that fails with ${code} removes its temporary file and leaves the old file`, async () => {
        const folder = tempFolder();
        const store = new NodeStoreFs(folder);
        await store.writeWhole('L.json', new TextEncoder().encode('old'));
        const stub = failingWrites(code);
        try {
          for (let i = 0; i < 3; i++) {
            await assert.rejects(store.writeWhole('L.json', new TextEncoder().encode('new')), { code });
          }
        } finally {
          stub.restore();
        }
        assert.deepStrictEqual(files(folder), ['L.json'], 'no .tmp left, one retry after another');
        assert.strictEqual(fs.readFileSync(path.join(folder, 'L.json'), 'utf8'), 'old');
      });
    }
  });
});
