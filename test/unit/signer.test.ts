import * as assert from 'assert';
import {
  BceSigner,
  canonicalHeaders,
  canonicalQueryString,
  formatBceTimestamp,
  signingKeyFor,
  uriEncode,
  uriEncodeExceptSlash,
} from '../../src/core/qianfan/signer';

const A32 = 'a'.repeat(32);
const B32 = 'b'.repeat(32);

/** The inputs of the documented worked example (BOS UploadPart, 生成认证字符串). */
const uploadPart = {
  method: 'PUT',
  path: '/v1/test/myfolder/readme.txt',
  query: { partNumber: '9', uploadId: 'a44cc9bab11cbd156984767aad637851' },
  headers: {
    Host: 'bj.bcebos.com',
    Date: 'Mon, 27 Apr 2015 16:23:49 +0800',
    'Content-Type': 'text/plain',
    'Content-Length': 8,
    'Content-Md5': 'NFzcPqhviddjRNnSOGo4rw==',
    'x-bce-date': '2015-04-27T08:23:49Z',
  },
  timestampSeconds: 1430123029,
  expirationSeconds: 1800,
};

describe('signer: official vectors', () => {
  it('formats the signing time as yyyy-mm-ddThh:mm:ssZ', () => {
    assert.strictEqual(formatBceTimestamp(1430123029), '2015-04-27T08:23:49Z');
    assert.strictEqual(formatBceTimestamp(1430123029.9), '2015-04-27T08:23:49Z');
  });

  it('A: derives the documented signing key', () => {
    assert.strictEqual(signingKeyFor(B32, `bce-auth-v1/${A32}/2015-04-27T08:23:49Z/1800`), '1d5ce5f464064cbee060330d973218821825ac6952368a482a592e6615aef479');
  });

  it('A: signs the worked example with the default headers', () => {
    const r = new BceSigner({ accessKeyId: A32, secretAccessKey: B32 }).sign(uploadPart);
    assert.strictEqual(
      r.canonicalRequest,
      [
        'PUT',
        '/v1/test/myfolder/readme.txt',
        'partNumber=9&uploadId=a44cc9bab11cbd156984767aad637851',
        'content-length:8',
        'content-md5:NFzcPqhviddjRNnSOGo4rw%3D%3D',
        'content-type:text%2Fplain',
        'host:bj.bcebos.com',
        'x-bce-date:2015-04-27T08%3A23%3A49Z',
      ].join('\n'),
    );
    assert.strictEqual(
      r.authorization,
      `bce-auth-v1/${A32}/2015-04-27T08:23:49Z/1800/content-length;content-md5;content-type;host;x-bce-date/` +
        'd74a04362e6a848f5b39b15421cb449427f419c95a480fd6b8cf9fc783e2999e',
    );
  });

  it('A: signs the worked example with host;x-bce-date', () => {
    const r = new BceSigner({ accessKeyId: A32, secretAccessKey: B32 }).sign({ ...uploadPart, headersToSign: ['host', 'x-bce-date'] });
    assert.ok(r.authorization.endsWith('/1800/host;x-bce-date/1b8de5a23a56eef657c69f94c621e7acd227d049a4ba577f537d5e5cebf0cf32'));
  });

  it('A: signs the worked example without a query', () => {
    const r = new BceSigner({ accessKeyId: A32, secretAccessKey: B32 }).sign({ ...uploadPart, query: {} });
    assert.ok(r.authorization.endsWith('/0558aac491bbef484d3aaa30ac1e65d4ff10daccd351f15c91e922ee4ce72690'));
  });

  it('B: bce-sdk-js generateAuthorization #1', () => {
    const r = new BceSigner({ accessKeyId: 'my_ak', secretAccessKey: 'my_sk' }).sign({
      method: 'PUT',
      path: '/v1/bucket/object1',
      query: { A: null, b: '', C: 'd' },
      headers: { Host: 'bce.baidu.com', abc: '123', 'x-bce-meta-key1': 'ABC' },
      timestampSeconds: 1402639056,
      expirationSeconds: 1800,
    });
    assert.strictEqual(r.canonicalRequest, 'PUT\n/v1/bucket/object1\nA=&C=d&b=\nhost:bce.baidu.com\nx-bce-meta-key1:ABC');
    assert.strictEqual(
      r.authorization,
      'bce-auth-v1/my_ak/2014-06-13T05:57:36Z/1800/host;x-bce-meta-key1/80c9672aca2ea9af4bb40b9a8ff458d72df94e97d550840727f3a929af271d25',
    );
  });

  it('B: bce-sdk-js generateAuthorization #2 (no query, default headers)', () => {
    const r = new BceSigner({ accessKeyId: 'my_ak', secretAccessKey: 'my_sk' }).sign({
      method: 'DELETE',
      path: '/v1/test-bucket1361199862',
      headers: { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': 0, 'User-Agent': 'This is the user-agent' },
      timestampSeconds: 1402639056,
    });
    assert.strictEqual(
      r.authorization,
      'bce-auth-v1/my_ak/2014-06-13T05:57:36Z/1800/content-length;content-type/c9386b15d585960ae5e6972f73ed92a9a682dc81025480ba5b41206d3e489822',
    );
  });

  it('B: canonicalizes headers, query and strings as bce-sdk-js does', () => {
    assert.strictEqual(
      canonicalHeaders({ Host: 'localhost', 'x-bce-a': 'a/b:c', C: '', 'Content-MD5': 'MD5' }).text,
      'content-md5:MD5\nhost:localhost\nx-bce-a:a%2Fb%3Ac',
    );
    assert.strictEqual(uriEncode("!'()*this is an example for 测试"), '%21%27%28%29%2Athis%20is%20an%20example%20for%20%E6%B5%8B%E8%AF%95');
    assert.strictEqual(canonicalQueryString({ A: 'A', B: null, C: '' }), 'A=A&B=&C=');
  });

  it('documented encoding examples', () => {
    assert.strictEqual(uriEncodeExceptSlash('/example/测试'), '/example/%E6%B5%8B%E8%AF%95');
    assert.strictEqual(uriEncodeExceptSlash(''), '/');
    assert.strictEqual(canonicalQueryString({ text: null, text1: '测试', text10: 'test' }), 'text10=test&text1=%E6%B5%8B%E8%AF%95&text=');
    assert.strictEqual(canonicalQueryString({ authorization: 'x', Authorization: 'y', a: 'b' }), 'a=b');
    assert.strictEqual(uriEncode('Mon, 27 Apr 2015 16:23:49 +0800'), 'Mon%2C%2027%20Apr%202015%2016%3A23%3A49%20%2B0800');
    assert.strictEqual(uriEncode('a~b-c.d_e'), 'a~b-c.d_e');
  });

  it('C: Qianfan-shaped request, host;x-bce-date and the JS SDK set', () => {
    const signer = new BceSigner({ accessKeyId: A32, secretAccessKey: B32 });
    const base = {
      method: 'POST',
      path: '/v2/model',
      query: { Action: 'DescribeCustomModelSets' },
      headers: { Host: 'qianfan.baidubce.com', 'Content-Type': 'application/json', 'Content-Length': 14, 'x-bce-date': '2024-01-01T00:00:00Z' },
      timestampSeconds: Date.parse('2024-01-01T00:00:00Z') / 1000,
      expirationSeconds: 1800,
    };
    const ours = signer.sign({ ...base, headersToSign: ['host', 'x-bce-date'] });
    assert.strictEqual(
      ours.canonicalRequest,
      'POST\n/v2/model\nAction=DescribeCustomModelSets\nhost:qianfan.baidubce.com\nx-bce-date:2024-01-01T00%3A00%3A00Z',
    );
    assert.ok(ours.authorization.endsWith('/1800/host;x-bce-date/420152e400cd6ade856b31ca2eea8ef4c0fe0c4b77db35740a0ddbeeb4a93254'));
    const sdkStyle = signer.sign(base);
    assert.ok(sdkStyle.authorization.endsWith('/content-length;content-type;host;x-bce-date/82afa6da3e0c75dc253ae068c2489bcf4b66f4256ef819f57b3824701463d515'));
    assert.strictEqual(signingKeyFor(B32, `bce-auth-v1/${A32}/2024-01-01T00:00:00Z/1800`), 'e01e536eeff4b1c72d3481fc96795e2d6d057d5ef459a228f4c30b09de62c943');
  });

  it('re-derives the signing key when the second changes', () => {
    const signer = new BceSigner({ accessKeyId: A32, secretAccessKey: B32 });
    const one = signer.sign({ ...uploadPart });
    const two = signer.sign({ ...uploadPart, timestampSeconds: uploadPart.timestampSeconds + 1 });
    const again = signer.sign({ ...uploadPart });
    assert.notStrictEqual(one.authorization, two.authorization);
    assert.strictEqual(one.authorization, again.authorization);
  });
});
