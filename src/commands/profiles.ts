/**
 * Profiles: add, switch, rename and remove named key pairs; the status bar item that shows the
 * active one; what a switch resets; the offer of keys found in the environment.
 */
import { createHash } from 'crypto';
import * as vscode from 'vscode';
import { type BusyKind } from '../core/base/busy';
import { PARTIAL_DOWNLOADS_KEY } from '../core/download/partialStore';
import { PENDING_EXPORTS_KEY } from '../core/work/exportTasks';
import { type Profile, type ProfileChange, type ProfileNameProblem, profileKey, profileNameProblem, writeLearntBeforeSwitch } from '../core/state/profiles';
import { TRACKED_KEY } from '../core/state/trackedVersions';
import { type PollTiming } from './exportWatcher';
import { askKeys, hostOf, keyCheckMessage, runKeyCheck } from './credentials';
import { notify } from './notify';
import { type Services } from './services';
import { startUp } from './startup';

/** Per-profile values in globalState (besides the keys' flag, which the credential store clears). */
const PROFILE_DATA_KEYS = [TRACKED_KEY, PENDING_EXPORTS_KEY, PARTIAL_DOWNLOADS_KEY].flatMap((k) => [k, `${k}.unreadable`]);
/** globalState: hashes of environment access keys already offered (an AK is not a secret, but it need not be kept). */
export const ENV_OFFERED_KEY = 'qianfan.envKeysOffered';

function nameMessage(problem: ProfileNameProblem | undefined): string | undefined {
  switch (problem) {
    case undefined:
      return undefined;
    case 'empty':
      return vscode.l10n.t('Enter a name for the profile.');
    case 'tooLong':
      return vscode.l10n.t('A profile name is at most 40 characters.');
    case 'control':
      return vscode.l10n.t('A profile name cannot contain control characters.');
    case 'taken':
      return vscode.l10n.t('There is already a profile with this name.');
  }
}

function busyMessage(kinds: readonly BusyKind[]): string {
  const words: Record<BusyKind, string> = {
    delete: vscode.l10n.t('a delete'),
    export: vscode.l10n.t('the start of an export'),
    download: vscode.l10n.t('a download'),
    track: vscode.l10n.t('a change of the tracked versions'),
  };
  return vscode.l10n.t('The profile was not switched: {0} is under way in this profile. Let it finish (or cancel it), then switch.', words[kinds[0]]);
}

async function askName(s: Services, title: string, value: string | undefined, except?: string): Promise<string | undefined> {
  const name = await s.prompts.inputBox({
    title,
    prompt: vscode.l10n.t('A name for this key pair, e.g. personal, team or read-only.'),
    value,
    validateInput: (v) => nameMessage(profileNameProblem(v, s.profiles.list(), except)),
  });
  if (name === undefined) {
    return undefined;
  }
  const problem = nameMessage(profileNameProblem(name, s.profiles.list(), except));
  if (problem) {
    void notify(s, 'error', vscode.l10n.t('The profile was not saved: {0}', problem));
    return undefined;
  }
  return name.trim();
}

/** Switches, unless something of the active profile is under way; true when the profile is now `id`. */
export async function switchTo(s: Services, id: string): Promise<boolean> {
  if (s.profiles.active.id === id) {
    return true;
  }
  const busy = s.busy.kinds;
  if (busy.length > 0) {
    void notify(s, 'warn', busyMessage(busy));
    return false;
  }
  const from = s.profiles.active.name;
  await s.profiles.switchTo(id);
  s.logger.info(`Profile switched from ${from} to ${s.profiles.active.name}`);
  return true;
}

/**
 * A new profile: its name, then its keys (checked), saved together; then it becomes the active one.
 * `suggested` fills the boxes (keys found in the environment).
 */
export async function addProfile(
  s: Services,
  suggested?: { name: string; pair?: { accessKeyId: string; secretAccessKey: string } },
): Promise<Profile | undefined> {
  const name = await askName(s, vscode.l10n.t('New Qianfan profile'), suggested?.name);
  if (name === undefined) {
    return undefined;
  }
  const pair = suggested?.pair ?? (await askKeys(s, vscode.l10n.t('Profile {0}', name)));
  if (!pair) {
    return undefined;
  }
  const profile = await s.profiles.add(name);
  await s.credentials.setFor(profile.id, pair);
  s.logger.info(`Profile ${profile.name} added (access key ${pair.accessKeyId})`);
  if (await switchTo(s, profile.id)) {
    void notify(s, 'info', vscode.l10n.t('Profile {0} added and active.', profile.name));
  } else {
    void notify(s, 'info', vscode.l10n.t('Profile {0} added.', profile.name));
  }
  return profile;
}

