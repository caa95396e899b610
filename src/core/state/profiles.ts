/**
 * Profiles: named key pairs. Each profile has its own tracked versions, last known statuses,
 * pending exports and partial downloads; its secret key lives in secret storage (see the
 * platform's SecretCredentialStore), never here.
 *
 * The list and the last active profile are kept in a KeyValueStore (globalState). The profile a
 * window works with is chosen when the window starts (the last one chosen anywhere) and changes
 * only by `switchTo` in that window: another window's switch does not pull the state from under
 * this one. Another window can remove it, though (globalState is shared): then this window
 * switches to the first profile left, explicitly (`checkActive`, a 'switched' change that says
 * so), never by quietly reading another profile's keys.
 *
 * The first profile, "default", is what there was before profiles: its data stays under the keys
 * it always had, so an existing key pair and tracked list become the "default" profile without
 * anything being moved. Every other profile's data lives under keys with its ID in them.
 */
import { Emitter } from '../base/events';
import { type Disposable } from '../base/events';
import { type KeyValueStore } from './keyValueStore';
import { isRecord } from './listStore';
import { type SharedKeyValueStore, isShared } from './sharedStore';

export interface Profile {
  readonly id: string;
  readonly name: string;
}

export type ProfileChange =
  | {
      readonly kind: 'switched';
      readonly from: Profile;
      readonly to: Profile;
      /** Not chosen here: another window removed `from`. */
      readonly removedElsewhere?: true;
    }
  | { readonly kind: 'added' | 'renamed' | 'removed'; readonly profile: Profile }
  /** A switch asked for here failed after what runs before a switch began: `profile` stays active, what held itself for the switch goes on. */
  | { readonly kind: 'stayed'; readonly profile: Profile };

/** Runs before the active profile changes, while it is still `from` (what was learnt in it is written there). */
export type WillSwitch = (from: Profile) => Promise<void> | void;

export type ProfileNameProblem = 'empty' | 'tooLong' | 'taken' | 'control';

export const PROFILES_KEY = 'qianfan.profiles.v1';
export const ACTIVE_PROFILE_KEY = 'qianfan.activeProfile';
export const DEFAULT_PROFILE: Profile = { id: 'default', name: 'default' };
export const MAX_PROFILE_NAME = 40;
const ID = /^[a-z0-9-]{1,48}$/;

function normalizeProfile(value: unknown): Profile | undefined {
  if (!isRecord(value) || typeof value.id !== 'string' || !ID.test(value.id) || typeof value.name !== 'string') {
    return undefined;
  }
  const name = value.name.trim();
  return name === '' ? undefined : { id: value.id, name: name.slice(0, MAX_PROFILE_NAME) };
}

/** Why a name cannot be used for a new (or renamed) profile, or undefined when it can. */
export function profileNameProblem(name: string, profiles: readonly Profile[], except?: string): ProfileNameProblem | undefined {
  const trimmed = name.trim();
  if (trimmed === '') {
    return 'empty';
  }
  if (trimmed.length > MAX_PROFILE_NAME) {
    return 'tooLong';
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(trimmed)) {
    return 'control';
  }
  const lower = trimmed.toLowerCase();
  return profiles.some((p) => p.id !== except && p.name.toLowerCase() === lower) ? 'taken' : undefined;
}

/** A new ID from the name: its letters and digits, made unique ("team", "team-2"); "p" when nothing is left. */
export function newProfileId(name: string, taken: readonly string[]): string {
  const base =
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 32) || 'p';
  let id = base;
  for (let n = 2; taken.includes(id); n++) {
    id = `${base}-${n}`;
  }
  return id;
}

/** Where a profile keeps a per-profile value: the old key for "default", the key with the ID in it for the others. */
export function profileKey(profileId: string, key: string): string {
  return profileId === DEFAULT_PROFILE.id ? key : `${key}@${profileId}`;
}

