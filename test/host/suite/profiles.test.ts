/**
 * Profiles in a real extension host: two key pairs with separate tracked lists, switching from
 * the status bar item, the key pair of before becoming "default", each outcome of the key check,
 * the offer of keys from the environment, and a switch that waits for work under way.
 */
import * as assert from 'assert';
import { DEMO_ACCESS_KEY, DEMO_SECRET_KEY, type Fixture, run, setUp, tearDown, track, treeLines, waitFor } from './harness';

const TEAM_AK = 'ALTAKteamkey00000000000000000001';
const TEAM_SK = 'teamsecret000000000000000000000a';
const keys = { [DEMO_ACCESS_KEY]: DEMO_SECRET_KEY, [TEAM_AK]: TEAM_SK };

/** The labels of the versions the tree shows. */
async function shown(f: Fixture): Promise<string[]> {
  return (await treeLines(f.api))
    .filter((l) => l.startsWith('  '))
    .map((l) =>
      l
        .trim()
        .split(' [')[0]
        .replace(/ \(amv-[a-z0-9]+\)$/, ''),
    );
}

/** Picks the profile item whose label ends with `name` (or "Add Profile…"). */
function pickProfile(name: string) {
  return (items: { label: string }[]) => {
    const item = items.find((i) => i.label.replace(/^\$\([a-z-]+\) /, '') === name);
    assert.ok(item, `no item ${name} in ${items.map((i) => i.label).join(', ')}`);
    return item;
  };
}

