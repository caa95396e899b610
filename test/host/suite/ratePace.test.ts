import * as assert from 'assert';
import { generatedFixture } from '../../emulator/fixture';
import { type Fixture, run, setUp, tearDown, track } from './harness';

const ACCOUNT = generatedFixture(4, 6);
const IDS = ACCOUNT.versions.map((v) => v.modelId);

describe('bulk delete at the service pace', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await setUp({ fixture: generatedFixture(4, 6), rateLimit: 4 });
    await track(f, ...ACCOUNT.versions.map((v) => ({ modelId: v.modelId, modelSetId: v.modelSetId })));
  });
  afterEach(() => tearDown(f));

  it('deletes 24 versions from a service limited to 4 requests/s: 429s waited out and retried, few of them, none lost, none reported wrongly', async () => {
    assert.strictEqual(IDS.length, 24);
    f.prompts.picks.push((items: unknown[]) => items);
    f.prompts.confirms.push(true);
    await run('qianfan.deleteVersion');
    assert.ok(f.emulator.throttled > 0, 'the service refused some requests');
    assert.ok(f.emulator.throttled <= 20, `the pace is learnt: ${f.emulator.throttled} 429s (about 35 at a fixed 8 at once)`);
    for (const id of IDS) {
      assert.ok(!f.emulator.store.versions.has(id), `${id} deleted`);
      assert.ok(!f.api.services.tracked.has(id), `${id} no longer tracked`);
    }
    assert.match(f.prompts.last('info').message, /24/);
  });
});
