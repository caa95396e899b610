/** Short, localized notification text for an error; the full detail goes to the log. */
import * as vscode from 'vscode';
import { ACCESS_DENIED_HINT, QianfanError } from '../core/errors';

function withRequestId(text: string, error: QianfanError): string {
  return error.requestId ? `${text} ${vscode.l10n.t('(request ID {0})', error.requestId)}` : text;
}

export function userMessage(error: unknown): string {
  if (!(error instanceof QianfanError)) {
    return vscode.l10n.t('Qianfan: {0}', error instanceof Error ? error.message : String(error));
  }
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
      return withRequestId(vscode.l10n.t('Qianfan sent an unexpected answer: {0}', error.message), error);
    case 'api':
      break;
  }
  if (error.code === 'AccessDenied') {
    return withRequestId(vscode.l10n.t('Access denied. {0}', ACCESS_DENIED_HINT), error);
  }
  if (error.code === 'SignatureDoesNotMatch' || error.code === 'InvalidAccessKeyId' || error.code === 'InvalidHTTPAuthHeader') {
    return withRequestId(vscode.l10n.t('Qianfan rejected the keys ({0}). Check the access key and secret key.', error.code), error);
  }
  if (error.code === 'RequestExpired') {
    return withRequestId(vscode.l10n.t("Qianfan says the request expired: check this computer's clock."), error);
  }
  return withRequestId(vscode.l10n.t('Qianfan error: {0}', error.describe()), error);
}
