/** Profiles (named key pairs), their per-profile keys, the key check's outcomes, and what blocks a switch. */
import * as assert from 'assert';
import { BusyTracker } from '../../src/core/base/busy';
import { DetailLoader } from '../../src/core/work/detailLoader';
import { CancelledError, QianfanError } from '../../src/core/qianfan/errors';
import { READ_POLICIES, checkKeys, classifyKeyFailure, keyFormatProblem, looksLikeAppKey } from '../../src/core/qianfan/keyCheck';
import { MemoryKeyValueStore } from '../../src/core/state/keyValueStore';
import {
  ACTIVE_PROFILE_KEY,
  DEFAULT_PROFILE,
  PROFILES_KEY,
  type ProfileChange,
  ProfileStore,
  newProfileId,
  profileKey,
  profileNameProblem,
  profileScopedStore,
  writeLearntBeforeSwitch,
} from '../../src/core/state/profiles';
import { TRACKED_KEY, type TrackedVersion, TrackedVersionsStore } from '../../src/core/state/trackedVersions';
import { VersionDetailsStore } from '../../src/core/state/versionDetails';
import { DEMO_ACCESS_KEY, DEMO_SECRET_KEY } from '../emulator/fixture';
import { startHarness } from '../support/clientHarness';

describe('profiles', () => {
  it('a store with nothing in it has one profile, "default", active, and writes nothing to say so', () => {
    const kv = new MemoryKeyValueStore();
    const profiles = new ProfileStore(kv);
    assert.deepStrictEqual(profiles.list(), [DEFAULT_PROFILE]);
    assert.strictEqual(profiles.active.id, 'default');
    assert.strictEqual(kv.get(PROFILES_KEY), undefined);
  });

  it("a switch that fails stays where it was and says so ('stayed'): a failed step before it, or a failed write of the active profile", async () => {
    let failWrites = false;
    const kv = new MemoryKeyValueStore();
    const flaky = {
      get: <T>(key: string) => kv.get<T>(key),
      update: (key: string, value: unknown) => (failWrites ? Promise.reject(new Error('EIO: write failed')) : kv.update(key, value)),
    };
    const profiles = new ProfileStore(flaky);
    const team = await profiles.add('Team');
    const changes: ProfileChange[] = [];
    profiles.onDidChange((c) => changes.push(c));
    failWrites = true;
    await assert.rejects(profiles.switchTo(team.id), /EIO/);
    assert.strictEqual(profiles.active.id, 'default', 'the window stays in its profile');
    assert.deepStrictEqual(changes, [{ kind: 'stayed', profile: DEFAULT_PROFILE }]);
    failWrites = false;
    const hook = profiles.onWillSwitch(() => Promise.reject(new Error('ELOCKED')));
    await assert.rejects(profiles.switchTo(team.id), /ELOCKED/);
    assert.strictEqual(profiles.active.id, 'default');
    assert.deepStrictEqual(changes.at(-1), { kind: 'stayed', profile: DEFAULT_PROFILE });
    hook.dispose();
    let before = 0;
    profiles.onWillSwitch(() => void before++);
    await profiles.switchTo('default'); // already active: nothing runs, nothing is told
    assert.strictEqual(before, 0);
    assert.strictEqual(changes.length, 2);
    await profiles.switchTo(team.id);
    assert.strictEqual(profiles.active.id, 'team');
    assert.strictEqual(changes.at(-1)?.kind, 'switched');
    assert.strictEqual(before, 1);
  });

  it("the tracked list of before profiles is the default profile's, under the key it always had", async () => {
    const kv = new MemoryKeyValueStore();
    await kv.update(TRACKED_KEY, [{ modelId: 'amv-g73j3faikzpz', addedAt: 1 }]);
    const profiles = new ProfileStore(kv);
    const tracked = new TrackedVersionsStore(profileScopedStore(kv, profiles));
    assert.deepStrictEqual(
      tracked.list().map((t) => t.modelId),
      ['amv-g73j3faikzpz'],
    );
    assert.strictEqual(profileKey('default', TRACKED_KEY), TRACKED_KEY);
    assert.strictEqual(profileKey('team', TRACKED_KEY), `${TRACKED_KEY}@team`);
  });

  it('each profile has its own tracked list; a switch shows the other, and nothing of either is lost', async () => {
    const kv = new MemoryKeyValueStore();
    const profiles = new ProfileStore(kv);
    const tracked = new TrackedVersionsStore(profileScopedStore(kv, profiles));
    await tracked.add([{ modelId: 'amv-g73j3faikzpz' }]);
    const team = await profiles.add('Team');
    assert.strictEqual(team.id, 'team');
    assert.strictEqual(profiles.active.id, 'default', 'adding does not switch');
    await profiles.switchTo(team.id);
    assert.deepStrictEqual(tracked.list(), [], 'the new profile tracks nothing');
    await tracked.add([{ modelId: 'amv-34qkndzjf111' }]);
    await profiles.switchTo('default');
    assert.deepStrictEqual(
      tracked.list().map((t) => t.modelId),
      ['amv-g73j3faikzpz'],
    );
    assert.deepStrictEqual(
      (kv.get<{ modelId: string }[]>(`${TRACKED_KEY}@team`) ?? []).map((t) => t.modelId),
      ['amv-34qkndzjf111'],
    );
  });

  it("a new window starts with the last profile chosen; another window's switch does not move this one", async () => {
    const kv = new MemoryKeyValueStore();
    const first = new ProfileStore(kv);
    await first.add('team');
    const second = new ProfileStore(kv);
    await second.switchTo('team');
    assert.strictEqual(kv.get(ACTIVE_PROFILE_KEY), 'team');
    assert.strictEqual(first.active.id, 'default', 'the first window keeps its profile');
    assert.strictEqual(new ProfileStore(kv).active.id, 'team', 'a new window starts where the last switch left');
  });

  it('tells each change; a switch to the active profile tells nothing', async () => {
    const profiles = new ProfileStore(new MemoryKeyValueStore());
    const seen: ProfileChange[] = [];
    profiles.onDidChange((c) => seen.push(c));
    const team = await profiles.add('team');
    await profiles.switchTo('default');
    await profiles.switchTo(team.id);
    await profiles.rename('default', 'personal');
    await profiles.remove('default');
    assert.deepStrictEqual(
      seen.map((c) => (c.kind === 'switched' ? `switched ${c.from.id}>${c.to.id}` : `${c.kind} ${c.profile.id}:${c.profile.name}`)),
      ['added team:team', 'switched default>team', 'renamed default:personal', 'removed default:personal'],
    );
    assert.deepStrictEqual(profiles.list(), [team]);
  });

  it('never removes the active profile or the last one, and refuses names that clash', async () => {
    const profiles = new ProfileStore(new MemoryKeyValueStore());
    await assert.rejects(profiles.remove('default'), /cannot be removed/);
    await profiles.add('team');
    await assert.rejects(profiles.add(' TEAM '), /taken/);
    await assert.rejects(profiles.rename('team', 'Default'), /taken/);
    await assert.rejects(profiles.switchTo('nobody'), /no profile/);
    await profiles.rename('team', 'Team'); // its own name, other case
    assert.deepStrictEqual(
      profiles.list().map((p) => p.name),
      ['default', 'Team'],
    );
  });

  it('trims names, keeps IDs unique after a rename, and refuses to remove the active profile even among several', async () => {
    const profiles = new ProfileStore(new MemoryKeyValueStore());
    const ops = await profiles.add(' ops ');
    assert.deepStrictEqual(ops, { id: 'ops', name: 'ops' });
    await profiles.rename('ops', ' operations ');
    assert.strictEqual(profiles.get('ops')?.name, 'operations');
    assert.strictEqual((await profiles.add('ops')).id, 'ops-2', 'the ID of a renamed profile stays taken');
    await assert.rejects(profiles.rename('nobody', 'x'), /no profile/);
    await assert.rejects(profiles.remove('default'), /cannot be removed/);
    const seen: ProfileChange[] = [];
    profiles.onDidChange((c) => seen.push(c));
    await profiles.remove('nobody');
    assert.deepStrictEqual(seen, [], 'removing an unknown profile changes nothing');
    assert.strictEqual(profiles.list().length, 3);
  });

  it('words the problems of a name', () => {
    const list = [DEFAULT_PROFILE];
    assert.strictEqual(profileNameProblem('  ', list), 'empty');
    assert.strictEqual(profileNameProblem('x'.repeat(41), list), 'tooLong');
    assert.strictEqual(profileNameProblem('x'.repeat(40), list), undefined);
    assert.strictEqual(profileNameProblem('a\tb', list), 'control');
    assert.strictEqual(profileNameProblem('DEFAULT', list), 'taken');
    assert.strictEqual(profileNameProblem('default', list, 'default'), undefined);
  });

  it('makes IDs from names: letters and digits, unique, never empty', () => {
    assert.strictEqual(newProfileId('Team A (read-only)', []), 'team-a-read-only');
    assert.strictEqual(newProfileId('团队', []), 'p');
    assert.strictEqual(newProfileId('team', ['team', 'team-2']), 'team-3');
  });

  it('reads a damaged stored list as far as it can, and falls back to the profile stored as active', async () => {
    const kv = new MemoryKeyValueStore();
    await kv.update(PROFILES_KEY, [
      { id: 'Bad ID', name: 'x' },
      { id: 'x y', name: 'x' },
      null,
      { id: 5, name: 'five' },
      { id: 'nameless', name: 5 },
      { id: 'blank', name: '  ' },
      { id: 'team', name: ' team ' },
      'junk',
      { id: 'team', name: 'twice' },
      { id: 'long', name: 'n'.repeat(50) },
    ]);
    await kv.update(ACTIVE_PROFILE_KEY, 'gone');
    const profiles = new ProfileStore(kv);
    assert.deepStrictEqual(profiles.list(), [
      { id: 'team', name: 'team' },
      { id: 'long', name: 'n'.repeat(40) },
    ]);
    assert.strictEqual(profiles.active.id, 'team');
  });
});

