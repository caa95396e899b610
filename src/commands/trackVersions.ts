/** Track by ID, import from the account, untrack. */
import * as vscode from 'vscode';
import { isNotFound } from '../core/errors';
import { modelVersionIdProblem } from '../core/ids';
import { type CustomModelSet } from '../core/model';
import { targetsFor } from './selection';
import { notify } from './notify';
import { type Services } from './services';

export async function trackVersion(services: Services, idArg?: unknown): Promise<void> {
  const input =
    typeof idArg === 'string'
      ? idArg
      : await services.prompts.inputBox({
          title: vscode.l10n.t('Track a model version'),
          prompt: vscode.l10n.t('A model version ID, such as amv-g73j3faikzpz.'),
          placeHolder: 'amv-…',
          validateInput: (v) =>
            modelVersionIdProblem(v) ? vscode.l10n.t('A model version ID is "amv-" followed by lower-case letters and digits.') : undefined,
        });
  if (input === undefined) {
    return;
  }
  const modelId = input.trim();
  const problem = modelVersionIdProblem(modelId);
  if (problem) {
    void notify(services, 'error', vscode.l10n.t('Not tracked: {0}', problem));
    return;
  }
  const client = services.client();
  const detail = await services.prompts.withProgress(vscode.l10n.t('Looking up {0}…', modelId), true, (_p, signal) =>
    client.describeModel(modelId, { signal }).catch((error) => {
      if (isNotFound(error)) {
        return undefined;
      }
      throw error;
    }),
  );
  if (!detail) {
    void notify(services, 'error', vscode.l10n.t('Qianfan has no model version {0} in this account; nothing was tracked.', modelId));
    return;
  }
  const set = await client.describeModelSet(detail.modelSetId).catch(() => undefined);
  const added = await services.tracked.add([{ modelId, modelSetId: detail.modelSetId, modelSetName: set?.modelSetName, name: detail.modelName }]);
  services.logger.info(`Tracked ${modelId}`);
  void notify(
    services,
    'info',
    added ? vscode.l10n.t('Now tracking {0} ({1}).', detail.modelName || modelId, modelId) : vscode.l10n.t('{0} was already tracked.', modelId),
  );
}

export async function importVersions(services: Services): Promise<void> {
  const client = services.client();
  const models = await services.prompts.withProgress(vscode.l10n.t('Listing your Qianfan models…'), true, (progress, signal) => {
    let count = 0;
    return client.listAllCustomModelSets({ signal, onPage: (p) => progress.report(vscode.l10n.t('{0} models so far', (count += p.items.length))) });
  });
  const items = models.flatMap((m: CustomModelSet) =>
    m.modelIds.map((id, i) => ({
      label: m.modelNames[i] || id,
      description: id,
      detail: `${m.modelSetName} (${m.modelSetId})`,
      picked: services.tracked.has(id),
      version: { modelId: id, modelSetId: m.modelSetId, modelSetName: m.modelSetName, name: m.modelNames[i] },
    })),
  );
  if (items.length === 0) {
    void notify(services, 'info', vscode.l10n.t('This account has no model versions to import.'));
    return;
  }
  const picked = await services.prompts.pickMany(items, {
    title: vscode.l10n.t('Import model versions ({0} in {1} models)', items.length, models.length),
    placeHolder: vscode.l10n.t('Choose the versions to track'),
    matchOnDescription: true,
    matchOnDetail: true,
  });
  if (!picked || picked.length === 0) {
    return;
  }
  const added = await services.tracked.add(picked.map((p) => p.version));
  services.logger.info(`Imported ${added} new version(s) of ${picked.length} chosen`);
  void notify(services, 'info', vscode.l10n.t('Tracking {0} new model version(s).', added));
}

export async function untrackVersion(services: Services, node?: unknown, nodes?: unknown): Promise<void> {
  const targets = await targetsFor(services, node, nodes, vscode.l10n.t('Choose the versions to stop tracking'), true);
  if (!targets) {
    return;
  }
  const removed = await services.tracked.remove(targets.map((t) => t.modelId));
  services.logger.info(`Untracked ${targets.map((t) => t.modelId).join(', ')}`);
  void notify(services, 'info', vscode.l10n.t('Stopped tracking {0} model version(s). They still exist in Qianfan.', removed));
}
