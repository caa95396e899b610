/**
 * The access key / secret key, kept only in VS Code's SecretStorage (the OS keyring).
 * A change made in another window arrives through `secrets.onDidChange`.
 */
import * as vscode from 'vscode';
import { type Redactor } from '../core/redact';
import { type AccessKeyPair } from '../core/signer';

const ACCESS_KEY = 'qianfan.accessKeyId';
const SECRET_KEY = 'qianfan.secretAccessKey';

export class SecretCredentialStore implements vscode.Disposable {
  private cached?: Promise<AccessKeyPair | undefined>;
  private readonly emitter = new vscode.EventEmitter<void>();
  private readonly subscription: vscode.Disposable;
  readonly onDidChange = this.emitter.event;

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly redactor: Redactor,
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
    this.cached = Promise.resolve(pair);
    this.emitter.fire();
  }

  async clear(): Promise<void> {
    await this.secrets.delete(ACCESS_KEY);
    await this.secrets.delete(SECRET_KEY);
    this.cached = Promise.resolve(undefined);
    this.emitter.fire();
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
