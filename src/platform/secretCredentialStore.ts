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

export class SecretCredentialStore implements vscode.Disposable {
  private cached?: Promise<AccessKeyPair | undefined>;
  private readonly emitter = new vscode.EventEmitter<void>();
  private readonly subscription: vscode.Disposable;
  readonly onDidChange = this.emitter.event;

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly redactor: Redactor,
    private readonly state: KeyValueStore,
  ) {
    this.subscription = secrets.onDidChange((e) => {
      if (e.key === ACCESS_KEY || e.key === SECRET_KEY) {
        this.cached = undefined;
        this.emitter.fire();
      }
    });
  }

  get(): Promise<AccessKeyPair | undefined> {
    this.cached ??= this.read();
    return this.cached;
  }

  async set(pair: AccessKeyPair): Promise<void> {
    this.redactor.addSecret(pair.secretAccessKey);
    await this.secrets.store(SECRET_KEY, pair.secretAccessKey);
    await this.secrets.store(ACCESS_KEY, pair.accessKeyId);
    await this.state.update(KEYS_STORED_FLAG, true);
    this.cached = Promise.resolve(pair);
    this.emitter.fire();
  }

  async clear(): Promise<void> {
    await this.secrets.delete(ACCESS_KEY);
    await this.secrets.delete(SECRET_KEY);
    await this.state.update(KEYS_STORED_FLAG, false);
    this.cached = Promise.resolve(undefined);
    this.emitter.fire();
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