export class ProfileStore {
  /** The active profile as last seen in the list (it stays so, removed or not, until a switch). */
  private current: Profile;
  private readonly emitter = new Emitter<ProfileChange>();
  readonly onDidChange = this.emitter.event;
  private readonly willSwitch = new Set<WillSwitch>();
  private checking?: Promise<boolean>;
  private checkQueued = false;

  constructor(private readonly state: KeyValueStore) {
    const wanted = state.get<unknown>(ACTIVE_PROFILE_KEY);
    const profiles = this.list();
    this.current = profiles.find((p) => p.id === wanted) ?? profiles[0];
  }

  /** `run` is awaited before each switch, the active profile still the old one. */
  onWillSwitch(run: WillSwitch): Disposable {
    this.willSwitch.add(run);
    return { dispose: () => this.willSwitch.delete(run) };
  }

  /** The profiles, in the order they were added; never empty ("default" when none was stored). */
  list(): Profile[] {
    const raw = this.state.get<unknown>(PROFILES_KEY);
    const profiles: Profile[] = [];
    if (Array.isArray(raw)) {
      for (const value of raw as unknown[]) {
        const profile = normalizeProfile(value);
        if (profile && !profiles.some((p) => p.id === profile.id)) {
          profiles.push(profile);
        }
      }
    }
    return profiles.length > 0 ? profiles : [DEFAULT_PROFILE];
  }

  get(id: string): Profile | undefined {
    return this.list().find((p) => p.id === id);
  }

  /**
   * The profile this window works with. When another window removed it, it stays this one (no
   * other profile's data is touched in its name) and the switch away follows at once, explicitly.
   */
  get active(): Profile {
    const profile = this.get(this.current.id);
    if (profile) {
      this.current = profile; // a rename in another window
      return profile;
    }
    if (!this.checkQueued) {
      this.checkQueued = true;
      queueMicrotask(() => {
        this.checkQueued = false;
        void this.checkActive();
      });
    }
    return this.current;
  }

  /**
   * Whether the stored list changed under this window and lost the active profile (another window
   * removed it): then this window switches to the first profile left, as a switch here does (what
   * runs before a switch, then a 'switched' change marked `removedElsewhere`), and it resolves true.
   */
  checkActive(): Promise<boolean> {
    this.checking ??= this.followRemoval().finally(() => (this.checking = undefined));
    return this.checking;
  }

  private async followRemoval(): Promise<boolean> {
    const from = this.current;
    if (this.get(from.id)) {
      return false;
    }
    await this.beforeSwitch(from, false);
    if (this.current !== from || this.get(from.id)) {
      return false; // switched meanwhile (or the profile is back)
    }
    const to = this.list()[0];
    this.current = to;
    this.emitter.fire({ kind: 'switched', from, to, removedElsewhere: true });
    return true;
  }

  /** Runs what waits for a switch; a failure stops a switch asked for here, but not the move away from a removed profile. */
  private async beforeSwitch(from: Profile, stopOnFailure: boolean): Promise<void> {
    for (const run of [...this.willSwitch]) {
      try {
        await run(from);
      } catch (error) {
        if (stopOnFailure) {
          throw error;
        }
        queueMicrotask(() => {
          throw error; // surfaces on its own (the host logs it)
        });
      }
    }
  }

  /** The store's key for a per-profile value of the active profile. */
  key(key: string): string {
    return profileKey(this.active.id, key);
  }

  async add(name: string): Promise<Profile> {
    const profiles = this.list();
    const problem = profileNameProblem(name, profiles);
    if (problem) {
      throw new Error(`profile name: ${problem}`);
    }
    const profile = {
      id: newProfileId(
        name,
        profiles.map((p) => p.id),
      ),
      name: name.trim(),
    };
    await this.state.update(PROFILES_KEY, [...profiles, profile]);
    this.emitter.fire({ kind: 'added', profile });
    return profile;
  }

