/** Server text made one short clean line (finding 6). */
import * as assert from 'assert';
import { cleanOptional, cleanText } from '../../src/core/text';

describe('finding 6: cleaning server text', () => {
  it('turns control characters into single spaces and trims', () => {
    assert.strictEqual(cleanText('\u0000a\u0001\u0002b\u007f\u0085c\u200bd\u2028e\ufeff '), 'a b c d e');
    assert.strictEqual(cleanText('  a   b  '), 'a b');
  });

  it('keeps text up to the limit whole, and cuts longer text with an ellipsis', () => {
    assert.strictEqual(cleanText('abcde', 5), 'abcde');
    assert.strictEqual(cleanText('abcdef', 5), 'abcd…');
    assert.strictEqual(cleanText('abc  def', 5), 'abc…');
    assert.strictEqual(cleanText('x'.repeat(300)).length, 300);
    assert.strictEqual(cleanText('x'.repeat(301)).length, 300);
    assert.strictEqual(cleanText('中文消息'), '中文消息');
  });

  it('gives undefined for nothing left', () => {
    assert.strictEqual(cleanOptional(undefined), undefined);
    assert.strictEqual(cleanOptional('\u0000 '), undefined);
    assert.strictEqual(cleanOptional('ab', 1), '…');
  });
});
