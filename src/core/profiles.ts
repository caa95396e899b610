/**
 * Profiles: named key pairs. Each profile has its own tracked versions, last known statuses,
 * pending exports and partial downloads; its secret key lives in secret storage (see the
 * platform's SecretCredentialStore), never here.
 *
 * The list and the last active profile are kept in a KeyValueStore (globalState). The profile a
 * window works with is chosen when the window starts (the last one chosen anywhere) and changes
 * only by `switchTo` in that window: another window's switch does not pull the state from under
 * this one.
 *
 * The first profile, "default", is what there was before profiles: its data stays under the keys
 * it always had, so an existing key pair and tracked list become the "default" profile without
 * anything being moved. Every other profile's data lives under keys with its ID in them.
 */
import { Emitter } from './events';
import { type KeyValueStore } from './keyValueStore';
import { isRecord } from './listStore';

export interface Profile {
  readonly id: string;
  readonly name: string;
}

export type ProfileChange =
  { readonly kind: 'switched'; readonly from: Profile; readonly to: Profile } | { readonly kind: 'added' | 'renamed' | 'removed'; readonly profile: Profile };

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
  private activeId: string;
  private readonly emitter = new Emitter<ProfileChange>();
  readonly onDidChange = this.emitter.event;

  constructor(private readonly state: KeyValueStore) {
    const wanted = state.get<unknown>(ACTIVE_PROFILE_KEY);
    const profiles = this.list();
    this.activeId = profiles.find((p) => p.id === wanted)?.id ?? profiles[0].id;
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

  /** The profile this window works with. */
  get active(): Profile {
    return this.get(this.activeId) ?? this.list()[0];
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
    if (id === this.activeId || profiles.length === 1) {
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
    const from = this.active;
    if (from.id === to.id) {
      return;
    }
    this.activeId = to.id;
    // the list is written too, so that "default" (never stored while alone) is kept once there are two
    await this.state.update(PROFILES_KEY, this.list());
    await this.state.update(ACTIVE_PROFILE_KEY, to.id);
    this.emitter.fire({ kind: 'switched', from, to });
  }

  dispose(): void {
    this.emitter.dispose();
  }
}

/** A KeyValueStore whose keys belong to the active profile (read at each call). */
export function profileScopedStore(base: KeyValueStore, profiles: { key(key: string): string }): KeyValueStore {
  return {
    get: <T>(key: string) => base.get<T>(profiles.key(key)),
    update: (key, value) => base.update(profiles.key(key), value),
  };
}