  async rename(id: string, name: string): Promise<Profile> {
    const profiles = this.list();
    const problem = profileNameProblem(name, profiles, id);
    if (problem) {
      throw new Error(`profile name: ${problem}`);
    }
    const profile = { id, name: name.trim() };
    if (!profiles.some((p) => p.id === id)) {
      throw new Error(`no profile ${id}`);
    }
    await this.state.update(
      PROFILES_KEY,
      profiles.map((p) => (p.id === id ? profile : p)),
    );
    this.emitter.fire({ kind: 'renamed', profile });
    return profile;
  }

  /** Removes a profile from the list (its data is the caller's to clear); never the active one nor the last. */
  async remove(id: string): Promise<void> {
    const profiles = this.list();
    const profile = profiles.find((p) => p.id === id);
    if (!profile) {
      return;
    }
    if (id === this.current.id || profiles.length === 1) {
      throw new Error('the active profile cannot be removed');
    }
    await this.state.update(
      PROFILES_KEY,
      profiles.filter((p) => p.id !== id),
    );
    this.emitter.fire({ kind: 'removed', profile });
  }

  /** Makes `id` this window's profile (and the one new windows start with). */
  async switchTo(id: string): Promise<void> {
    const to = this.get(id);
    if (!to) {
      throw new Error(`no profile ${id}`);
    }
    if (this.active.id === to.id) {
      return;
    }
    try {
      await this.beforeSwitch(this.current, true);
    } catch (error) {
      this.emitter.fire({ kind: 'stayed', profile: this.current }); // what held itself for the switch goes on
      throw error;
    }
    const from = this.current; // after what ran before: a move away from a removed profile may have come first
    if (from.id === to.id) {
      return;
    }
    this.current = to;
    try {
      // the list is written too, so that "default" (never stored while alone) is kept once there are two
      await this.state.update(PROFILES_KEY, this.list());
      await this.state.update(ACTIVE_PROFILE_KEY, to.id);
    } catch (error) {
      this.current = from; // not switched: this window stays where it was
      this.emitter.fire({ kind: 'stayed', profile: from });
      throw error;
    }
    this.emitter.fire({ kind: 'switched', from, to });
  }

  dispose(): void {
    this.emitter.dispose();
  }
}

/**
 * What runs before a switch (the same for one asked for here and the move away from a profile
 * removed elsewhere): loads stop, and the statuses learnt in the old profile, which the loader
 * gathers for a while before writing, are written now, while its keys are still the active ones.
 */
export function writeLearntBeforeSwitch(loader: { cancelAll(): void; idle(): Promise<void>; flush(): Promise<void> }): WillSwitch {
  return async () => {
    loader.cancelAll();
    await loader.idle(); // answers already on their way are learnt, and gathered, before the write
    await loader.flush();
  };
}

/**
 * A KeyValueStore whose keys belong to the active profile (read at each call). On a store windows
 * share, changes go through its lock, and another window's changes to the active profile's keys
 * are told under the unscoped key; problems are told for every profile (their text says where).
 */
export function profileScopedStore(base: KeyValueStore, profiles: { key(key: string): string }): KeyValueStore {
  const scoped: KeyValueStore = {
    get: <T>(key: string) => base.get<T>(profiles.key(key)),
    update: (key, value) => base.update(profiles.key(key), value),
  };
  if (!isShared(base)) {
    return scoped;
  }
  const unscoped = (key: string) => (key.includes('@') ? key.slice(0, key.lastIndexOf('@')) : key);
  const shared: SharedKeyValueStore = {
    ...scoped,
    change: (key, change) => base.change(profiles.key(key), change),
    onDidChangeElsewhere: (listener) =>
      base.onDidChangeElsewhere((change) => {
        const key = unscoped(change.key);
        if (profiles.key(key) === change.key) {
          listener({ ...change, key });
        }
      }),
    onProblem: (listener) => base.onProblem((key, problem) => listener(unscoped(key), problem)),
  };
  return shared;
}