describe('profiles across windows and switches', () => {
  const VERSION = 'amv-g73j3faikzpz';
  const TEAM = { id: 'team', name: 'Team' };
  const settle = () => new Promise((r) => setImmediate(r));
  const statusIn = (kv: MemoryKeyValueStore, profileId: string) =>
    kv.get<TrackedVersion[]>(profileKey(profileId, TRACKED_KEY))?.find((t) => t.modelId === VERSION)?.status;

  /** A window with "default" and "Team" (active), the same version tracked in both, and a loader whose writes wait a minute. */
  async function window() {
    const kv = new MemoryKeyValueStore();
    const profiles = new ProfileStore(kv);
    const tracked = new TrackedVersionsStore(profileScopedStore(kv, profiles));
    await tracked.add([{ modelId: VERSION, status: 'Creating' }]);
    await profiles.add('Team');
    await profiles.switchTo(TEAM.id);
    await tracked.add([{ modelId: VERSION, status: 'Creating' }]);
    const loader = new DetailLoader({
      describe: (modelId) => Promise.resolve({ modelId, modelSetId: 'am-aaaaaaaaaaaa', modelName: 'V1', status: 'Ready' }),
      concurrency: () => 2,
      store: new VersionDetailsStore(),
      persist: (info) => tracked.updateInfo(info),
      now: () => 1000,
      log: () => undefined,
      persistDelayMs: 60_000,
    });
    const seen: ProfileChange[] = [];
    profiles.onDidChange((c) => seen.push(c));
    return { kv, profiles, tracked, loader, seen };
  }

  it('another window removes the active profile: this one stays on it until it switches to the first left, and says so', async () => {
    const { kv, profiles, tracked, loader, seen } = await window();
    // the other window (whose profile is "default") removes Team and clears its data
    await kv.update(PROFILES_KEY, [DEFAULT_PROFILE]);
    await kv.update(profileKey(TEAM.id, TRACKED_KEY), undefined);
    assert.deepStrictEqual(profiles.active, TEAM, 'not the other profile, silently');
    assert.deepStrictEqual(seen, []);
    await settle();
    assert.deepStrictEqual(seen, [{ kind: 'switched', from: TEAM, to: DEFAULT_PROFILE, removedElsewhere: true }]);
    assert.strictEqual(profiles.active.id, 'default');
    assert.strictEqual(await profiles.checkActive(), false, 'told once');
    await tracked.add([{ modelId: 'amv-34qkndzjf111' }]);
    assert.strictEqual(kv.get(profileKey(TEAM.id, TRACKED_KEY)), undefined, 'nothing comes back under the removed profile');
    await loader.dispose();
  });

  it('the move away from a removed profile runs what runs before a switch; what was learnt there goes nowhere else', async () => {
    const { kv, profiles, loader, seen } = await window();
    profiles.onWillSwitch(writeLearntBeforeSwitch(loader));
    await loader.load([VERSION]); // learnt in Team, written a minute later
    await kv.update(PROFILES_KEY, [DEFAULT_PROFILE]);
    await kv.update(profileKey(TEAM.id, TRACKED_KEY), undefined);
    assert.strictEqual(await profiles.checkActive(), true);
    assert.strictEqual(seen.length, 1);
    await loader.dispose();
    assert.strictEqual(statusIn(kv, 'default'), 'Creating', "the default profile's list is not written with Team's statuses");
    assert.strictEqual(kv.get(profileKey(TEAM.id, TRACKED_KEY)), undefined);
  });

  it('statuses learnt just before a switch are written to the profile they were learnt in, not to the next one', async () => {
    const { kv, profiles, loader } = await window();
    profiles.onWillSwitch(writeLearntBeforeSwitch(loader));
    await loader.load([VERSION]);
    assert.strictEqual(statusIn(kv, TEAM.id), 'Creating', 'not written yet');
    await profiles.switchTo('default');
    await loader.dispose();
    assert.strictEqual(statusIn(kv, TEAM.id), 'Ready');
    assert.strictEqual(statusIn(kv, 'default'), 'Creating');
  });

  it('a failure before a switch asked for here stops it', async () => {
    const { profiles, loader, seen } = await window();
    profiles.onWillSwitch(() => Promise.reject(new Error('no')));
    await assert.rejects(profiles.switchTo('default'), /no/);
    assert.strictEqual(profiles.active.id, TEAM.id);
    assert.deepStrictEqual(seen, [{ kind: 'stayed', profile: TEAM }], 'no switch; what held itself for it is told to go on');
    await loader.dispose();
  });
});

