/** The download engine's small rules, case by case: stored partial downloads, export files, disk errors, URLs. */
import * as assert from 'assert';
import { DownloadError, diskCode, diskError } from '../../src/core/download/errors';
import { exportFileOf } from '../../src/core/download/exportFile';
import { PartialDownloadsStore, normalizePartial } from '../../src/core/download/partialStore';
import { checkDownloadUrl, urlForLog } from '../../src/core/download/url';
import { MemoryKeyValueStore } from '../../src/core/state/keyValueStore';

const MD5 = '0123456789abcdef0123456789abcdef';
const entry = { target: '/t/a.tar.gz', modelId: 'amv-a1b2c3d4', exportId: 'exp-1', fileName: 'a.tar.gz', md5: MD5, fileSize: 10, bytes: 4, updatedAt: 7 };

describe('download rules', () => {
  describe('a stored partial download', () => {
    it('keeps a good entry, lower-casing its md5 and keeping a finished one (bytes = size)', () => {
      assert.deepStrictEqual(normalizePartial(entry), entry);
      assert.deepStrictEqual(normalizePartial({ ...entry, md5: MD5.toUpperCase() }), entry);
      assert.deepStrictEqual(normalizePartial({ ...entry, bytes: 10 }), { ...entry, bytes: 10 });
      assert.deepStrictEqual(normalizePartial({ ...entry, bytes: 0, fileSize: 0 }), { ...entry, bytes: 0, fileSize: 0 });
    });

    it('drops empty optional names, and reads a missing or odd time as 0', () => {
      const { exportId: _e, fileName: _f, ...bare } = entry;
      assert.deepStrictEqual(normalizePartial({ ...entry, exportId: '', fileName: 5 }), bare);
      for (const updatedAt of [undefined, 'now', Number.NaN, Number.POSITIVE_INFINITY]) {
        assert.strictEqual(normalizePartial({ ...entry, updatedAt })?.updatedAt, 0, String(updatedAt));
      }
      assert.strictEqual(normalizePartial({ ...entry, updatedAt: -3.5 })?.updatedAt, -3.5);
    });

    it('keeps another .part name the engine gave (`<target> (n).part`), and no other file', () => {
      for (const n of [1, 7, 99]) {
        assert.deepStrictEqual(normalizePartial({ ...entry, part: `/t/a.tar.gz (${n}).part` }), { ...entry, part: `/t/a.tar.gz (${n}).part` });
      }
      assert.deepStrictEqual(normalizePartial({ ...entry, part: '/t/a.tar.gz.part' }), entry, 'the usual name is not stored');
      assert.deepStrictEqual(normalizePartial({ ...entry, part: undefined }), entry);
      for (const part of [
        '',
        5,
        '/etc/passwd',
        '/t/b.tar.gz (1).part',
        '/t/a.tar.gz (0).part',
        '/t/a.tar.gz (100).part',
        '/t/a.tar.gz (01).part',
        '/t/a.tar.gz (1).partx',
        '/t/a.tar.gz (1)/../x.part',
      ]) {
        assert.strictEqual(normalizePartial({ ...entry, part }), undefined, String(part));
      }
    });

    it('refuses what it cannot trust', () => {
      const bad: unknown[] = [
        undefined,
        null,
        'x',
        [entry],
        { ...entry, target: '' },
        { ...entry, target: 3 },
        { ...entry, modelId: '' },
        { ...entry, modelId: undefined },
        { ...entry, md5: 7 },
        { ...entry, md5: MD5.slice(1) },
        { ...entry, md5: `${MD5}0` },
        { ...entry, md5: `x${MD5.slice(1)}` },
        { ...entry, md5: `${MD5.slice(1)}g` },
        { ...entry, fileSize: -1 },
        { ...entry, fileSize: 1.5 },
        { ...entry, fileSize: '10' },
        { ...entry, fileSize: 2 ** 53 },
        { ...entry, bytes: -1 },
        { ...entry, bytes: 0.5 },
        { ...entry, bytes: 11 },
      ];
      for (const value of bad) {
        assert.strictEqual(normalizePartial(value), undefined, JSON.stringify(value));
      }
    });

    it('finds the newest partial download of an export (same version, same md5 in any case)', async () => {
      const store = new PartialDownloadsStore(new MemoryKeyValueStore());
      await store.put({ ...entry, target: '/old', updatedAt: 1 });
      await store.put({ ...entry, target: '/new', updatedAt: 9 });
      await store.put({ ...entry, target: '/mid', updatedAt: 5 });
      await store.put({ ...entry, target: '/other-model', modelId: 'amv-zzzzzzzz', updatedAt: 99 });
      await store.put({ ...entry, target: '/other-md5', md5: 'f'.repeat(32), updatedAt: 99 });
      assert.strictEqual(store.forExport(entry.modelId, MD5.toUpperCase())?.target, '/new');
      assert.strictEqual(store.forExport(entry.modelId, 'e'.repeat(32)), undefined);
      assert.strictEqual(store.get('/mid')?.updatedAt, 5);
      assert.strictEqual(store.get('/none'), undefined);
      assert.strictEqual(store.owner('/mid', entry.modelId, MD5.toUpperCase(), entry.fileSize)?.updatedAt, 5);
      for (const [modelId, md5, size] of [
        ['amv-zzzzzzzz', MD5, entry.fileSize],
        [entry.modelId, 'f'.repeat(32), entry.fileSize],
        [entry.modelId, MD5, entry.fileSize + 1],
      ] as const) {
        assert.strictEqual(store.owner('/mid', modelId, md5, size), undefined, `${modelId} ${md5} ${size}`);
      }
      await assert.rejects(store.put({ ...entry, md5: 'nope' }), /not a partial download entry/);
    });

    it('keeps one entry per .part: two downloads to one target live side by side, each forgotten alone', async () => {
      const store = new PartialDownloadsStore(new MemoryKeyValueStore());
      const other = { ...entry, md5: 'f'.repeat(32), part: `${entry.target} (1).part` };
      await store.put(entry);
      await store.put(other);
      await store.put({ ...other, bytes: 6 });
      assert.deepStrictEqual(store.list(), [entry, { ...other, bytes: 6 }]);
      await store.remove({ target: entry.target });
      assert.deepStrictEqual(store.list(), [{ ...other, bytes: 6 }]);
      await store.remove(other);
      assert.deepStrictEqual(store.list(), []);
    });
  });

  describe('the file of a finished export', () => {
    const done = {
      hasRecord: true,
      status: 'Done' as const,
      exportId: 'exp-1',
      fileName: 'a.tar.gz',
      downloadUrl: 'https://h/p',
      md5: MD5.toUpperCase(),
      fileSize: 0,
    };

    it('gives the fields the download needs, md5 in lower case (an empty file is a file)', () => {
      assert.deepStrictEqual(exportFileOf('amv-a1b2c3d4', done), {
        modelId: 'amv-a1b2c3d4',
        exportId: 'exp-1',
        fileName: 'a.tar.gz',
        fileSize: 0,
        md5: MD5,
        downloadUrl: 'https://h/p',
      });
    });

    it('an export that is not done: notReady, with its status', () => {
      const notReady = (task: Parameters<typeof exportFileOf>[1], text: RegExp) =>
        assert.throws(
          () => exportFileOf('amv-a1b2c3d4', task),
          (e: unknown) => e instanceof DownloadError && e.reason === 'notReady' && text.test(e.message),
        );
      notReady(undefined, /^the export of amv-a1b2c3d4 is not finished \(status none\)$/);
      notReady({ ...done, status: 'Doing' }, /\(status Doing\)$/);
      notReady({ ...done, hasRecord: false }, /is not finished \(status Done\)/);
      for (const missing of [
        { downloadUrl: '' },
        { downloadUrl: undefined },
        { md5: undefined },
        { md5: 'abc' },
        { md5: `${MD5}0` },
        { fileSize: undefined },
        { fileSize: 1.5 },
        { fileSize: -1 },
        { fileSize: 2 ** 53 },
      ]) {
        notReady({ ...done, ...missing }, /^the finished export of amv-a1b2c3d4 has no download URL, md5 or size$/);
      }
    });
  });

  describe('disk errors', () => {
    it('knows the file-system codes, and nothing else', () => {
      for (const code of [
        'ENOSPC',
        'EDQUOT',
        'EACCES',
        'EPERM',
        'EROFS',
        'EISDIR',
        'ENOTDIR',
        'ENOENT',
        'EIO',
        'EFBIG',
        'EMFILE',
        'ENAMETOOLONG',
        'EBUSY',
        'ELOOP',
      ]) {
        assert.strictEqual(diskCode(Object.assign(new Error('x'), { code })), code);
      }
      [new Error('x'), Object.assign(new Error('x'), { code: 'ECONNRESET' }), { code: 28 }, null, undefined, 'ENOSPC'].forEach((error, i) => {
        assert.strictEqual(diskCode(error), undefined, `case ${i}`);
      });
    });

    it('says what went wrong in words, with the code, the path and whether the .part is kept', () => {
      const cases: [string, string][] = [
        ['ENOSPC', 'the disk is full'],
        ['EDQUOT', 'the disk quota is used up'],
        ['EACCES', 'permission denied'],
        ['EPERM', 'permission denied'],
        ['EROFS', 'the file system is read-only'],
        ['ENOENT', 'the folder does not exist'],
        ['ELOOP', 'it is a link, and a download never writes through one'],
        ['EISDIR', 'EISDIR'],
      ];
      for (const [code, words] of cases) {
        const cause = Object.assign(new Error('raw'), { code });
        const e = diskError('write', '/t/a.part', cause, true);
        assert.strictEqual(e.reason, 'disk');
        assert.strictEqual(e.message, `could not write /t/a.part: ${words}`);
        assert.deepStrictEqual(e.detail, { code, partKept: true, path: '/t/a.part' });
        assert.strictEqual(e.cause, cause);
        assert.strictEqual(e.name, 'DownloadError');
      }
      const unknown = diskError('create', '/t/b.part', new Error('odd'), false);
      assert.strictEqual(unknown.message, 'could not create /t/b.part: EIO');
      assert.deepStrictEqual(unknown.detail, { code: 'EIO', partKept: false, path: '/t/b.part' });
      assert.strictEqual(new DownloadError('http', 'm').cause, undefined);
      assert.deepStrictEqual(new DownloadError('http', 'm').detail, {});
    });
  });

  describe('download URLs', () => {
    it('plain http on every loopback name, https anywhere; the reason names the scheme and host', () => {
      for (const ok of ['http://localhost:1/a', 'http://[::1]:1/a', 'http://127.1.2.3/a', 'https://example.com/a']) {
        assert.ok(checkDownloadUrl(ok) instanceof URL, ok);
      }
      assert.throws(
        () => checkDownloadUrl('http://example.com:8080/a'),
        (e: unknown) => e instanceof DownloadError && e.message === 'the download URL must use https, not http: (example.com:8080)',
      );
      for (const [bad, text] of [
        ['https://user@example.com/a', 'the download URL must not carry a user name or password'],
        ['https://:pw@example.com/a', 'the download URL must not carry a user name or password'],
        ['::', 'the download URL is not a URL'],
      ]) {
        assert.throws(
          () => checkDownloadUrl(bad),
          (e: unknown) => e instanceof DownloadError && e.reason === 'badUrl' && e.message === text,
          bad,
        );
      }
      assert.strictEqual(urlForLog('::'), '(not a URL)');
      assert.strictEqual(urlForLog('http://127.0.0.1:9/a/b?sig=1'), '127.0.0.1:9/a/b');
    });
  });
});
