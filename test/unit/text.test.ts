/** Server text made one short clean line (finding 6). */
import * as assert from 'assert';
import { cleanOptional, cleanText } from '../../src/core/base/text';

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

describe('cleaning server text: the edges', () => {
  it('knows each range of control characters, and their neighbours', () => {
    const controls = [0x00, 0x1f, 0x7f, 0x9f, 0x200b, 0x200f, 0x2028, 0x202e, 0x2066, 0x2069, 0xfeff];
    const plain = [0x7e, 0xa0, 0x200a, 0x2010, 0x2027, 0x202f, 0x2065, 0x206a, 0xfefe, 0xff00];
    for (const c of controls) {
      assert.strictEqual(cleanText(`a${String.fromCharCode(c)}b`), 'a b', c.toString(16));
    }
    for (const c of plain) {
      const kept = c === 0x20 ? 'a b' : `a${String.fromCharCode(c)}b`;
      assert.strictEqual(cleanText(`a${String.fromCharCode(c)}b`), kept, c.toString(16));
    }
  });

  it('looks only at the head of a huge text (four times the limit)', () => {
    assert.strictEqual(cleanText('a' + ' '.repeat(40) + 'b', 10), 'a');
    assert.strictEqual(cleanText('a' + ' '.repeat(38) + 'b', 10), 'a b');
  });
});
