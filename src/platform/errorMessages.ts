/**
 * Short, localized notification text for an error; the full detail goes to the log. What an
 * API error means comes from the one table of error classes (core/qianfan/errorCodes.ts), what a key
 * needs for an action from the table of policies (core/qianfan/permissions.ts). The core's own English
 * (its error messages are for the log) never reaches these sentences; the server's message is
 * shown only quoted, as the server's words, and every sentence passes the redactor with the known
 * keys: a server that echoes a secret key gets it into no notification, tree node, details page or
 * chat tool answer (they all word errors here).
 */
import * as vscode from 'vscode';
import { Redactor } from '../core/base/redact';
import { authFailure } from '../core/qianfan/errorCodes';
import { QianfanError, isKeyFailure } from '../core/qianfan/errors';
import { type ActionPurpose, permissionFor } from '../core/qianfan/permissions';

/** The services' redactor (the one that learns each key as it is read or typed); the pattern rules until then. */
let messageRedactor = new Redactor();

/** Every userMessage from now on passes this redactor (createServices gives it the one that knows the keys). */
export function useRedactor(redactor: Redactor): void {
  messageRedactor = redactor;
}

/** The request ID, once: the text itself never carries it. */
function withRequestId(text: string, error: QianfanError): string {
  return error.requestId ? `${text} ${vscode.l10n.t('(request ID {0})', error.requestId)}` : text;
}

function purposeText(purpose: ActionPurpose): string {
  switch (purpose) {
    case 'read':
      return vscode.l10n.t('read Qianfan models');
    case 'delete':
      return vscode.l10n.t('delete model versions');
    case 'export':
      return vscode.l10n.t('export model versions');
    case 'followExport':
      return vscode.l10n.t('follow an export (a read-only key cannot)');
    case 'readServices':
      return vscode.l10n.t('read services');
    case 'listServices':
      return vscode.l10n.t('list services');
  }
}

/** "This key may not delete model versions: it needs the IAM policy A or B." */
export function permissionMessage(action: string | undefined): string {
  const needed = permissionFor(action);
  if (!needed) {
    return vscode.l10n.t('Access denied: this key lacks the IAM policy for {0}. Check its policies in IAM (Users → Permissions).', action ?? '?');
  }
  return vscode.l10n.t(
    'This key may not {0}: its IAM user needs one of the policies {1} (IAM → Users → Permissions).',
    purposeText(needed.purpose),
    needed.policies.join(', '),
  );
}

/** "HTTP 400 InvalidRequest" — identifiers only, no sentence. */
function statusAndCode(error: QianfanError): string {
  return [error.status === undefined ? '' : `HTTP ${error.status}`, error.code ?? ''].filter((p) => p !== '').join(' ') || '?';
}

function nonJsonMessage(error: QianfanError): string {
  switch (error.answer) {
    case 'html':
      return vscode.l10n.t(
        "Qianfan's address answered {0} with a web page instead of Qianfan's answer: a proxy or gateway may be in the way.",
        statusAndCode(error),
      );
    case 'empty':
      return vscode.l10n.t("Qianfan's address answered {0} with nothing.", statusAndCode(error));
    default:
      return vscode.l10n.t("Qianfan's address answered {0} with something that is not Qianfan's answer (it may be cut short).", statusAndCode(error));
  }
}

function apiMessage(error: QianfanError): string {
  if (error.answer !== undefined) {
    return nonJsonMessage(error);
  }
  switch (error.errorClass) {
    case 'permission':
      return error.code === 'OptInRequired'
        ? vscode.l10n.t('Qianfan is not activated for this account (OptInRequired). Activate it in the Baidu AI Cloud console.')
        : permissionMessage(error.action);
    case 'auth':
      switch (authFailure(error)) {
        case 'unknownAccessKey':
          return vscode.l10n.t('Qianfan does not know this access key ({0}). Check the access key.', statusAndCode(error));
        case 'wrongSecretKey':
          return vscode.l10n.t('Qianfan refused the signature ({0}): the secret key does not match the access key.', statusAndCode(error));
        default:
          return vscode.l10n.t('Qianfan rejected the keys ({0}). Check the access key and secret key.', error.code ?? `HTTP ${error.status ?? '?'}`);
      }
    case 'expired':
      return vscode.l10n.t("Qianfan says the request expired: check this computer's clock.");
    case 'throttled':
      return vscode.l10n.t('Qianfan is limiting the rate of requests ({0}) and still did after several waits. Try again in a moment.', statusAndCode(error));
    case 'quota':
      return vscode.l10n.t(
        "Qianfan says this account's request quota (daily or total) is used up ({0}); waiting will not help. Check the quota in the Qianfan console.",
        statusAndCode(error),
      );
    case 'transient':
      return vscode.l10n.t('Qianfan had a problem ({0}) and still had after several tries. Try again later.', statusAndCode(error));
    case 'notFound':
      return vscode.l10n.t('Qianfan says it does not know it ({0}).', statusAndCode(error));
    default:
      // the server's own words, quoted; they may be English or Chinese
      return vscode.l10n.t('Qianfan refused {0} ({1}): “{2}”', error.action ?? '?', statusAndCode(error), error.message);
  }
}

function kindMessage(error: QianfanError): string {
  switch (error.kind) {
    case 'noCredentials':
      return vscode.l10n.t('No Qianfan access key is set.');
    case 'invalidInput':
      return error.action === undefined
        ? vscode.l10n.t('The qianfan.endpoint setting is not a valid address: https, or http only for a loopback address (127.0.0.1, localhost).')
        : vscode.l10n.t('Not sent: the ID given to {0} is not a valid ID.', error.action);
    case 'timeout':
      return vscode.l10n.t('Qianfan did not answer in time ({0}).', error.action ?? '');
    case 'network':
      return vscode.l10n.t('Could not reach Qianfan ({0}): check the network, the proxy or the qianfan.endpoint setting.', error.action ?? '');
    case 'badResponse':
      return vscode.l10n.t('Qianfan sent an answer that could not be read ({0}): it was cut short or not of the expected shape.', error.action ?? '');
    case 'tooLarge':
      return vscode.l10n.t('Qianfan sent an answer too large to read ({0}).', error.action ?? '');
    case 'internal':
      return vscode.l10n.t('An unexpected error inside the extension ({0}). The log has the details.', error.action ?? '');
    case 'api':
      return apiMessage(error);
  }
}

export function userMessage(error: unknown): string {
  if (!(error instanceof QianfanError)) {
    return vscode.l10n.t('An unexpected error inside the extension. The log has the details.');
  }
  return messageRedactor.redactString(withRequestId(kindMessage(error), error));
}

/** Whether the error is one that new keys would fix: offer "Set Access Key…". */
export function needsKeys(error: unknown): boolean {
  return isKeyFailure(error);
}
