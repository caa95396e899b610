/**
 * The access key / secret key of each profile, kept only in VS Code's SecretStorage (the OS
 * keyring). The "default" profile's pair is under the names it had before profiles existed
 * (`qianfan.accessKeyId`, `qianfan.secretAccessKey`), so it needs no migration; another profile's
 * names end in `@<profile ID>`. A change made in another window arrives through
 * `secrets.onDidChange`.
 *
 * Beside them, globalState holds one non-secret flag per profile: whether keys were set (and not
 * cleared), so that a host whose secret storage does not survive a reload can be told apart from
 * a user who never set keys.
 *
 * `get`, `set`, `clear`, `lost` and `everSet` are about the active profile; `onDidChange` tells
 * when the active profile's pair changed (also when a switch brings another pair).
 */
import * as vscode from 'vscode';
import { CancelledError } from '../core/qianfan/errors';
import { type KeyValueStore } from '../core/state/keyValueStore';
import { type ProfileStore, profileKey } from '../core/state/profiles';
import { type Redactor } from '../core/base/redact';
import { type AccessKeyPair } from '../core/qianfan/signer';

const ACCESS_KEY = 'qianfan.accessKeyId';
const SECRET_KEY = 'qianfan.secretAccessKey';
/** globalState (per profile): true once keys were stored, false once cleared, absent before either. */
export const KEYS_STORED_FLAG = 'qianfan.keysStored';

function samePair(a: AccessKeyPair | undefined, b: AccessKeyPair | undefined): boolean {
  return a?.accessKeyId === b?.accessKeyId && a?.secretAccessKey === b?.secretAccessKey;
}

/** The profile a secret's name belongs to, or undefined when it is not one of ours. */
function profileOfSecret(name: string): string | undefined {
  for (const base of [ACCESS_KEY, SECRET_KEY]) {
    if (name === base) {
      return 'default';
    }
    if (name.startsWith(base + '@')) {
      return name.slice(base.length + 1);
    }
  }
  return undefined;
}

export class SecretCredentialStore implements vscode.Disposable {
  private readonly cached = new Map<string, Promise<AccessKeyPair | undefined>>();
  /** set() or clear() is writing: their own storage events are not news (they tell once, at the end). */
  private writing = 0;
  /** The active pair as last told, to tell a switch that brings the same pair from one that does not. */
  private told?: AccessKeyPair;
  private readonly emitter = new vscode.EventEmitter<void>();
  private readonly subscriptions: vscode.Disposable[] = [];
  readonly onDidChange = this.emitter.event;

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly redactor: Redactor,
    private readonly state: KeyValueStore,
    private readonly profiles: ProfileStore,
  ) {
    this.subscriptions.push(
      secrets.onDidChange((e) => {
        const profile = profileOfSecret(e.key);
        if (profile !== undefined && this.writing === 0) {
          void this.reread(profile);
        }
      }),
      profiles.onDidChange((change) => {
        if (change.kind === 'switched') {
          void this.tellIfChanged();
        }
      }),
    );
  }

  private get activeId(): string {
    return this.profiles.active.id;
  }

  /** Another window changed a profile's keys: read them again, and tell when the active pair differs. */
  private async reread(profile: string): Promise<void> {
    this.cached.delete(profile);
    if (profile === this.activeId) {
      await this.tellIfChanged();
    }
  }

  private async tellIfChanged(): Promise<void> {
    const before = this.told;
    const now = await this.get();
    if (!samePair(before, now)) {
      this.emitter.fire();
    }
  }

  /** The active profile's pair. */
  async get(): Promise<AccessKeyPair | undefined> {
    const pair = await this.getFor(this.activeId);
    this.told = pair;
    return pair;
  }

  /** Any profile's pair (a client bound to a profile signs with its keys, whatever is active later). */
  getFor(profileId: string): Promise<AccessKeyPair | undefined> {
    let pair = this.cached.get(profileId);
    if (!pair) {
      pair = this.read(profileId);
      this.cached.set(profileId, pair);
    }
    return pair;
  }

  /** Into the active profile; nothing when another window removed it meanwhile (the switch away is told instead). */
  async set(pair: AccessKeyPair): Promise<void> {
    if (await this.profiles.checkActive()) {
      throw new CancelledError();
    }
    return this.setFor(this.activeId, pair);
  }

  async setFor(profileId: string, pair: AccessKeyPair): Promise<void> {
    this.redactor.addSecret(pair.secretAccessKey);
    await this.write(profileId, pair, async () => {
      await this.secrets.store(profileKey(profileId, SECRET_KEY), pair.secretAccessKey);
      await this.secrets.store(profileKey(profileId, ACCESS_KEY), pair.accessKeyId);
      await this.state.update(profileKey(profileId, KEYS_STORED_FLAG), true);
    });
  }

  clear(): Promise<void> {
    return this.clearFor(this.activeId);
  }

  /** Deletes a profile's keys; `forget` also drops its flag (the profile itself is being removed). */
  async clearFor(profileId: string, forget = false): Promise<void> {
    await this.write(profileId, undefined, async () => {
      await this.secrets.delete(profileKey(profileId, ACCESS_KEY));
      await this.secrets.delete(profileKey(profileId, SECRET_KEY));
      await this.state.update(profileKey(profileId, KEYS_STORED_FLAG), forget ? undefined : false);
    });
  }

  /** Writes, then tells the change once when it is the active profile's (not at all when its keys stay the same). */
  private async write(profileId: string, pair: AccessKeyPair | undefined, steps: () => Promise<void>): Promise<void> {
    if (profileId === this.activeId) {
      await this.get(); // what the pair was, to tell whether it changed
    }
    this.writing++;
    try {
      await steps();
    } catch (error) {
      this.cached.delete(profileId); // read again next time: what was written is unknown
      throw error;
    } finally {
      this.writing--;
    }
    this.cached.set(profileId, Promise.resolve(pair));
    if (profileId === this.activeId) {
      await this.tellIfChanged();
    }
  }

  /** Keys were set in the active profile and never cleared, yet secret storage has none: the host did not keep them. */
  async lost(): Promise<boolean> {
    return this.state.get<boolean>(profileKey(this.activeId, KEYS_STORED_FLAG)) === true && (await this.get()) === undefined;
  }

  /** Whether keys were ever set or cleared in the active profile (demo keys are offered only before). */
  everSet(): boolean {
    return this.state.get<boolean>(profileKey(this.activeId, KEYS_STORED_FLAG)) !== undefined;
  }

  private async read(profileId: string): Promise<AccessKeyPair | undefined> {
    const [accessKeyId, secretAccessKey] = await Promise.all([
      this.secrets.get(profileKey(profileId, ACCESS_KEY)),
      this.secrets.get(profileKey(profileId, SECRET_KEY)),
    ]);
    if (!accessKeyId || !secretAccessKey) {
      return undefined;
    }
    this.redactor.addSecret(secretAccessKey);
    return { accessKeyId, secretAccessKey };
  }

  dispose(): void {
    for (const d of this.subscriptions) {
      d.dispose();
    }
    this.emitter.dispose();
  }
}
