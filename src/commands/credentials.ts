/** Set Access Key… and Clear Credentials. The keys go to SecretStorage only. */
import * as vscode from 'vscode';
import { accessKeyProblem } from '../core/ids';
import { notify } from './notify';
import { type Services } from './services';

export async function setCredentials(services: Services): Promise<void> {
  const current = await services.credentials.get();
  const accessKeyId = await services.prompts.inputBox({
    title: vscode.l10n.t('Qianfan access key (1/2)'),
    prompt: vscode.l10n.t('The Access Key ID of your Baidu AI Cloud account (console: IAM → Access Keys).'),
    value: current?.accessKeyId,
    validateInput: (v) => (accessKeyProblem(v, 'access key') ? vscode.l10n.t('An access key is 16 to 128 letters and digits, with no spaces.') : undefined),
  });
  if (accessKeyId === undefined) {
    return;
  }
  const secretAccessKey = await services.prompts.inputBox({
    title: vscode.l10n.t('Qianfan secret key (2/2)'),
    prompt: vscode.l10n.t('The Secret Access Key that belongs to {0}. It is stored in VS Code secret storage.', accessKeyId.trim()),
    password: true,
    validateInput: (v) => (accessKeyProblem(v, 'secret key') ? vscode.l10n.t('A secret key is 16 to 128 letters and digits, with no spaces.') : undefined),
  });
  if (secretAccessKey === undefined) {
    return;
  }
  const pair = { accessKeyId: accessKeyId.trim(), secretAccessKey: secretAccessKey.trim() };
  // Re-check after the boxes close: scripted or pasted input bypasses validateInput.
  if (accessKeyProblem(pair.accessKeyId, 'access key') || accessKeyProblem(pair.secretAccessKey, 'secret key')) {
    void notify(services, 'error', vscode.l10n.t('The keys were not saved: an access key and a secret key are 16 to 128 letters and digits.'));
    return;
  }
  await services.credentials.set(pair);
  services.logger.info(`Credentials set for access key ${pair.accessKeyId}`);
  void notify(services, 'info', vscode.l10n.t('Qianfan keys saved for access key {0}.', pair.accessKeyId));
}

export async function clearCredentials(services: Services): Promise<void> {
  await services.credentials.clear();
  services.redactor.forgetSecrets();
  services.logger.info('Credentials cleared');
  void notify(services, 'info', vscode.l10n.t('Qianfan keys cleared.'));
}