interface ProfileItem extends vscode.QuickPickItem {
  readonly profile?: Profile;
}

async function profileItems(s: Services, profiles: readonly Profile[]): Promise<ProfileItem[]> {
  const active = s.profiles.active.id;
  return Promise.all(
    profiles.map(async (p) => {
      const keys = await s.credentials.getFor(p.id);
      const where = keys ? `AK ${keys.accessKeyId.slice(0, 4)}…` : vscode.l10n.t('no keys');
      return {
        label: p.id === active ? `$(check) ${p.name}` : p.name,
        description: p.id === active ? `${where} · ${vscode.l10n.t('active')}` : where,
        profile: p,
      };
    }),
  );
}

export async function switchProfile(s: Services): Promise<void> {
  const add: ProfileItem = { label: `$(add) ${vscode.l10n.t('Add Profile…')}` };
  const choice = await s.prompts.pickOne([...(await profileItems(s, s.profiles.list())), add], {
    placeHolder: vscode.l10n.t('Choose the Qianfan profile (key pair) to work with'),
  });
  if (!choice) {
    return;
  }
  if (!choice.profile) {
    await addProfile(s);
    return;
  }
  if (await switchTo(s, choice.profile.id)) {
    void notify(s, 'info', vscode.l10n.t('Qianfan profile: {0}.', choice.profile.name));
  }
}

export async function renameProfile(s: Services): Promise<void> {
  const profiles = s.profiles.list();
  const target =
    profiles.length === 1
      ? profiles[0]
      : (await s.prompts.pickOne(await profileItems(s, profiles), { placeHolder: vscode.l10n.t('Choose the profile to rename') }))?.profile;
  if (!target) {
    return;
  }
  const name = await askName(s, vscode.l10n.t('Rename the profile {0}', target.name), target.name, target.id);
  if (name === undefined || name === target.name) {
    return;
  }
  await s.profiles.rename(target.id, name);
  s.logger.info(`Profile ${target.name} renamed to ${name}`);
  void notify(s, 'info', vscode.l10n.t('Profile {0} is now {1}.', target.name, name));
}

export async function removeProfile(s: Services): Promise<void> {
  const others = s.profiles.list().filter((p) => p.id !== s.profiles.active.id);
  if (others.length === 0) {
    void notify(
      s,
      'info',
      vscode.l10n.t('{0} is the only profile and the active one: there is nothing to remove. Clear its keys with Clear Credentials.', s.profiles.active.name),
    );
    return;
  }
  const target = (
    await s.prompts.pickOne(await profileItems(s, others), {
      placeHolder: vscode.l10n.t('Choose the profile to remove (the active profile, {0}, cannot be removed)', s.profiles.active.name),
    })
  )?.profile;
  if (!target) {
    return;
  }
  const tracked = (s.store.get<unknown[]>(profileKey(target.id, TRACKED_KEY)) ?? []).length;
  const ok = await s.prompts.confirm(
    vscode.l10n.t('Remove the profile {0}?', target.name),
    vscode.l10n.t('Its keys and its list of {0} tracked versions are forgotten in VS Code. Nothing is deleted in Qianfan.', tracked),
    vscode.l10n.t('Remove'),
  );
  if (!ok) {
    return;
  }
  await s.profiles.remove(target.id);
  await s.credentials.clearFor(target.id, true);
  for (const key of PROFILE_DATA_KEYS) {
    await s.store.update(profileKey(target.id, key), undefined);
  }
  s.logger.info(`Profile ${target.name} removed, with its keys and ${tracked} tracked version(s)`);
  void notify(s, 'info', vscode.l10n.t('Profile {0} removed.', target.name));
}

/** What a switch of profile resets: this window forgets what it learnt and starts as a reload would. */
export async function reloadState(s: Services, timing?: PollTiming): Promise<void> {
  s.exports.reset(timing);
  s.loader.cancelAll();
  s.details.clear();
  s.poller.reset();
  s.followPoller.reset(); // new, gone and looked-at marks belong to the profile they were learnt in
  s.tracked.forgetRead();
  s.followed.forgetRead();
  s.tree.reset();
  await startUp(s);
}

/** This window's profile was removed in another one: the switch away is said, never silent. */
function tellRemovedElsewhere(s: Services, change: ProfileChange): void {
  if (change.kind !== 'switched' || !change.removedElsewhere) {
    return;
  }
  s.logger.warn(`Profile ${change.from.name} was removed in another window; switched to ${change.to.name}`);
  void notify(s, 'warn', vscode.l10n.t('The profile "{0}" was removed in another window; switched to "{1}".', change.from.name, change.to.name));
}

