/** Export a model version: start (never twice), then follow it to the end. */
import * as vscode from 'vscode';
import { type ExportOutcome } from '../core/exportTasks';
import { targetsFor } from './selection';
import { type Services } from './services';

export async function exportVersion(services: Services, node?: unknown): Promise<ExportOutcome | undefined> {
  const [target] =
    (await targetsFor(services, node, undefined, vscode.l10n.t('Choose the version to export'), false, {
      applies: (status) => status === 'Ready',
      noneApplies: vscode.l10n.t('None of your tracked versions is Ready: only a Ready version can be exported.'),
    })) ?? [];
  if (!target) {
    return undefined;
  }
  const client = services.client();
  const started = await services.prompts.withProgress(vscode.l10n.t('Starting the export of {0}…', target.label), true, (_p, signal) =>
    client.startExport(target.modelId, { signal }),
  );
  services.logger.info(`${started.resumed ? 'Following the running export' : 'Started export'} ${started.exportId} of ${target.modelId}`);
  return services.exports.watch({ modelId: target.modelId, exportId: started.exportId, startedAt: Date.now(), label: target.label });
}
