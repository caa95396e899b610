/** Every notification goes through notify(): one clean line, redacted; errors are logged and shown alike. */
import * as vscode from 'vscode';
import { isCancelled } from '../core/qianfan/errors';
import { cleanText } from '../core/base/text';
import { type Redactor } from '../core/base/redact';
import { needsKeys, userMessage } from '../platform/errorMessages';
import { type Logger } from '../platform/logger';
import { type NotifyLevel, type Prompts } from '../platform/prompts';

/** What reporting needs (the services have it; tests swap the prompts). */
export interface Reporter {
  readonly prompts: Prompts;
  readonly redactor: Redactor;
  readonly logger: Logger;
}

/** The longest notification text: one line, cut here (server text is already cut shorter). */
export const MAX_NOTIFICATION = 1000;

/**
 * Shows a notification: its text passed through the redactor, then one clean line, cut short (in
 * that order, so that a secret is never cut in two before the redactor sees it whole).
 */
export function notify(services: Reporter, level: NotifyLevel, message: string, ...actions: string[]): Promise<string | undefined> {
  return services.prompts.notify(level, cleanText(services.redactor.redactString(message), MAX_NOTIFICATION), ...actions);
}

/**
 * A short notification with a "Show Log" button (the detail is in the log), and optionally
 * "Set Access Key…"; not awaited, so a command never waits for the user to dismiss it.
 */
export function notifyWithLog(services: Reporter, level: NotifyLevel, message: string, offerKeys = false): void {
  const showLog = vscode.l10n.t('Show Log');
  const setKeys = vscode.l10n.t('Set Access Key…');
  const actions = offerKeys ? [setKeys, showLog] : [showLog];
  void notify(services, level, message, ...actions).then((choice) => {
    if (choice === showLog) {
      services.logger.show();
    } else if (choice === setKeys) {
      void vscode.commands.executeCommand('qianfan.setCredentials');
    }
  });
}

/** Logs a failure and shows it; `subject` (localized, e.g. "Export of model / V1") names what it was about. */
export function reportError(services: Reporter, what: string, error: unknown, subject?: string): void {
  if (isCancelled(error)) {
    services.logger.info(`${what}: cancelled`);
    return;
  }
  services.logger.error(`${what} failed`, error);
  const text = userMessage(error);
  notifyWithLog(services, 'error', subject ? vscode.l10n.t('{0}: {1}', subject, text) : text, needsKeys(error));
}
