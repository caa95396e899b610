/** Finding 6: the redactor covers every form of credential the review found. */
import * as assert from 'assert';
import { REDACTED, Redactor, redact } from '../../src/core/base/redact';

const SIG = '420152e400cd6ade856b31ca2eea8ef4c0fe0c4b77db35740a0ddbeeb4a93254';

describe('finding 6: the redactor', () => {
  it('masks an upper-case BCE-AUTH-V1 signature', () => {
    const out = redact(`BCE-AUTH-V1/myAccessKey/2024-01-01T00:00:00Z/1800/host;x-bce-date/${SIG.toUpperCase()}`);
    assert.strictEqual(out, `BCE-AUTH-V1/myAccessKey/2024-01-01T00:00:00Z/1800/host;x-bce-date/${REDACTED}`);
  });

  it('masks a URL-encoded bce-auth-v1 signature', () => {
    const out = redact(`https://bj.bcebos.com/f.tar.gz?authorization=bce-auth-v1%2Fak%2F2024-01-01T00%3A00%3A00Z%2F1800%2Fhost%2F${SIG}&x=1`);
    assert.strictEqual(out, `https://bj.bcebos.com/f.tar.gz?authorization=bce-auth-v1%2Fak%2F2024-01-01T00%3A00%3A00Z%2F1800%2Fhost%2F${REDACTED}&x=1`);
  });

  it('leaves a bce-auth-v1 prefix with no signature as it is', () => {
    assert.strictEqual(redact('sign with bce-auth-v1/ak/ts'), 'sign with bce-auth-v1/ak/ts');
  });

  it('masks x-bce-security-token, access_token and other tokens', () => {
    assert.strictEqual(redact('x-bce-security-token: ZjkyOTM0ZjQ5NTk'), `x-bce-security-token: ${REDACTED}`);
    assert.strictEqual(redact('GET /v1?access_token=24.abc.def&x=1'), `GET /v1?access_token=${REDACTED}&x=1`);
    assert.strictEqual(redact('{"sessionToken":"s3cr3t"}'), `{"sessionToken":"${REDACTED}"}`);
  });

  it('masks Bearer bce-v3 keys, a bare bce-v3 key, and Basic credentials', () => {
    assert.strictEqual(redact('Authorization: Bearer bce-v3/ALTAK-abc123/def456'), `Authorization: Bearer ${REDACTED}`);
    assert.strictEqual(redact('key bce-v3/ALTAK-abc123/def456 used'), `key bce-v3/${REDACTED} used`);
    assert.strictEqual(redact('Proxy-Authorization: Basic dXNlcjpwYXNz'), `Proxy-Authorization: Basic ${REDACTED}`);
  });

  it('masks proxy-authorization and authorization values of no known scheme', () => {
    assert.strictEqual(redact('proxy-authorization=opaque123'), `proxy-authorization=${REDACTED}`);
    assert.strictEqual(redact('authorization: opaque123'), `authorization: ${REDACTED}`);
  });

  it('masks credentials inside URLs', () => {
    assert.strictEqual(redact('via http://user:p4ss@proxy.local:8080/'), `via http://${REDACTED}@proxy.local:8080/`);
    assert.strictEqual(redact('https://qianfan.baidubce.com/a?b=c@d'), 'https://qianfan.baidubce.com/a?b=c@d');
  });

  it('masks any 64-digit hex run (a signature or signing key) but not an md5', () => {
    assert.strictEqual(redact(`key ${SIG}.`), `key ${REDACTED}.`);
    assert.strictEqual(redact('md5 0123456789abcdef0123456789abcdef'), 'md5 0123456789abcdef0123456789abcdef');
  });

  it('masks a remembered secret also when it is URL-encoded', () => {
    const r = new Redactor();
    r.addSecret('my/Secret+Key=1');
    assert.strictEqual(r.redactString(`q=${encodeURIComponent('my/Secret+Key=1')}`), `q=${REDACTED}`);
  });

  it('masks token, cookie and proxy-authorization fields by name', () => {
    const out = redact({ 'Proxy-Authorization': 'Basic x', access_token: 't', Cookie: 'c', refreshToken: 'r', host: 'h' });
    assert.deepStrictEqual(out, { 'Proxy-Authorization': REDACTED, access_token: REDACTED, Cookie: REDACTED, refreshToken: REDACTED, host: 'h' });
  });
});

describe('the redactor: the edges', () => {
  it('remembers only secrets of six characters or more', () => {
    const r = new Redactor();
    r.addSecret('abcde');
    r.addSecret('ABCDEF');
    r.addSecret(undefined);
    r.addSecret('');
    assert.strictEqual(r.redactString('abcde ABCDEF'), `abcde ${REDACTED}`);
    assert.strictEqual(REDACTED, '[REDACTED]');
  });

  it('masks every secret-looking name', () => {
    for (const name of [
      'secret_key',
      'secret-access-key',
      'secret_access_key',
      'secretaccesskey',
      'secretKey',
      'sk',
      'signature',
      'signingKey',
      'password',
      'passwd',
      'security_token',
      'session-token',
      'access-token',
      'refresh_token',
      'id_token',
      'x-bce-security-token',
      'proxy-authorization',
    ]) {
      assert.strictEqual(redact(`${name}=v4lue`), `${name}=${REDACTED}`, name);
    }
    assert.strictEqual(redact('task=v4lue'), 'task=v4lue');
  });

  it('masks credentials after more than one space, and a URL at the very start', () => {
    assert.strictEqual(redact('Bearer  tok3n'), `Bearer  ${REDACTED}`);
    assert.strictEqual(redact('http://u:p@h/'), `http://${REDACTED}@h/`);
  });

  it('masks a signature with mixed separators', () => {
    assert.strictEqual(redact(`bce-auth-v1/ak%2Fts/1800%2Fhost/${SIG}`), `bce-auth-v1/ak%2Fts/1800%2Fhost/${REDACTED}`);
  });

  it('leaves empty secret fields as they are', () => {
    assert.deepStrictEqual(redact({ password: '', token: null, secret: undefined, sk: 0 }), { password: '', token: null, secret: undefined, sk: REDACTED });
  });

  it('knows secret field names exactly', () => {
    const secret = ['secret', 'mysecretkey', 'db_secret_key', 'Set-Cookie', 'AUTHORIZATION', 'signingKey', 'passwd', 'pageToken', 'mysecret'];
    const plain = ['authorizationx', 'xsk', 'skx', 'cookies', 'signatures', 'passwords', 'tokens'];
    const out = redact(Object.fromEntries([...secret, ...plain].map((k) => [k, 'v']))) as Record<string, string>;
    assert.deepStrictEqual(
      secret.filter((k) => out[k] !== REDACTED),
      [],
    );
    assert.deepStrictEqual(
      plain.filter((k) => out[k] !== 'v'),
      [],
    );
  });
});
