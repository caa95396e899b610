/** The "Qianfan" LogOutputChannel; what goes in and at which level is log.ts's. */
import * as vscode from 'vscode';
import { type Redactor } from '../core/base/redact';
import { Log } from './log';

export { describeError } from './log';

export class Logger extends Log implements vscode.Disposable {
  private made: vscode.LogOutputChannel | undefined;
  private readonly opening: ReturnType<typeof setTimeout>;

  /** The channel is made once activation is over (or when first needed): lines logged before wait for it. */
  constructor(redactor: Redactor) {
    super(redactor);
    this.opening = setTimeout(() => this.channel, 0);
  }

  get channel(): vscode.LogOutputChannel {
    if (!this.made) {
      this.made = vscode.window.createOutputChannel('Qianfan', { log: true });
      this.attach(this.made);
    }
    return this.made;
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    clearTimeout(this.opening);
    this.made?.dispose();
  }
}
