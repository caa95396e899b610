/**
 * The access key / secret key, kept only in VS Code's SecretStorage (the OS keyring).
 * A change made in another window arrives through `secrets.onDidChange`.
 * Beside them, globalState holds one non-secret flag: whether keys were set (and not cleared),
 * so that a host whose secret storage does not survive a reload can be told apart from a user
 * who never set keys.
 */
import * as vscode from 'vscode';
import { type KeyValueStore } from '../core/keyValueStore';
import { type Redactor } from '../core/redact';
import { type AccessKeyPair } from '../core/signer';

const ACCESS_KEY = 'qianfan.accessKeyId';
const SECRET_KEY = 'qianfan.secretAccessKey';
/** globalState: true once keys were stored, false once cleared, absent before either. */
export const KEYS_STORED_FLAG = 'qianfan.keysStored';

function samePair(a: AccessKeyPair | undefined, b: AccessKeyPair | undefined): boolean {
  return a?.accessKeyId === b?.accessKeyId && a?.secretAccessKey === b?.secretAccessKey;
}

export class SecretCredentialStore implements vscode.Disposable {
  private cached?: Promise<AccessKeyPair | undefined>;
  /** set() or clear() is writing: their own storage events are not news (they tell once, at the end). */
  private writing = 0;
  private readonly emitter = new vscode.EventEmitter<void>();
  private readonly subscription: vscode.Disposable;
  readonly onDidChange = this.emitter.event;

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly redactor: Redactor,
    private readonly state: KeyValueStore,
  ) {
    this.subscription = secrets.onDidChange((e) => {
      if ((e.key === ACCESS_KEY || e.key === SECRET_KEY) && this.writing === 0) {
        void this.reread();
      }
    });
  }

  /** Another window changed the keys: read them again, and tell only when the pair differs. */
  private async reread(): Promise<void> {
    const known = this.cached;
    const before = known ? await known : undefined;
    const next = this.read();
    this.cached = next;
    if (!known || !samePair(before, await next)) {
      this.emitter.fire();
    }
  }

  get(): Promise<AccessKeyPair | undefined> {
    this.cached ??= this.read();
    return this.cached;
  }

  async set(pair: AccessKeyPair): Promise<void> {
    this.redactor.addSecret(pair.secretAccessKey);
    await this.write(pair, async () => {
      await this.secrets.store(SECRET_KEY, pair.secretAccessKey);
      await this.secrets.store(ACCESS_KEY, pair.accessKeyId);
      await this.state.update(KEYS_STORED_FLAG, true);
    });
  }

  async clear(): Promise<void> {
    await this.write(undefined, async () => {
      await this.secrets.delete(ACCESS_KEY);
      await this.secrets.delete(SECRET_KEY);
      await this.state.update(KEYS_STORED_FLAG, false);
    });
  }

  /** Writes, then tells the change once (not at all when the keys stay the same). */
  private async write(pair: AccessKeyPair | undefined, steps: () => Promise<void>): Promise<void> {
    const before = await this.get();
    this.writing++;
    try {
      await steps();
    } catch (error) {
      this.cached = undefined; // read again next time: what was written is unknown
      throw error;
    } finally {
      this.writing--;
    }
    this.cached = Promise.resolve(pair);
    if (!samePair(before, pair)) {
      this.emitter.fire();
    }
  }

  /** Keys were set here and never cleared, yet secret storage has none: the host did not keep them. */
  async lost(): Promise<boolean> {
    return this.state.get<boolean>(KEYS_STORED_FLAG) === true && (await this.get()) === undefined;
  }

  /** Whether keys were ever set or cleared in this profile (demo keys are offered only before). */
  everSet(): boolean {
    return this.state.get<boolean>(KEYS_STORED_FLAG) !== undefined;
  }

  private async read(): Promise<AccessKeyPair | undefined> {
    const [accessKeyId, secretAccessKey] = await Promise.all([this.secrets.get(ACCESS_KEY), this.secrets.get(SECRET_KEY)]);
    if (!accessKeyId || !secretAccessKey) {
      return undefined;
    }
    this.redactor.addSecret(secretAccessKey);
    return { accessKeyId, secretAccessKey };
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
  }
}
