/** The walkthrough's completion state: the context keys each step waits for, and the remembered flag. */
import * as assert from 'assert';
import { MemoryKeyValueStore } from '../../src/core/state/keyValueStore';
import { ACTED_KEY, ActedFlag, WALKTHROUGH_KEYS, walkthroughContext } from '../../src/core/state/walkthrough';

describe('the walkthrough completes by state', () => {
  it('each step has its key, true once its state is reached, however it was reached', () => {
    assert.deepStrictEqual(walkthroughContext({ hasCredentials: false, trackedCount: 0, acted: false }), {
      'qianfan.hasCredentials': false,
      'qianfan.hasTracked': false,
      'qianfan.hasActedOnVersion': false,
    });
    assert.deepStrictEqual(walkthroughContext({ hasCredentials: true, trackedCount: 1, acted: true }), {
      [WALKTHROUGH_KEYS.keys]: true,
      [WALKTHROUGH_KEYS.tracked]: true,
      [WALKTHROUGH_KEYS.acted]: true,
    });
    // versions tracked before the walkthrough was ever opened (an import, another window) tick it too
    assert.strictEqual(walkthroughContext({ hasCredentials: false, trackedCount: 4000, acted: false })[WALKTHROUGH_KEYS.tracked], true);
  });

  it('a delete, export or download done is remembered: a new window (a new flag over the same store) starts with it set', async () => {
    const store = new MemoryKeyValueStore();
    const flag = new ActedFlag(store);
    assert.strictEqual(flag.acted, false);
    assert.strictEqual(await flag.mark(), true, 'the first time: the context key is to be set');
    assert.strictEqual(await flag.mark(), false, 'told once');
    assert.strictEqual(store.get(ACTED_KEY), true);
    assert.strictEqual(new ActedFlag(store).acted, true);
    assert.strictEqual(walkthroughContext({ hasCredentials: false, trackedCount: 0, acted: new ActedFlag(store).acted })[WALKTHROUGH_KEYS.acted], true);
  });
});
