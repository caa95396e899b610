/** Issue 31 (1): the log at the right levels, read from a fake channel; and nothing secret reaches it (issue 30 (8)). */
import * as assert from 'assert';
import { REDACTED, Redactor } from '../../src/core/base/redact';
import { QianfanError } from '../../src/core/qianfan/errors';
import { type RequestLogEntry } from '../../src/core/qianfan/requestRunner';
import { LOG_LEVEL_DEBUG, LOG_LEVEL_OFF, Log, type LogSink, describeError } from '../../src/platform/log';

type Level = 'debug' | 'info' | 'warn' | 'error';

/** A LogOutputChannel's writing half that remembers each line with its level. */
class FakeChannel implements LogSink {
  readonly lines: { level: Level; text: string }[] = [];
  constructor(public logLevel?: number) {}
  debug(text: string): void {
    this.lines.push({ level: 'debug', text });
  }
  info(text: string): void {
    this.lines.push({ level: 'info', text });
  }
  warn(text: string): void {
    this.lines.push({ level: 'warn', text });
  }
  error(text: string): void {
    this.lines.push({ level: 'error', text });
  }
}

const SK = '7d1c0b8e5f2a4c6d9e3b1a0f8c7d6e5b';
const entry = (outcome: RequestLogEntry['outcome'], more: Partial<RequestLogEntry> = {}): RequestLogEntry => ({
  action: 'DescribeModel',
  target: 'amv-g73j3faikzpz',
  attempt: 0,
  status: 200,
  requestId: 'rid-1',
  ms: 12,
  outcome,
  ...more,
});

describe('the log at the right levels', () => {
  it('a successful request at Debug, a cancelled one at Debug, a retry at Warning, a failure at Error', () => {
    const channel = new FakeChannel(LOG_LEVEL_DEBUG);
    const log = new Log(new Redactor(), channel);
    log.request(entry('ok'));
    log.request(entry('cancelled', { status: undefined, requestId: undefined }));
    log.request(entry('retry', { status: 503, attempt: 1, error: 'DescribeModel HTTP 503: busy' }));
    log.request(entry('error', { status: 400, error: 'DescribeModel HTTP 400 InvalidRequest: no' }));
    log.info('Tracked m / V1 (amv-g73j3faikzpz)');
    assert.deepStrictEqual(channel.lines, [
      { level: 'debug', text: 'DescribeModel amv-g73j3faikzpz HTTP 200 requestId=rid-1 12 ms' },
      { level: 'debug', text: 'DescribeModel amv-g73j3faikzpz no-status requestId=- 12 ms (cancelled)' },
      { level: 'warn', text: 'DescribeModel amv-g73j3faikzpz HTTP 503 requestId=rid-1 12 ms attempt 2 — DescribeModel HTTP 503: busy (will retry)' },
      { level: 'error', text: 'DescribeModel amv-g73j3faikzpz HTTP 400 requestId=rid-1 12 ms — DescribeModel HTTP 400 InvalidRequest: no' },
      { level: 'info', text: 'Tracked m / V1 (amv-g73j3faikzpz)' },
    ]);
  });

  it('below Debug (the default Info, or Off) a request line is not even put together; the rest goes as before', () => {
    for (const level of [3, 4, LOG_LEVEL_OFF]) {
      const channel = new FakeChannel(level);
      const log = new Log(new Redactor(), channel);
      let built = 0;
      log.request(entry('ok'));
      log.debug(() => `built ${++built}`);
      log.warn('w');
      assert.deepStrictEqual(channel.lines, [{ level: 'warn', text: 'w' }], String(level));
      assert.strictEqual(built, 0);
    }
    const trace = new FakeChannel(1);
    new Log(new Redactor(), trace).request(entry('ok'));
    assert.strictEqual(trace.lines.length, 1, 'Trace shows Debug lines too');
  });

  it('every level passes the redactor with the known keys', () => {
    const channel = new FakeChannel(LOG_LEVEL_DEBUG);
    const redactor = new Redactor();
    redactor.addSecret(SK);
    const log = new Log(redactor, channel);
    const b64 = Buffer.from(`ak:${SK}`).toString('base64');
    log.debug(`d ${SK.toUpperCase()}`);
    log.info(`i ${b64}`);
    log.warn(`w ${SK.slice(0, 16)}\n${SK.slice(16)}`);
    log.request(entry('error', { error: `echo ${encodeURIComponent(SK)}` }));
    log.error('e', new Error(`${'x'.repeat(285)}${SK}`));
    const text = channel.lines.map((l) => l.text).join('\n');
    for (const form of [SK, SK.toUpperCase(), b64, SK.slice(0, 6), SK.slice(16, 24)]) {
      assert.ok(!text.includes(form), `${form} in ${text}`);
    }
    assert.strictEqual(channel.lines.filter((l) => l.text.includes(REDACTED)).length, 4, text);
    assert.match(channel.lines[4].text, /x\[REDA[A-Z]*…$/, 'an error cut short is cut after the redactor');
  });

  it('lines logged before the channel is there (activation) wait, then go in order at their levels, redacted with the keys known then', () => {
    class LateLog extends Log {
      open(sink: LogSink): void {
        this.attach(sink);
      }
    }
    const redactor = new Redactor();
    const log = new LateLog(redactor);
    let built = 0;
    log.info('activated');
    log.debug(() => `request ${++built}`);
    log.warn(`w ${SK}`);
    log.error('e', new Error('boom'));
    assert.strictEqual(built, 0, 'nothing is put together before there is somewhere to write it');
    redactor.addSecret(SK); // the keys are read once activation is over
    const channel = new FakeChannel(3); // Info: the debug line is dropped, not even built
    log.open(channel);
    assert.deepStrictEqual(channel.lines, [
      { level: 'info', text: 'activated' },
      { level: 'warn', text: `w ${REDACTED}` },
      { level: 'error', text: 'e: Error: boom' },
    ]);
    assert.strictEqual(built, 0);
    log.info('after');
    log.open(new FakeChannel(LOG_LEVEL_DEBUG)); // a second sink changes nothing
    assert.deepStrictEqual(channel.lines.at(-1), { level: 'info', text: 'after' }, 'written at once once open');
  });

  it('describes an error in one line: a QianfanError by its own words, anything else cut short', () => {
    const q = new QianfanError({ kind: 'api', action: 'DescribeModel', status: 400, code: 'X', message: 'no', requestId: 'r1' });
    assert.strictEqual(describeError(q), 'DescribeModel HTTP 400 X: no (requestId r1)');
    assert.strictEqual(describeError(new TypeError('a\nb')), 'TypeError: a b');
    assert.strictEqual(describeError('plain'), 'plain');
  });
});
