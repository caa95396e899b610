import * as assert from 'assert';
import { MemoryKeyValueStore } from '../../src/core/state/keyValueStore';
import { FOLLOWED_KEY, FollowedModelsStore, normalizeFollowed } from '../../src/core/state/followedModels';
import { profileScopedStore } from '../../src/core/state/profiles';
import { LIST_KEYS } from '../../src/platform/listFiles';

const A = 'am-aaaaaaaaaaaa';
const B = 'am-bbbbbbbbbbbb';

describe('followed models store', () => {
  it('checks each entry: a model ID and a time are required, known IDs that are not version IDs are left out', () => {
    assert.strictEqual(normalizeFollowed({ modelSetId: 'amv-aaaaaaaaaaaa', followedAt: 1, knownIds: [] }), undefined, 'a version ID is not a model ID');
    assert.strictEqual(normalizeFollowed({ modelSetId: A }), undefined, 'no time');
    assert.strictEqual(normalizeFollowed('am-aaaaaaaaaaaa'), undefined);
    assert.deepStrictEqual(normalizeFollowed({ modelSetId: A, modelSetName: '', followedAt: 5, knownIds: ['amv-111111111111', 'x', 3, 'amv-111111111111'] }), {
      modelSetId: A,
      knownIds: ['amv-111111111111'],
      followedAt: 5,
    });
  });

  it('follows, learns new versions once, unfollows; keeps what it cannot read', async () => {
    const kv = new MemoryKeyValueStore();
    await kv.update(FOLLOWED_KEY, [{ broken: true }]);
    const store = new FollowedModelsStore(kv, () => 42);
    let changes = 0;
    store.onDidChange(() => changes++);
    assert.strictEqual(await store.follow({ modelSetId: A, modelSetName: 'support' }, ['amv-111111111111']), true);
    assert.strictEqual(await store.follow({ modelSetId: A }, ['amv-222222222222']), false, 'followed already: its known versions grow');
    assert.deepStrictEqual(store.get(A), { modelSetId: A, modelSetName: 'support', knownIds: ['amv-111111111111', 'amv-222222222222'], followedAt: 42 });
    assert.deepStrictEqual(await store.learn(A, ['amv-111111111111', 'amv-333333333333', 'bad']), ['amv-333333333333']);
    assert.deepStrictEqual(await store.learn(A, ['amv-333333333333']), [], 'a version is new once');
    assert.deepStrictEqual(await store.learn(B, ['amv-444444444444']), [], 'a model not followed learns nothing');
    await assert.rejects(store.follow({ modelSetId: 'nope' }, []), /not a model ID/);
    assert.strictEqual(await store.unfollow(A), true);
    assert.strictEqual(await store.unfollow(A), false);
    assert.strictEqual(store.has(A), false);
    assert.deepStrictEqual(kv.get(FOLLOWED_KEY), [{ broken: true }], 'the unreadable entry stays stored');
    assert.strictEqual(changes, 4);
  });

  it('is per profile, and its list goes to the shared file store', async () => {
    const kv = new MemoryKeyValueStore();
    const profile = { id: 'default' };
    const scoped = profileScopedStore(kv, { key: (k) => (profile.id === 'default' ? k : `${k}@${profile.id}`) });
    const store = new FollowedModelsStore(scoped);
    await store.follow({ modelSetId: A }, []);
    profile.id = 'team';
    store.forgetRead();
    assert.strictEqual(store.has(A), false, 'another profile follows nothing yet');
    await store.follow({ modelSetId: B }, []);
    assert.deepStrictEqual(
      (kv.get<{ modelSetId: string }[]>(FOLLOWED_KEY) ?? []).map((m) => m.modelSetId),
      [A],
    );
    assert.deepStrictEqual(
      (kv.get<{ modelSetId: string }[]>(`${FOLLOWED_KEY}@team`) ?? []).map((m) => m.modelSetId),
      [B],
    );
    assert.ok(FOLLOWED_KEY in LIST_KEYS, 'the followed models are a list in the files the windows share');
    assert.strictEqual(LIST_KEYS[FOLLOWED_KEY]({ modelSetId: A }), A);
  });
});
