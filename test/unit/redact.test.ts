import * as assert from 'assert';
import { REDACTED, Redactor, redact } from '../../src/core/base/redact';

const SK = 'mySecretKeyValue0123456789abcdef';
const AUTH = 'bce-auth-v1/myAccessKey/2024-01-01T00:00:00Z/1800/host;x-bce-date/420152e400cd6ade856b31ca2eea8ef4c0fe0c4b77db35740a0ddbeeb4a93254';

describe('redaction', () => {
  it('removes the signature from an Authorization value and keeps the rest', () => {
    const out = redact(`sent Authorization: ${AUTH} ok`);
    assert.strictEqual(out, `sent Authorization: bce-auth-v1/myAccessKey/2024-01-01T00:00:00Z/1800/host;x-bce-date/${REDACTED} ok`);
  });

  it('removes a remembered secret wherever it appears', () => {
    const r = new Redactor();
    r.addSecret(SK);
    assert.strictEqual(r.redactString(`key=${SK}; again ${SK}`), `key=${REDACTED}; again ${REDACTED}`);
    r.forgetSecrets();
    assert.ok(r.redactString(SK).includes(SK));
  });

  it('removes secret-looking assignments even when the value is unknown', () => {
    assert.strictEqual(redact('secretKey=abc123def456 next'), `secretKey=${REDACTED} next`);
    assert.strictEqual(redact('{"secretAccessKey": "zzz"}'), `{"secretAccessKey": "${REDACTED}"}`);
  });

  it('walks objects, arrays and errors, masking secret fields by name', () => {
    const r = new Redactor();
    r.addSecret(SK);
    const input = {
      headers: { Authorization: AUTH, host: 'qianfan.baidubce.com' },
      creds: { accessKeyId: 'myAccessKey', secretAccessKey: SK },
      list: [`x ${SK}`, 3, null],
      error: new Error(`failed with ${SK}`),
    };
    const out = r.redact(input) as unknown as Record<string, Record<string, unknown>>;
    assert.strictEqual(out.headers.Authorization, REDACTED);
    assert.strictEqual(out.headers.host, 'qianfan.baidubce.com');
    assert.strictEqual(out.creds.accessKeyId, 'myAccessKey');
    assert.strictEqual(out.creds.secretAccessKey, REDACTED);
    assert.deepStrictEqual(out.list, [`x ${REDACTED}`, 3, null]);
    assert.strictEqual(out.error, `Error: failed with ${REDACTED}`);
    assert.ok(!JSON.stringify(out).includes(SK));
    assert.ok(JSON.stringify(input).includes(SK), 'the input is not changed');
  });

  it('copes with cycles', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    assert.deepStrictEqual(redact(a), { name: 'a', self: '[Circular]' });
  });
});
