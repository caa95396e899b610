/**
 * Everything that asks or tells the user something goes through Prompts, so the host suite
 * can script the answers (no test hangs on a dialog) while the rest of the code stays real.
 */
import * as vscode from 'vscode';
import { Redactor } from '../core/redact';

export type NotifyLevel = 'info' | 'warn' | 'error';

export interface ProgressReporter {
  report(message: string, increment?: number): void;
}

export interface Prompts {
  inputBox(options: vscode.InputBoxOptions): Promise<string | undefined>;
  pickMany<T extends vscode.QuickPickItem>(items: readonly T[], options: vscode.QuickPickOptions): Promise<T[] | undefined>;
  pickOne<T extends vscode.QuickPickItem>(items: readonly T[], options: vscode.QuickPickOptions): Promise<T | undefined>;
  /** A modal warning with one confirm button; true only when that button is chosen. */
  confirm(message: string, detail: string, confirmLabel: string): Promise<boolean>;
  notify(level: NotifyLevel, message: string, ...actions: string[]): Promise<string | undefined>;
  withProgress<R>(title: string, cancellable: boolean, task: (progress: ProgressReporter, signal: AbortSignal) => Promise<R>): Promise<R>;
  copy(text: string): Promise<void>;
  open(url: string): Promise<void>;
  /** Where to save a file; undefined when the user cancels. */
  saveDialog(options: vscode.SaveDialogOptions): Promise<vscode.Uri | undefined>;
  /** A short message in the status bar that goes away by itself ("Copied"). */
  status(message: string): void;
}

export class VsCodePrompts implements Prompts {
  /** Notifications pass this redactor (the pattern rules at least) whoever calls notify. */
  constructor(private readonly redactor: Redactor = new Redactor()) {}

  async inputBox(options: vscode.InputBoxOptions): Promise<string | undefined> {
    return vscode.window.showInputBox({ ignoreFocusOut: true, ...options });
  }

  async pickMany<T extends vscode.QuickPickItem>(items: readonly T[], options: vscode.QuickPickOptions): Promise<T[] | undefined> {
    return vscode.window.showQuickPick(items, { ...options, canPickMany: true, ignoreFocusOut: true });
  }

  async pickOne<T extends vscode.QuickPickItem>(items: readonly T[], options: vscode.QuickPickOptions): Promise<T | undefined> {
    return vscode.window.showQuickPick(items, { ...options, canPickMany: false, ignoreFocusOut: true });
  }

  async confirm(message: string, detail: string, confirmLabel: string): Promise<boolean> {
    const choice = await vscode.window.showWarningMessage(message, { modal: true, detail }, { title: confirmLabel });
    return choice?.title === confirmLabel;
  }

  async notify(level: NotifyLevel, rawMessage: string, ...actions: string[]): Promise<string | undefined> {
    const message = this.redactor.redactString(rawMessage);
    switch (level) {
      case 'error':
        return vscode.window.showErrorMessage(message, ...actions);
      case 'warn':
        return vscode.window.showWarningMessage(message, ...actions);
      default:
        return vscode.window.showInformationMessage(message, ...actions);
    }
  }

  withProgress<R>(title: string, cancellable: boolean, task: (progress: ProgressReporter, signal: AbortSignal) => Promise<R>): Promise<R> {
    return Promise.resolve(
      vscode.window.withProgress<R>({ location: vscode.ProgressLocation.Notification, title, cancellable }, (progress, token) => {
        const controller = new AbortController();
        const sub = token.onCancellationRequested(() => controller.abort());
        const reporter: ProgressReporter = { report: (message, increment) => progress.report({ message, increment }) };
        return task(reporter, controller.signal).finally(() => {
          sub.dispose();
        });
      }),
    );
  }

  async copy(text: string): Promise<void> {
    await vscode.env.clipboard.writeText(text);
  }

  async saveDialog(options: vscode.SaveDialogOptions): Promise<vscode.Uri | undefined> {
    return vscode.window.showSaveDialog(options);
  }

  status(message: string): void {
    vscode.window.setStatusBarMessage(this.redactor.redactString(message), 3000);
  }

  async open(url: string): Promise<void> {
    await vscode.env.openExternal(vscode.Uri.parse(url, true));
  }
}
