/**
 * The Qianfan client, built from the settings on first use and again after they change; it
 * reports a skewed clock once (the log says it each time).
 */
import * as vscode from 'vscode';
import { QianfanError } from '../core/errors';
import { QianfanClient } from '../core/qianfanClient';
import { type Settings } from '../platform/config';
import { NodeFetchTransport } from '../platform/nodeFetchTransport';
import { type Reporter, notify } from './notify';

export class ClientProvider implements vscode.Disposable {
  private client?: QianfanClient;
  private skewReported = false;
  private readonly transport = new NodeFetchTransport();
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly reporter: Reporter,
    private readonly settings: () => Settings,
    private readonly credentials: { get(): Promise<{ accessKeyId: string; secretAccessKey: string } | undefined> },
    private readonly userAgent: string,
  ) {
    this.subscription = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('qianfan')) {
        this.client = undefined;
      }
    });
  }

  get(): QianfanClient {
    if (!this.client) {
      const settings = this.settings();
      try {
        this.client = new QianfanClient({
          endpoint: settings.endpoint,
          credentials: () => this.credentials.get(),
          transport: this.transport,
          timeoutMs: settings.timeoutMs,
          concurrency: settings.concurrency, // where the adaptive limiter starts
          userAgent: this.userAgent,
          onRequest: (entry) => this.reporter.logger.request(entry),
          onClockSkew: (ms) => this.reportClockSkew(ms),
        });
      } catch (error) {
        throw new QianfanError({ kind: 'invalidInput', message: `the qianfan.endpoint setting: ${(error as Error).message}` });
      }
    }
    return this.client;
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
    this.subscription.dispose();
  }
}
