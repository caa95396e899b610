/**
 * Run by test/unit/bodyEnds.test.ts in a mocha of its own (not a unit test itself): beside a test
 * that passes and one that fails by its assertion, a test failed at once by an uncaught error
 * while its body goes on, as under a mutant of the download engine. QIANFAN_BODY_ENDS=1 installs
 * bodiesEndInTheirTest; without it, the body ends after the run.
 */
import * as assert from 'assert';
import { bodiesEndInTheirTest } from './bodyEnds';

describe('a body that outlives its test', function () {
  this.timeout(5000);
  if (process.env.QIANFAN_BODY_ENDS === '1') {
    bodiesEndInTheirTest();
  }
  let closed = false;
  beforeEach(() => {
    closed = false;
  });
  afterEach(() => {
    closed = true; // as the download harness stops its emulator
  });

  it('passes', async () => {
    await new Promise((r) => setTimeout(r, 10));
    assert.ok(!closed);
  });

  it('fails by its assertion', async () => {
    await new Promise((r) => setTimeout(r, 10));
    assert.fail('its own failure');
  });

  it('fails at once from an uncaught error, while its body goes on', async () => {
    setTimeout(() => {
      throw new Error('thrown by a listener, outside the body');
    }, 0);
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(!closed, 'what the body uses was closed under it');
  });
});