/**
 * The status bar item: the active profile; a click switches. It is made at its first update, after
 * the keys are read (activation does not wait for it); the returned function gives it. Before any
 * switch, loads stop and what was learnt is written to the profile it was learnt in. The active
 * profile is watched: when this window comes to the front or secret storage changes (another
 * window removing a profile clears its keys), and whenever it is read, the stored list is looked at again.
 */
export function registerProfiles(context: vscode.ExtensionContext, s: Services): () => vscode.StatusBarItem {
  let made: vscode.StatusBarItem | undefined;
  const item = (): vscode.StatusBarItem => {
    if (!made) {
      made = vscode.window.createStatusBarItem('qianfan.profile', vscode.StatusBarAlignment.Left, 0);
      made.name = vscode.l10n.t('Qianfan Profile');
      made.command = 'qianfan.switchProfile';
      context.subscriptions.push(made);
    }
    return made;
  };
  const update = async () => {
    const profile = s.profiles.active;
    const keys = await s.credentials.get();
    const shown = item();
    shown.text = `$(account) ${profile.name}`;
    shown.tooltip = keys
      ? vscode.l10n.t('Qianfan profile {0} (AK {1}). Click to switch.', profile.name, `${keys.accessKeyId.slice(0, 4)}…`)
      : vscode.l10n.t('Qianfan profile {0} (no keys). Click to switch.', profile.name);
    shown.show();
  };
  context.subscriptions.push(
    s.profiles.onWillSwitch(writeLearntBeforeSwitch(s.loader)),
    s.profiles.onDidChange((change) => {
      if (change.kind === 'switched') {
        void reloadState(s);
        tellRemovedElsewhere(s, change);
      }
      void update();
    }),
    s.credentials.onDidChange(() => void update()),
    vscode.window.onDidChangeWindowState((e) => {
      if (e.focused) {
        void s.profiles.checkActive();
      }
    }),
    context.secrets.onDidChange(() => void s.profiles.checkActive()),
  );
  void update();
  return item;
}

function envHash(accessKeyId: string): string {
  return createHash('sha256').update(accessKeyId).digest('hex').slice(0, 16);
}

/**
 * The SDKs' QIANFAN_ACCESS_KEY / QIANFAN_SECRET_KEY in the extension host's environment: offered
 * once (per access key) as a profile, never used without the user saying so.
 */
export async function offerEnvironmentKeys(s: Services): Promise<void> {
  const accessKeyId = process.env.QIANFAN_ACCESS_KEY?.trim();
  const secretAccessKey = process.env.QIANFAN_SECRET_KEY?.trim();
  if (!accessKeyId || !secretAccessKey) {
    return;
  }
  const offered = s.store.get<string[]>(ENV_OFFERED_KEY) ?? [];
  const hash = envHash(accessKeyId);
  if (offered.includes(hash)) {
    return;
  }
  for (const p of s.profiles.list()) {
    if ((await s.credentials.getFor(p.id))?.accessKeyId === accessKeyId) {
      return; // already a profile
    }
  }
  s.redactor.addSecret(secretAccessKey);
  await s.store.update(ENV_OFFERED_KEY, [...offered, hash]);
  const add = vscode.l10n.t('Add as Profile…');
  const choice = await notify(
    s,
    'info',
    vscode.l10n.t(
      'QIANFAN_ACCESS_KEY and QIANFAN_SECRET_KEY are set in this environment (AK {0}). Add them as a Qianfan profile? They are not used unless you do.',
      `${accessKeyId.slice(0, 4)}…`,
    ),
    add,
  );
  if (choice !== add) {
    s.logger.info('Keys from the environment offered and not added');
    return;
  }
  const pair = await checkedEnvPair(s, { accessKeyId, secretAccessKey });
  if (pair) {
    const taken = s.profiles.list().some((p) => p.name.toLowerCase() === 'environment');
    await addProfile(s, { name: taken ? '' : 'environment', pair });
  }
}

/** The environment's pair through the same check as typed keys (a failure is said; saving anyway is the user's call). */
async function checkedEnvPair(s: Services, pair: { accessKeyId: string; secretAccessKey: string }): Promise<typeof pair | undefined> {
  const outcome = await runKeyCheck(s, pair);
  const message = keyCheckMessage(outcome, pair.accessKeyId, hostOf(s.settings().endpoint));
  if (message === undefined) {
    return pair;
  }
  const anyway = vscode.l10n.t('Save Anyway');
  return (await notify(s, 'error', vscode.l10n.t('{0} The keys were not saved.', message), anyway)) === anyway ? pair : undefined;
}