describe('key check', () => {
  it('recognises what was pasted before anything is sent', () => {
    assert.strictEqual(keyFormatProblem(''), 'empty');
    assert.strictEqual(keyFormatProblem('bce-v3/ALTAK-abc/def0123456789'), 'apiKey');
    assert.strictEqual(keyFormatProblem('not a key'), 'format');
    assert.strictEqual(keyFormatProblem(` ${'a'.repeat(32)} `), undefined);
    assert.ok(looksLikeAppKey('Dw8Vcr0Ft4N0bW0Xb8aa2Gaf'));
    assert.ok(!looksLikeAppKey('a'.repeat(32)));
    assert.ok(!looksLikeAppKey('ALTAKabcdefghijklmnopqrs'));
    assert.ok(looksLikeAppKey('abcALTAKdefghijklmnopqrs'), 'ALTAK only counts at the start');
    assert.strictEqual(keyFormatProblem('mybce-v3/ALTAK-abc/def'), 'format', 'bce-v3/ only counts at the start');
    assert.strictEqual(keyFormatProblem(`${'a'.repeat(16)}!`), 'format');
    assert.strictEqual(keyFormatProblem(`!${'a'.repeat(16)}`), 'format');
  });

  it('tells apart each outcome of the signed read', () => {
    const api = (status: number, code: string, message = 'x', serverDate?: number) =>
      new QianfanError({ kind: 'api', status, code, message, requestId: 'r-1', serverDate });
    assert.deepStrictEqual(classifyKeyFailure(api(403, 'InvalidAccessKeyId'), 'a'.repeat(32)), { kind: 'unknownAccessKey', appKey: false });
    assert.deepStrictEqual(classifyKeyFailure(api(401, 'NotFound', 'NotFound, cause: Could not find credential.'), 'Dw8Vcr0Ft4N0bW0Xb8aa2Gaf'), {
      kind: 'unknownAccessKey',
      appKey: true,
    });
    assert.deepStrictEqual(classifyKeyFailure(api(400, 'SignatureDoesNotMatch'), 'a'), { kind: 'wrongSecretKey' });
    assert.deepStrictEqual(classifyKeyFailure(api(403, 'AccessDenied'), 'a'), { kind: 'permission', policies: READ_POLICIES, requestId: 'r-1' });
    assert.strictEqual(classifyKeyFailure(api(400, 'PermissionDeniedError'), 'a').kind, 'permission');
    assert.deepStrictEqual(classifyKeyFailure(api(400, 'RequestExpired', 'x', 1_000_000 + 600_000), 'a', 1_000_000), {
      kind: 'clockSkew',
      clockSkewMs: 600_000,
    });
    assert.deepStrictEqual(classifyKeyFailure(api(400, 'RequestExpired'), 'a'), { kind: 'clockSkew', clockSkewMs: undefined });
    assert.deepStrictEqual(classifyKeyFailure(new QianfanError({ kind: 'timeout', message: 't' }), 'a'), { kind: 'network', timeout: true });
    assert.deepStrictEqual(classifyKeyFailure(new QianfanError({ kind: 'network', message: 'n' }), 'a'), { kind: 'network', timeout: false });
    assert.deepStrictEqual(classifyKeyFailure(new QianfanError({ kind: 'invalidInput', message: 'e' }), 'a'), { kind: 'endpoint' });
    assert.deepStrictEqual(classifyKeyFailure(api(500, 'InternalError'), 'a'), { kind: 'failed', status: 500, code: 'InternalError', requestId: 'r-1' });
    assert.deepStrictEqual(classifyKeyFailure(new Error('odd'), 'a'), { kind: 'failed' });
    assert.throws(() => classifyKeyFailure(new CancelledError(), 'a'), CancelledError);
  });

  it('tells a clock the client corrected only when it was off by more than a minute', async () => {
    const ok = () => Promise.resolve();
    assert.deepStrictEqual(await checkKeys('a', ok, () => undefined), { kind: 'ok' });
    assert.deepStrictEqual(await checkKeys('a', ok, () => 60_000), { kind: 'ok' });
    assert.deepStrictEqual(await checkKeys('a', ok, () => -30_000), { kind: 'ok' });
    assert.deepStrictEqual(await checkKeys('a', ok, () => -60_001), { kind: 'ok', clockSkewMs: -60_001 });
  });

  describe('against the emulator', function () {
    this.timeout(10_000);
    const check = async (pair: { accessKeyId: string; secretAccessKey: string }, options = {}) => {
      const h = await startHarness(options);
      try {
        let skew: number | undefined;
        const client = h.makeClient({ credentials: () => pair, onClockSkew: (ms) => (skew = ms) });
        return await checkKeys(
          pair.accessKeyId,
          () => client.listCustomModelSets({ maxKeys: 1 }),
          () => skew,
        );
      } finally {
        await h.emulator.stop();
      }
    };

    it('keys that work', async () => {
      assert.deepStrictEqual(await check({ accessKeyId: DEMO_ACCESS_KEY, secretAccessKey: DEMO_SECRET_KEY }), { kind: 'ok' });
    });

    it('an access key the service does not know', async () => {
      assert.deepStrictEqual(await check({ accessKeyId: 'f'.repeat(32), secretAccessKey: DEMO_SECRET_KEY }), { kind: 'unknownAccessKey', appKey: false });
    });

    it('a secret key that does not belong to the access key', async () => {
      assert.deepStrictEqual(await check({ accessKeyId: DEMO_ACCESS_KEY, secretAccessKey: 'e'.repeat(32) }), { kind: 'wrongSecretKey' });
    });

    it('a clock an hour behind: the client corrects it, the keys work, and the skew is told', async () => {
      const outcome = await check({ accessKeyId: DEMO_ACCESS_KEY, secretAccessKey: DEMO_SECRET_KEY }, { clockOffsetMs: 3_600_000 });
      assert.strictEqual(outcome.kind, 'ok');
      assert.ok(outcome.kind === 'ok' && outcome.clockSkewMs !== undefined && Math.abs(outcome.clockSkewMs - 3_600_000) < 5_000, JSON.stringify(outcome));
    });

    it('nothing listening on the endpoint', async () => {
      const h = await startHarness();
      const client = h.makeClient();
      await h.emulator.stop();
      assert.deepStrictEqual(
        await checkKeys(
          'a',
          () => client.listCustomModelSets({ maxKeys: 1 }),
          () => undefined,
        ),
        { kind: 'network', timeout: false },
      );
    });
  });
});

describe('busy', () => {
  it('counts what runs until it settles, failures too', async () => {
    const busy = new BusyTracker();
    let release!: () => void;
    const running = busy.during('delete', () => new Promise<void>((r) => (release = r)));
    const failing = busy.during('track', () => Promise.reject(new Error('no')));
    assert.deepStrictEqual(busy.kinds, ['delete', 'track']);
    await assert.rejects(failing);
    assert.deepStrictEqual(busy.kinds, ['delete']);
    release();
    await running;
    assert.deepStrictEqual(busy.kinds, []);
  });
});
