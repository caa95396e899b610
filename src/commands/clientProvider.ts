/**
 * The Qianfan client, built from the settings on first use and again after they change; it
 * reports a skewed clock once (the log says it each time).
 */
import * as vscode from 'vscode';
import { QianfanError } from '../core/qianfan/errors';
import { QianfanClient } from '../core/qianfan/qianfanClient';
import { type AccessKeyPair } from '../core/qianfan/signer';
import { type Settings } from '../platform/config';
import { NodeFetchTransport } from '../node/nodeFetchTransport';
import { type Reporter, notify } from './notify';

export class ClientProvider implements vscode.Disposable {
  private client?: QianfanClient;
  private skewReported = false;
  private readonly transport = new NodeFetchTransport();
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly reporter: Reporter,
    private readonly settings: () => Settings,
    private readonly credentials: { getFor(profileId: string): Promise<AccessKeyPair | undefined> },
    private readonly profiles: { readonly active: { readonly id: string }; onDidChange(listener: () => void): { dispose(): void } },
    private readonly userAgent: string,
  ) {
    this.subscriptions = [
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('qianfan')) {
          this.client = undefined;
        }
      }),
      // a new profile gets a client of its own; one still at work (a bulk delete) keeps signing with its profile's keys
      profiles.onDidChange(() => (this.client = undefined)),
    ];
  }

  /** The active profile's client. */
  get(): QianfanClient {
    if (!this.client) {
      const profileId = this.profiles.active.id;
      this.client = this.create(
        () => this.credentials.getFor(profileId),
        (ms) => this.reportClockSkew(ms),
      );
    }
    return this.client;
  }

  /**
   * A client of its own for keys not saved yet (the key check), with what it learnt of the clock.
   * Its requests are logged like any other (the log never holds a secret).
   */
  forKeys(pair: AccessKeyPair): { client: QianfanClient; clockSkewMs(): number | undefined } {
    let skew: number | undefined;
    const client = this.create(
      () => Promise.resolve(pair),
      (ms) => (skew = ms),
    );
    return { client, clockSkewMs: () => skew };
  }

  private create(credentials: () => Promise<AccessKeyPair | undefined>, onClockSkew: (ms: number) => void): QianfanClient {
    const settings = this.settings();
    try {
      return new QianfanClient({
        endpoint: settings.endpoint,
        credentials,
        transport: this.transport,
        timeoutMs: settings.timeoutMs,
        concurrency: settings.concurrency, // where the adaptive limiter starts
        userAgent: this.userAgent,
        onRequest: (entry) => this.reporter.logger.request(entry),
        onClockSkew,
      });
    } catch (error) {
      throw new QianfanError({ kind: 'invalidInput', message: `the qianfan.endpoint setting: ${(error as Error).message}` });
    }
  }

  private reportClockSkew(ms: number): void {
    const minutes = Math.round(Math.abs(ms) / 60_000);
    this.reporter.logger.warn(`This computer's clock is ${minutes} min ${ms > 0 ? 'behind' : 'ahead of'} Qianfan's; requests are adjusted`);
    if (!this.skewReported) {
      this.skewReported = true;
      void notify(
        this.reporter,
        'warn',
        vscode.l10n.t("This computer's clock is off by about {0} minutes. Qianfan requests are adjusted, but please sync the clock.", minutes),
      );
    }
  }

  dispose(): void {
    for (const d of this.subscriptions) {
      d.dispose();
    }
  }
}