describe('profiles', function () {
  this.timeout(20_000);
  let f: Fixture;
  afterEach(async () => {
    delete process.env.QIANFAN_ACCESS_KEY;
    delete process.env.QIANFAN_SECRET_KEY;
    await tearDown(f);
  });

  it('the key pair and tracked list of before are the profile "default", with nothing moved', async () => {
    f = await setUp({ keys });
    await track(f, { modelId: 'amv-g73j3faikzpz' });
    const s = f.api.services;
    assert.deepStrictEqual(
      s.profiles.list().map((p) => p.name),
      ['default'],
    );
    // where the keys and the list always were
    assert.strictEqual(await f.api.secrets.get('qianfan.accessKeyId'), DEMO_ACCESS_KEY);
    const state = f.api.globalStateDump();
    assert.deepStrictEqual(
      (state['qianfan.trackedVersions.v1'] as { modelId: string }[]).map((t) => t.modelId),
      ['amv-g73j3faikzpz'],
    );
    await f.api.simulateReload();
    assert.deepStrictEqual(await shown(f), ['V1'], 'a reload shows it under "default"');
    assert.strictEqual(f.api.profileItem.text, '$(account) default');
    assert.strictEqual(f.api.profileItem.command, 'qianfan.switchProfile');
  });

  it('two profiles keep separate tracked lists; the status bar item switches; each signs with its own keys', async () => {
    f = await setUp({ keys });
    const s = f.api.services;
    await track(f, { modelId: 'amv-g73j3faikzpz' }, { modelId: 'amv-34qkndzjf111' });
    // Add Profile… from the status bar item's picker
    f.prompts.picks.push(pickProfile('Add Profile…'));
    f.prompts.inputs.push('team', TEAM_AK, TEAM_SK);
    await run(f.api.profileItem.command as string);
    assert.strictEqual(s.profiles.active.name, 'team', 'the new profile is active');
    assert.match(f.prompts.last('info').message, /team/);
    assert.deepStrictEqual(await shown(f), [], 'the new profile tracks nothing');
    assert.strictEqual(f.api.profileItem.text, '$(account) team');
    await track(f, { modelId: 'amv-p8r2t6y1u3io' });
    f.emulator.requests.length = 0;
    assert.deepStrictEqual(await shown(f), ['V1']);
    assert.ok(
      f.emulator.requests.length > 0 && f.emulator.requests.every((r) => r.authorization.includes(`/${TEAM_AK}/`)),
      'team requests are signed with the team key',
    );
    assert.match(String(f.api.treeView.description), /^team · 127\.0\.0\.1:\d+ · AK ALTA…$/);

    f.prompts.picks.push(pickProfile('default'));
    await run(f.api.profileItem.command as string);
    assert.strictEqual(s.profiles.active.name, 'default');
    assert.deepStrictEqual(await shown(f), ['V1', 'V2'], "default's list came back whole");
    assert.strictEqual((await s.credentials.get())?.accessKeyId, DEMO_ACCESS_KEY);

    f.prompts.picks.push(pickProfile('team'));
    await run('qianfan.switchProfile');
    assert.deepStrictEqual(await shown(f), ['V1']);
    assert.strictEqual(await f.api.secrets.get(`qianfan.accessKeyId@team`), TEAM_AK);
    assert.ok(!JSON.stringify(f.api.globalStateDump()).includes(TEAM_SK), 'no secret in globalState');
  });

  it("followed models belong to their profile: a switch shows the other profile's, and forgets what was marked", async () => {
    f = await setUp({ keys });
    const s = f.api.services;
    const model = 'am-gh0azfeb9adu';
    await run('qianfan.followModel', model);
    assert.ok(s.followed.has(model));
    f.emulator.store.models.delete(model); // gone elsewhere: marked in this profile
    await s.followPoller.check(model);
    assert.ok(s.followPoller.isGone(model));
    f.prompts.picks.push(pickProfile('Add Profile…'));
    f.prompts.inputs.push('team', TEAM_AK, TEAM_SK);
    await run(f.api.profileItem.command as string);
    assert.strictEqual(s.profiles.active.name, 'team');
    assert.deepStrictEqual(s.followed.list(), [], 'the new profile follows nothing');
    assert.ok(!s.followPoller.isGone(model), "the other profile's marks are not carried over");
    f.prompts.picks.push(pickProfile('default'));
    await run('qianfan.switchProfile');
    assert.ok(s.followed.has(model), "default's followed model is back");
  });

  it("rename and remove: the removed profile's keys and list are gone, the others untouched", async () => {
    f = await setUp({ keys });
    const s = f.api.services;
    await track(f, { modelId: 'amv-g73j3faikzpz' });
    f.prompts.inputs.push('team', TEAM_AK, TEAM_SK);
    await run('qianfan.addProfile');
    await track(f, { modelId: 'amv-p8r2t6y1u3io' });
    // the active profile cannot be removed: only the others are offered
    f.prompts.picks.push((items: { label: string }[]) => {
      assert.deepStrictEqual(
        items.map((i) => i.label),
        ['default'],
      );
      return undefined;
    });
    await run('qianfan.removeProfile');
    f.prompts.picks.push(pickProfile('default'));
    await run('qianfan.switchProfile');
    f.prompts.picks.push(pickProfile('team'));
    f.prompts.inputs.push('team (read-only)');
    await run('qianfan.renameProfile');
    assert.deepStrictEqual(
      s.profiles.list().map((p) => p.name),
      ['default', 'team (read-only)'],
    );
    f.prompts.picks.push(pickProfile('team (read-only)'));
    f.prompts.confirms.push(true);
    await run('qianfan.removeProfile');
    assert.ok(
      f.prompts.asked.some((a) => a.includes('1 tracked versions')),
      f.prompts.asked.join(' / '),
    );
    assert.deepStrictEqual(
      s.profiles.list().map((p) => p.name),
      ['default'],
    );
    assert.strictEqual(await f.api.secrets.get('qianfan.accessKeyId@team'), undefined);
    assert.strictEqual(await f.api.secrets.get('qianfan.secretAccessKey@team'), undefined);
    assert.strictEqual(f.api.globalStateDump()['qianfan.trackedVersions.v1@team'], undefined);
    assert.deepStrictEqual(await shown(f), ['V1'], "default's list is untouched");
  });

  describe('the key check', () => {
    async function setKeys(accessKey: string, secretKey: string, choice?: string): Promise<void> {
      f.prompts.inputs.push(accessKey, secretKey);
      f.prompts.notificationChoice = (n) => (n.level === 'error' ? choice : undefined);
      await run('qianfan.setCredentials');
    }

    it('saves keys that work, after one signed read', async () => {
      f = await setUp({ keys, signedIn: false });
      await setKeys(TEAM_AK, TEAM_SK);
      assert.strictEqual((await f.api.services.credentials.get())?.accessKeyId, TEAM_AK);
      assert.ok(f.prompts.progressTitles.includes('Checking the keys with Qianfan…'));
      assert.ok(f.emulator.requests.some((r) => r.action === 'DescribeCustomModelSets' && r.authorization.includes(TEAM_AK)));
    });

    const refused: [string, () => [string, string], RegExp, (f: Fixture) => void][] = [
      ['an unknown access key', () => ['f'.repeat(32), TEAM_SK], /does not know the access key f{32}\. Check that it is an IAM Access Key/, () => undefined],
      ["an application's API Key pasted as the AK", () => ['Dw8Vcr0Ft4N0bW0Xb8aa2Gaf', TEAM_SK], /looks like a Qianfan application's API Key/, () => undefined],
      ['a secret key that does not belong to the access key', () => [TEAM_AK, 'e'.repeat(32)], /does not belong to the access key ALTAK/, () => undefined],
      [
        'a key without a read policy',
        () => [TEAM_AK, TEAM_SK],
        /may not read Qianfan models: its IAM user needs one of the policies QianfanFullControlAccessPolicy, QianfanReadAccessPolicy/,
        (f) => (f.emulator.policies[TEAM_AK] = ['QianfanServiceReadAccessPolicy']), // services only
      ],
      [
        'a clock the service keeps refusing',
        () => [TEAM_AK, TEAM_SK],
        /refused the request's time: this computer's clock is off/,
        (f) => f.emulator.inject({ action: 'DescribeCustomModelSets', fault: { kind: 'requestExpired' }, times: 5 }),
      ],
      ['no answer from the endpoint', () => [TEAM_AK, TEAM_SK], /could not be reached/, (f) => void f.emulator.stop()],
    ];
    for (const [what, pair, message, arrange] of refused) {
      it(`${what}: a message of its own, and nothing saved unless the user says so`, async () => {
        f = await setUp({ keys, signedIn: false });
        arrange(f);
        const [ak, sk] = pair();
        await setKeys(ak, sk, undefined); // dismissed
        assert.match(f.prompts.last('error').message, message);
        assert.deepStrictEqual(f.prompts.last('error').actions, ['Enter Again', 'Save Anyway']);
        assert.strictEqual(await f.api.services.credentials.get(), undefined, 'nothing saved');
        assert.ok(!JSON.stringify(f.prompts.notifications).includes(sk), 'the secret key is in no message');
      });
    }

    it('Save Anyway saves what the check refused; Enter Again asks again with the access key filled in', async () => {
      f = await setUp({ keys, signedIn: false });
      f.prompts.inputs.push(TEAM_AK, 'e'.repeat(32), (o: { value?: string }) => (assert.strictEqual(o.value, TEAM_AK), TEAM_AK), TEAM_SK);
      let errors = 0;
      f.prompts.notificationChoice = (n) => (n.level === 'error' && errors++ === 0 ? 'Enter Again' : undefined);
      await run('qianfan.setCredentials');
      assert.strictEqual((await f.api.services.credentials.get())?.secretAccessKey, TEAM_SK, 'the second, right pair is saved');
      await setKeys('f'.repeat(32), TEAM_SK, 'Save Anyway');
      assert.strictEqual((await f.api.services.credentials.get())?.accessKeyId, 'f'.repeat(32));
    });

    it('a bce-v3 API Key is named in the box, before anything is sent', async () => {
      f = await setUp({ keys, signedIn: false });
      f.emulator.requests.length = 0;
      await setKeys('bce-v3/ALTAK-abcdefghij/0123456789abcdef', TEAM_SK);
      assert.ok(f.prompts.asked.some((a) => /invalid: This is an application API Key \(bce-v3\/…\)/.test(a)));
      assert.match(f.prompts.last('error').message, /The keys were not saved: This is an application API Key/);
      assert.strictEqual(f.emulator.requests.length, 0, 'nothing was sent');
    });

    it('a clock an hour off: the keys are saved and the skew is told', async () => {
      f = await setUp({ keys, signedIn: false, clockOffsetMs: 3_600_000 });
      await setKeys(TEAM_AK, TEAM_SK);
      assert.strictEqual((await f.api.services.credentials.get())?.accessKeyId, TEAM_AK);
      assert.ok(f.prompts.notifications.some((n) => n.level === 'warn' && /clock is off by about 60 minutes/.test(n.message)));
    });
  });

  it('keys in the environment are offered once as a profile, and used only when the user says so', async () => {
    f = await setUp({ keys });
    process.env.QIANFAN_ACCESS_KEY = TEAM_AK;
    process.env.QIANFAN_SECRET_KEY = TEAM_SK;
    const s = f.api.services;
    f.prompts.notificationChoice = () => undefined; // dismissed
    await f.api.offerEnvironmentKeys();
    assert.match(f.prompts.last('info').message, /QIANFAN_ACCESS_KEY and QIANFAN_SECRET_KEY are set in this environment \(AK ALTA…\)/);
    assert.deepStrictEqual(
      s.profiles.list().map((p) => p.name),
      ['default'],
      'not used silently',
    );
    const before = f.prompts.notifications.length;
    await f.api.offerEnvironmentKeys();
    assert.strictEqual(f.prompts.notifications.length, before, 'offered once');

    await f.api.services.store.update('qianfan.envKeysOffered', undefined);
    f.prompts.notificationChoice = (n) => (n.actions.includes('Add as Profile…') ? 'Add as Profile…' : undefined);
    f.prompts.inputs.push((o: { value?: string }) => o.value); // the suggested name
    await f.api.offerEnvironmentKeys();
    assert.deepStrictEqual(
      s.profiles.list().map((p) => p.name),
      ['default', 'environment'],
    );
    assert.strictEqual((await s.credentials.getFor('environment'))?.accessKeyId, TEAM_AK);
    await f.api.services.store.update('qianfan.envKeysOffered', undefined);
    await f.api.offerEnvironmentKeys();
    assert.strictEqual(
      f.prompts.notifications.filter((n) => /are set in this environment/.test(n.message)).length,
      2,
      'keys already a profile are not offered',
    );
  });

  it('a profile removed in another window: this window switches away and says so, never silently', async () => {
    f = await setUp({ keys });
    const s = f.api.services;
    await track(f, { modelId: 'amv-g73j3faikzpz' });
    f.prompts.inputs.push('team', TEAM_AK, TEAM_SK);
    await run('qianfan.addProfile');
    await track(f, { modelId: 'amv-p8r2t6y1u3io' });
    assert.strictEqual(f.api.profileItem.text, '$(account) team');
    // another window (on "default") removes "team": the shared list, its data, then its keys
    await s.store.update('qianfan.profiles.v1', [{ id: 'default', name: 'default' }]);
    await s.store.update('qianfan.trackedVersions.v1@team', undefined);
    await f.api.secrets.delete('qianfan.accessKeyId@team');
    await f.api.secrets.delete('qianfan.secretAccessKey@team');
    await waitFor('the switch away from the removed profile', () => f.api.profileItem.text === '$(account) default');
    assert.strictEqual(s.profiles.active.id, 'default');
    assert.match(f.prompts.last('warn').message, /^The profile "team" was removed in another window; switched to "default"\.$/);
    assert.deepStrictEqual(await shown(f), ['V1'], "default's list, as a switch here shows it");
    await track(f, { modelId: 'amv-34qkndzjf111' });
    assert.strictEqual(f.api.globalStateDump()['qianfan.trackedVersions.v1@team'], undefined, 'nothing written under the removed profile');
    assert.strictEqual(await f.api.secrets.get('qianfan.accessKeyId@team'), undefined);
  });

  it('a switch waits until a delete under way in this profile is over', async () => {
    f = await setUp({ keys });
    const s = f.api.services;
    f.prompts.inputs.push('team', TEAM_AK, TEAM_SK);
    await run('qianfan.addProfile');
    let release!: () => void;
    const running = s.busy.during('delete', () => new Promise<void>((r) => (release = r)));
    f.prompts.picks.push(pickProfile('default'));
    await run('qianfan.switchProfile');
    assert.strictEqual(s.profiles.active.name, 'team');
    assert.match(f.prompts.last('warn').message, /The profile was not switched: a delete is under way/);
    release();
    await running;
    f.prompts.picks.push(pickProfile('default'));
    await run('qianfan.switchProfile');
    assert.strictEqual(s.profiles.active.name, 'default');
  });

  it('an export started in one profile waits there while another is active, and is followed again on return', async () => {
    f = await setUp({ keys, exportDurationMs: 3_600_000 }); // running until the test says, however slow the machine
    const s = f.api.services;
    await track(f, { modelId: 'amv-g73j3faikzpz' });
    const exported = run('qianfan.exportVersion', 'amv-g73j3faikzpz');
    await waitFor('the export remembered', () => s.pendingExports.list().length === 1);
    f.prompts.inputs.push('team', TEAM_AK, TEAM_SK);
    await run('qianfan.addProfile');
    await exported; // the switch stopped following it here
    assert.deepStrictEqual(s.pendingExports.list(), [], 'team has no pending export');
    f.emulator.store.exportDurationMs = 0;
    f.prompts.picks.push(pickProfile('default'));
    await run('qianfan.switchProfile');
    await waitFor('the export followed again and done', () => s.exportStates.done('amv-g73j3faikzpz'), 8000);
  });
});
