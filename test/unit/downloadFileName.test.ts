/** A download's default file name: the model and version a user knows, safe on every file system. */
import * as assert from 'assert';
import { archiveExtension, downloadFileName } from '../../src/core/download/fileName';

describe("a download's default file name", () => {
  it("is the model and the version, with the export file's extension", () => {
    assert.strictEqual(downloadFileName('customer-support-zh', 'V3', 'amv-g73j3faikzpz', 'amv-g73j3faikzpz-exp-1a2b.tar.gz'), 'customer-support-zh-V3.tar.gz');
    assert.strictEqual(downloadFileName('news', 'V1', 'amv-x', 'model.zip'), 'news-V1.zip');
    assert.strictEqual(downloadFileName('news', 'V1', 'amv-x', undefined), 'news-V1.tar.gz');
  });

  it('keeps names in any script and makes the rest safe: separators, reserved characters, spaces, control characters', () => {
    assert.strictEqual(downloadFileName('客服 模型', 'V2', 'amv-x'), '客服-模型-V2.tar.gz');
    assert.strictEqual(downloadFileName('a/b\\c:d*e?f"g<h>i|j', 'V1', 'amv-x'), 'a-b-c-d-e-f-g-h-i-j-V1.tar.gz');
    assert.strictEqual(downloadFileName('../../etc', 'V1\u0000\n', 'amv-x'), 'etc-V1.tar.gz');
    assert.strictEqual(downloadFileName('  spaced   out  ', ' V 4 ', 'amv-x'), 'spaced-out-V-4.tar.gz');
  });

  it('the version ID stands in for what is not known; never empty, never a device name, never too long', () => {
    assert.strictEqual(downloadFileName(undefined, undefined, 'amv-g73j3faikzpz'), 'amv-g73j3faikzpz.tar.gz');
    assert.strictEqual(downloadFileName('news', '', 'amv-g73j3faikzpz'), 'news-amv-g73j3faikzpz.tar.gz');
    assert.strictEqual(downloadFileName('...', '..', 'amv-q'), 'amv-q.tar.gz');
    assert.strictEqual(downloadFileName('CON', undefined, ''), '_CON.tar.gz');
    const long = downloadFileName('m'.repeat(300), 'V1', 'amv-x');
    assert.ok(long.length <= 130 && long.endsWith('.tar.gz'), long);
  });

  it("the extension comes from the export's file name", () => {
    assert.strictEqual(archiveExtension('x/y/amv-1-exp-2.TAR.GZ'), '.tar.gz');
    assert.strictEqual(archiveExtension('weights.tgz'), '.tgz');
    assert.strictEqual(archiveExtension('noext'), '.tar.gz');
  });
});
