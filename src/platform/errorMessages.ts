/**
 * Short, localized notification text for an error; the full detail goes to the log. What an
 * API error means comes from the one table of error classes (core/errorCodes.ts).
 */
import * as vscode from 'vscode';
import { ACCESS_DENIED_HINT, QianfanError, isKeyFailure } from '../core/errors';
import { cleanText } from '../core/text';

/** The request ID, once: the text itself never carries it (QianfanError.summary leaves it out). */
function withRequestId(text: string, error: QianfanError): string {
  return error.requestId ? `${text} ${vscode.l10n.t('(request ID {0})', error.requestId)}` : text;
}

function apiMessage(error: QianfanError): string {
  switch (error.errorClass) {
    case 'permission':
      return vscode.l10n.t('Access denied. {0}', ACCESS_DENIED_HINT);
    case 'auth':
      return vscode.l10n.t('Qianfan rejected the keys ({0}). Check the access key and secret key.', error.code ?? `HTTP ${error.status ?? '?'}`);
    case 'expired':
      return vscode.l10n.t("Qianfan says the request expired: check this computer's clock.");
    default:
      return vscode.l10n.t('Qianfan error: {0}', error.summary());
  }
}

function kindMessage(error: QianfanError): string {
  switch (error.kind) {
    case 'noCredentials':
      return vscode.l10n.t('No Qianfan access key is set.');
    case 'invalidInput':
      return vscode.l10n.t('Invalid input: {0}', error.message);
    case 'timeout':
      return vscode.l10n.t('Qianfan did not answer in time ({0}).', error.action ?? '');
    case 'network':
      return vscode.l10n.t('Could not reach Qianfan: {0}', error.message);
    case 'badResponse':
    case 'tooLarge':
      return vscode.l10n.t('Qianfan sent an unexpected answer: {0}', error.message);
    case 'internal':
      return vscode.l10n.t('Qianfan: {0}', error.message);
    case 'api':
      return apiMessage(error);
  }
}

export function userMessage(error: unknown): string {
  if (!(error instanceof QianfanError)) {
    return vscode.l10n.t('Qianfan: {0}', cleanText(error instanceof Error ? error.message : String(error)));
  }
  return withRequestId(kindMessage(error), error);
}

/** Whether the error is one that new keys would fix: offer "Set Access Key…". */
export function needsKeys(error: unknown): boolean {
  return isKeyFailure(error);
}
