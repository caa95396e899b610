/**
 * Everything that asks or tells the user something goes through Prompts, so the host suite
 * can script the answers (no test hangs on a dialog) while the rest of the code stays real.
 */
import * as vscode from 'vscode';
import { Redactor } from '../core/base/redact';

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
  /**
   * An input box that stays open until `check` accepts what was entered (it returns undefined)
   * or the user presses Escape (undefined); what `check` returns otherwise is shown under the box.
   */
  askUntil(options: vscode.InputBoxOptions, check: (value: string) => Promise<string | undefined>): Promise<string | undefined>;
  /**
   * pickMany where the rows `locked` names cannot be ticked (a tick on one is taken back at once):
   * rows shown for what they say. Optional: a caller without it uses pickMany and ignores them.
   */
  pickManyLocked?<T extends vscode.QuickPickItem>(
    items: readonly T[],
    options: vscode.QuickPickOptions,
    locked: (item: T) => boolean,
  ): Promise<T[] | undefined>;
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

  askUntil(options: vscode.InputBoxOptions, check: (value: string) => Promise<string | undefined>): Promise<string | undefined> {
    return new Promise((resolve) => {
      const box = vscode.window.createInputBox();
      box.title = options.title;
      box.prompt = options.prompt;
      box.placeholder = options.placeHolder;
      box.value = options.value ?? '';
      box.ignoreFocusOut = true;
      let done = false;
      const finish = (value: string | undefined) => {
        if (!done) {
          done = true;
          resolve(value);
          box.dispose();
        }
      };
      box.onDidChangeValue(async (value) => {
        const problem = await options.validateInput?.(value);
        box.validationMessage = typeof problem === 'string' ? problem : (problem?.message ?? undefined);
      });
      box.onDidAccept(async () => {
        const value = box.value;
        box.busy = true;
        box.enabled = false;
        try {
          const problem = await check(value);
          if (problem === undefined) {
            finish(value);
            return;
          }
          box.validationMessage = problem; // the box stays open, with what was typed
        } finally {
          box.busy = false;
          box.enabled = true;
        }
      });
      box.onDidHide(() => finish(undefined));
      box.show();
    });
  }

  pickManyLocked<T extends vscode.QuickPickItem>(
    items: readonly T[],
    options: vscode.QuickPickOptions,
    locked: (item: T) => boolean,
  ): Promise<T[] | undefined> {
    return new Promise((resolve) => {
      const pick = vscode.window.createQuickPick<T>();
      pick.title = options.title;
      pick.placeholder = options.placeHolder;
      pick.matchOnDescription = options.matchOnDescription ?? false;
      pick.matchOnDetail = options.matchOnDetail ?? false;
      pick.canSelectMany = true;
      pick.ignoreFocusOut = true;
      pick.items = items;
      pick.selectedItems = items.filter((i) => i.picked && !locked(i));
      let done = false;
      const finish = (chosen: T[] | undefined) => {
        if (!done) {
          done = true;
          resolve(chosen);
          pick.dispose();
        }
      };
      pick.onDidChangeSelection((selected) => {
        if (selected.some(locked)) {
          pick.selectedItems = selected.filter((i) => !locked(i));
        }
      });
      pick.onDidAccept(() => finish(pick.selectedItems.filter((i) => !locked(i))));
      pick.onDidHide(() => finish(undefined));
      pick.show();
    });
  }

  status(message: string): void {
    vscode.window.setStatusBarMessage(this.redactor.redactString(message), 3000);
  }

  async open(url: string): Promise<void> {
    await vscode.env.openExternal(vscode.Uri.parse(url, true));
  }
}
