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

describe('redaction by value: a known secret in every form it is written in', () => {
  const SECRET = 'mySecret/Key+Value0123456789abcdef';
  const r = new Redactor();
  r.addSecret(SECRET);
  const b64 = (s: string): string => Buffer.from(s).toString('base64');
  const b64url = (s: string): string => Buffer.from(s).toString('base64url');
  /** No trace of the secret: as is, in any case, nor any six-character run of its base64. */
  const leaks = (out: string): boolean => {
    const flat = out.replace(/\s+/g, '').toLowerCase();
    if (flat.includes(SECRET.slice(0, 8).toLowerCase()) || flat.includes(SECRET.slice(-8).toLowerCase())) {
      return true;
    }
    return [0, 1, 2].some((pad) => {
      const core = b64('x'.repeat(pad) + SECRET).slice(4, -4);
      return out.replace(/\s+/g, '').includes(core.slice(8, 24));
    });
  };

  it('in upper and lower case, and mixed', () => {
    const out = r.redactString(`a ${SECRET.toUpperCase()} b ${SECRET.toLowerCase()} c mYsEcReT/kEy+VaLuE0123456789ABCDEF d`);
    assert.strictEqual(out, `a ${REDACTED} b ${REDACTED} c ${REDACTED} d`);
  });

  it('split by a line break (or the space a cleaned line leaves)', () => {
    for (const sep of ['\n', '\r\n', ' ', '\n  ']) {
      const out = r.redactString(`key ${SECRET.slice(0, 11)}${sep}${SECRET.slice(11)} end`);
      assert.strictEqual(out, `key ${REDACTED} end`, JSON.stringify(sep));
    }
  });

  it('in base64 and base64url, alone or inside a longer encoded text, at any alignment, wrapped or not', () => {
    for (const before of ['', 'a', 'ak:', 'ab:x']) {
      for (const encoded of [b64(before + SECRET + '!'), b64url(before + SECRET), b64(before + SECRET.toUpperCase())]) {
        const out = r.redactString(`Basic-ish ${encoded} end`);
        assert.ok(!leaks(out) && !out.includes(encoded), `${before}: ${out}`);
        assert.ok(out.includes(REDACTED) && out.endsWith(' end'), out);
      }
    }
    const wrapped = b64(`{"ak":"x","sk":"${SECRET}"}`).replace(/(.{16})/g, '$1\n');
    assert.ok(!leaks(r.redactString(wrapped)), 'wrapped at a line break');
  });

  it('URL-encoded, in either hex case, and encoded twice', () => {
    const once = encodeURIComponent(SECRET);
    for (const form of [once, once.toLowerCase(), encodeURIComponent(once)]) {
      assert.strictEqual(r.redactString(`q=${form}&x=1`), `q=${REDACTED}&x=1`, form);
    }
  });

  it('cut short: a long enough head of the secret before the ellipsis a cut leaves', () => {
    assert.strictEqual(r.redactString(`the key ${SECRET.slice(0, 12)}…`), `the key ${REDACTED}…`);
    assert.strictEqual(r.redactString(`the key ${SECRET.slice(0, 6)}\n…`), `the key ${REDACTED}\n…`);
    assert.strictEqual(r.redactString(`the key ${SECRET.slice(0, 5)}…`), `the key ${SECRET.slice(0, 5)}…`, 'too short to tell');
    assert.strictEqual(r.redactString(`the key ${SECRET.slice(0, 12)} and more`), `the key ${SECRET.slice(0, 12)} and more`, 'not cut: not the secret');
  });

  it('leaves ordinary text as it is', () => {
    const line = 'DescribeModel amv-g73j3faikzpz HTTP 200 requestId=0b2d4c1e-1111-2222-3333-444455556666 12 ms — Qianfan: bXlTZWNy, mySecret';
    assert.strictEqual(r.redactString(line), line);
  });
});

describe('redaction of fields named like secrets, and of header pairs', () => {
  it('masks accessKeySecret, apiKey, credential, private_key and their kin by name', () => {
    const secret = [
      'accessKeySecret',
      'access_key_secret',
      'client_secret',
      'apiKey',
      'api_key',
      'X-Api-Key',
      'credential',
      'credentials',
      'private_key',
      'privateKey',
      'passphrase',
      'dbPassword',
    ];
    const plain = ['accessKeyId', 'access_key_id', 'ak', 'modelId', 'apiVersion', 'keyId', 'publicKey', 'maxTokens', 'tokens'];
    const out = redact(Object.fromEntries([...secret, ...plain].map((k) => [k, 'v4lue']))) as Record<string, string>;
    assert.deepStrictEqual(
      secret.filter((k) => out[k] !== REDACTED),
      [],
    );
    assert.deepStrictEqual(
      plain.filter((k) => out[k] !== 'v4lue'),
      [],
    );
  });

  it('masks the same names written out as name=value or "name": "value"', () => {
    assert.strictEqual(redact('accessKeySecret=abc123 next'), `accessKeySecret=${REDACTED} next`);
    assert.strictEqual(redact('{"apiKey": "abc123", "x": 1}'), `{"apiKey": "${REDACTED}", "x": 1}`);
    assert.strictEqual(redact("private_key: 'abc123'"), `private_key: '${REDACTED}'`);
    assert.strictEqual(redact('credential=abc123&a=b'), `credential=${REDACTED}&a=b`);
    assert.strictEqual(redact('maxTokens=4096 accessKeyId=AK1'), 'maxTokens=4096 accessKeyId=AK1');
  });

  it('masks a private key block', () => {
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nIBAAKC\n-----END RSA PRIVATE KEY-----';
    assert.strictEqual(redact(`key ${pem} done`), `key ${REDACTED} done`);
    assert.strictEqual(redact('key -----BEGIN PRIVATE KEY----- MIIEow IBAAKC…'), `key ${REDACTED}`);
  });

  it('masks headers given as [name, value] pairs, and a flat raw list of names and values', () => {
    const pairs = [
      ['Authorization', 'bce-auth-v1/x'],
      ['host', 'qianfan.baidubce.com'],
      ['x-api-key', 'k'],
    ];
    assert.deepStrictEqual(redact(pairs), [
      ['Authorization', REDACTED],
      ['host', 'qianfan.baidubce.com'],
      ['x-api-key', REDACTED],
    ]);
    assert.deepStrictEqual(redact({ headers: ['Host', 'h', 'Cookie', 'c=1', 'X-Bce-Security-Token', 't'] }), {
      headers: ['Host', 'h', 'Cookie', REDACTED, 'X-Bce-Security-Token', REDACTED],
    });
    assert.deepStrictEqual(redact(['sk', 'token', 'x']), ['sk', REDACTED, 'x'], 'a name in a value position is a value');
  });
});

describe('redaction by name: the edges of the wider names', () => {
  it('a named secret given with a scheme keeps the scheme and loses the credentials', () => {
    assert.strictEqual(redact('clientSecret: Bearer abc123'), `clientSecret: Bearer ${REDACTED}`);
  });

  it('a value in a URL that names a secret inside the value of another name', () => {
    assert.strictEqual(redact('url=https://h/x?apiKey=abc123&b=1'), `url=https://h/x?apiKey=${REDACTED}&b=1`);
  });
});
