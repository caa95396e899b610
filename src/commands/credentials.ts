/**
 * Set Access Key… and Clear Credentials, for the active profile, and the key check every new
 * pair goes through before it is saved. The keys go to SecretStorage only.
 */
import * as vscode from 'vscode';
import { type KeyCheckOutcome, type KeyFormatProblem, checkKeys, keyFormatProblem } from '../core/qianfan/keyCheck';
import { type AccessKeyPair } from '../core/qianfan/signer';
import { notify } from './notify';
import { type Services } from './services';

/** Where IAM access keys are made and found. */
export const IAM_KEYS_URL = 'https://console.bce.baidu.com/iam/#/iam/accesslist';

function formatMessage(problem: KeyFormatProblem | undefined, which: 'access' | 'secret'): string | undefined {
  switch (problem) {
    case undefined:
      return undefined;
    case 'empty':
      return which === 'access' ? vscode.l10n.t('Enter the access key.') : vscode.l10n.t('Enter the secret key.');
    case 'apiKey':
      return vscode.l10n.t(
        'This is an application API Key (bce-v3/…): it works for inference only. Managing models needs an IAM Access Key and Secret Key ({0}).',
        IAM_KEYS_URL,
      );
    case 'format':
      return which === 'access'
        ? vscode.l10n.t('An access key is 16 to 128 letters and digits, with no spaces.')
        : vscode.l10n.t('A secret key is 16 to 128 letters and digits, with no spaces.');
  }
}

/** What the check found, in the user's words; undefined when the keys work. */
export function keyCheckMessage(outcome: KeyCheckOutcome, accessKeyId: string, host: string): string | undefined {
  switch (outcome.kind) {
    case 'ok':
      return undefined;
    case 'unknownAccessKey':
      return outcome.appKey
        ? vscode.l10n.t(
            "Qianfan does not know the access key {0}: it looks like a Qianfan application's API Key, which does not work here. Managing models needs an IAM Access Key and Secret Key ({1}).",
            accessKeyId,
            IAM_KEYS_URL,
          )
        : vscode.l10n.t('Qianfan does not know the access key {0}. Check that it is an IAM Access Key of your account ({1}).', accessKeyId, IAM_KEYS_URL);
    case 'wrongSecretKey':
      return vscode.l10n.t(
        'The secret key does not belong to the access key {0}: Qianfan computed a different signature. Paste the Secret Key shown with that access key.',
        accessKeyId,
      );
    case 'permission':
      return vscode.l10n.t(
        'The keys are valid, but this key may not read Qianfan models: its IAM user needs one of the policies {0}.',
        outcome.policies.join(', '),
      );
    case 'clockSkew':
      return outcome.clockSkewMs === undefined
        ? vscode.l10n.t("Qianfan refused the request's time: this computer's clock is off. Sync the clock and try again.")
        : vscode.l10n.t(
            "Qianfan refused the request's time: this computer's clock is off by about {0} minutes. Sync the clock and try again.",
            Math.round(Math.abs(outcome.clockSkewMs) / 60_000),
          );
    case 'network':
      return outcome.timeout
        ? vscode.l10n.t('The keys could not be checked: {0} did not answer in time. Check the network, the proxy or the qianfan.endpoint setting.', host)
        : vscode.l10n.t('The keys could not be checked: {0} could not be reached. Check the network, the proxy or the qianfan.endpoint setting.', host);
    case 'endpoint':
      return vscode.l10n.t('The keys could not be checked: the qianfan.endpoint setting is not a valid address.');
    case 'failed':
      return vscode.l10n.t(
        'The keys could not be checked: Qianfan answered {0}.',
        [outcome.status === undefined ? '' : `HTTP ${outcome.status}`, outcome.code ?? '', outcome.requestId ? `(request ID ${outcome.requestId})` : '']
          .filter((p) => p !== '')
          .join(' ') || '?',
      );
  }
}

export function hostOf(endpoint: string): string {
  try {
    return new URL(endpoint).host;
  } catch {
    return endpoint;
  }
}

/** One signed read with the pair (not saved yet), under a cancellable progress. */
export async function runKeyCheck(s: Services, pair: AccessKeyPair): Promise<KeyCheckOutcome> {
  let probe: ReturnType<Services['clients']['forKeys']>;
  try {
    probe = s.clients.forKeys(pair);
  } catch {
    return { kind: 'endpoint' };
  }
  const outcome = await s.prompts.withProgress(vscode.l10n.t('Checking the keys with Qianfan…'), true, (_p, signal) =>
    checkKeys(
      pair.accessKeyId,
      () => probe.client.listCustomModelSets({ maxKeys: 1 }, { signal }),
      () => probe.clockSkewMs(),
    ),
  );
  s.logger.info(`Key check for access key ${pair.accessKeyId}: ${outcome.kind}${outcome.kind === 'ok' && outcome.clockSkewMs ? ' (clock skewed)' : ''}`);
  return outcome;
}

