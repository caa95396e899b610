/**
 * What runs once at activation, in this order: find out whether the keys set earlier were kept
 * (a host whose secret storage does not survive a reload is named plainly, once), offer the
 * demo keys of `npm start` only to a profile that never had keys, then resume remembered exports
 * (which wait for keys when there are none).
 */
import * as vscode from 'vscode';
import { isLoopbackHost, parseEndpoint } from '../core/qianfan/endpoint';
import { notifyWithLog } from './notify';
import { type Services } from './services';

export async function startUp(s: Services): Promise<void> {
  if (await s.credentials.lost()) {
    s.logger.warn('The Qianfan keys set earlier are no longer in secret storage: this host did not keep them');
    notifyWithLog(
      s,
      'warn',
      vscode.l10n.t("The Qianfan keys you set earlier were not kept: this VS Code's secret storage lost them when it reloaded. Set them again to continue."),
      true,
    );
  } else {
    await seedDemoCredentials(s);
  }
  await s.exports.resumeAll();
}

/**
 * `npm start` (the local demo) passes the emulator's demo keys in QIANFAN_DEMO_ACCESS_KEY /
 * QIANFAN_DEMO_SECRET_KEY. They are stored only in a profile that never had keys (not after the
 * user set or cleared their own) and only with a loopback endpoint, so they can never be used
 * against the real service nor replace the user's keys.
 */
async function seedDemoCredentials(s: Services): Promise<void> {
  const accessKeyId = process.env.QIANFAN_DEMO_ACCESS_KEY;
  const secretAccessKey = process.env.QIANFAN_DEMO_SECRET_KEY;
  if (!accessKeyId || !secretAccessKey || s.credentials.everSet() || (await s.credentials.get())) {
    return;
  }
  try {
    if (!isLoopbackHost(parseEndpoint(s.settings().endpoint).hostname)) {
      s.logger.warn('Demo keys ignored: the endpoint is not a loopback address');
      return;
    }
  } catch {
    return; // an invalid endpoint: the client reports it on first use
  }
  await s.credentials.set({ accessKeyId, secretAccessKey });
  s.logger.info(`Demo keys set for the local emulator (access key ${accessKeyId})`);
}
