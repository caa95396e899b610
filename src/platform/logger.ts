/** The "Qianfan" LogOutputChannel; what goes in and at which level is log.ts's. */
import * as vscode from 'vscode';
import { type Redactor } from '../core/base/redact';
import { Log } from './log';

export { describeError } from './log';

export class Logger extends Log implements vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;

  constructor(redactor: Redactor) {
    const channel = vscode.window.createOutputChannel('Qianfan', { log: true });
    super(redactor, channel);
    this.channel = channel;
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }
}