/**
 * Asks for an access key and a secret key, checks them with one signed read, and returns them
 * when they work or when the user chooses to save them anyway; undefined when the user gives up.
 */
export async function askKeys(s: Services, title: string, current?: AccessKeyPair): Promise<AccessKeyPair | undefined> {
  let accessKeyDefault = current?.accessKeyId;
  for (;;) {
    const accessKeyId = await s.prompts.inputBox({
      title: vscode.l10n.t('{0}: access key (1/2)', title),
      prompt: vscode.l10n.t('The Access Key ID of your Baidu AI Cloud account (console: IAM → Access Keys).'),
      value: accessKeyDefault,
      validateInput: (v) => formatMessage(keyFormatProblem(v), 'access'),
    });
    if (accessKeyId === undefined) {
      return undefined;
    }
    const secretAccessKey = await s.prompts.inputBox({
      title: vscode.l10n.t('{0}: secret key (2/2)', title),
      prompt: vscode.l10n.t('The Secret Access Key that belongs to {0}. It is stored in VS Code secret storage.', accessKeyId.trim()),
      password: true,
      validateInput: (v) => formatMessage(keyFormatProblem(v), 'secret'),
    });
    if (secretAccessKey === undefined) {
      return undefined;
    }
    const pair = { accessKeyId: accessKeyId.trim(), secretAccessKey: secretAccessKey.trim() };
    // Re-check after the boxes close: scripted or pasted input bypasses validateInput.
    const problem = formatMessage(keyFormatProblem(pair.accessKeyId), 'access') ?? formatMessage(keyFormatProblem(pair.secretAccessKey), 'secret');
    if (problem) {
      void notify(s, 'error', vscode.l10n.t('The keys were not saved: {0}', problem));
      return undefined;
    }
    s.redactor.addSecret(pair.secretAccessKey);
    const outcome = await runKeyCheck(s, pair);
    const message = keyCheckMessage(outcome, pair.accessKeyId, hostOf(s.settings().endpoint));
    if (message === undefined) {
      if (outcome.kind === 'ok' && outcome.clockSkewMs !== undefined) {
        void notify(
          s,
          'warn',
          vscode.l10n.t(
            "This computer's clock is off by about {0} minutes. Qianfan requests are adjusted, but please sync the clock.",
            Math.round(Math.abs(outcome.clockSkewMs) / 60_000),
          ),
        );
      }
      return pair;
    }
    const again = vscode.l10n.t('Enter Again');
    const anyway = vscode.l10n.t('Save Anyway');
    const choice = await notify(s, 'error', vscode.l10n.t('{0} The keys were not saved.', message), again, anyway);
    if (choice === anyway) {
      s.logger.warn(`Keys for access key ${pair.accessKeyId} saved although the check said: ${outcome.kind}`);
      return pair;
    }
    if (choice !== again) {
      return undefined;
    }
    accessKeyDefault = pair.accessKeyId;
  }
}

export async function setCredentials(s: Services): Promise<void> {
  const profile = s.profiles.active;
  const pair = await askKeys(s, vscode.l10n.t('Profile {0}', profile.name), await s.credentials.get());
  if (!pair) {
    return;
  }
  if (s.profiles.active.id !== profile.id) {
    // the profile changed while the boxes were open (a switch, or a removal in another window): save nowhere
    s.logger.warn(`Keys not saved: the active profile changed from ${profile.name} to ${s.profiles.active.name} while they were typed`);
    void notify(
      s,
      'warn',
      vscode.l10n.t(
        'The keys were not saved: the active profile changed from {0} to {1} while you typed them. Set them again.',
        profile.name,
        s.profiles.active.name,
      ),
    );
    return;
  }
  await s.credentials.set(pair);
  s.logger.info(`Credentials set for profile ${profile.name}: access key ${pair.accessKeyId}`);
  void notify(s, 'info', vscode.l10n.t('Qianfan keys saved in profile {0} for access key {1}.', profile.name, pair.accessKeyId));
}

export async function clearCredentials(s: Services): Promise<void> {
  await s.credentials.clear();
  // the redactor keeps masking the old secret key: another profile may hold the same one
  s.logger.info(`Credentials cleared in profile ${s.profiles.active.name}`);
  void notify(s, 'info', vscode.l10n.t('Qianfan keys cleared in profile {0}.', s.profiles.active.name));
}
