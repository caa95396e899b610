/** Track by ID, import from the account, untrack. */
import * as vscode from 'vscode';
import { mayMeanMissing } from '../core/qianfan/errors';
import { type VersionIdProblem, modelVersionIdProblem } from '../core/base/ids';
import { type CustomModelSet, type ModelVersionDetail } from '../core/qianfan/model';
import { versionTitle } from '../tree/nodes';
import { targetsFor } from './selection';
import { notify } from './notify';
import { type Services } from './services';

/** What is wrong with a typed ID, in the user's words. */
function idProblemText(problem: VersionIdProblem, typed: string): string {
  switch (problem.code) {
    case 'empty':
      return vscode.l10n.t('Enter a model version ID, such as amv-g73j3faikzpz.');
    case 'modelId':
      return vscode.l10n.t('{0} is the ID of a model; enter the ID of one of its versions ("amv-…"), or use Import to choose among them.', typed.trim());
    case 'apiKey':
      return vscode.l10n.t('This is an API Key ("bce-v3/…"), not a model version ID. Keys go in Set Access Key….');
    case 'upperCase':
      return vscode.l10n.t('IDs are lower-case: did you mean {0}?', problem.suggestion);
    case 'contains':
      return vscode.l10n.t('Enter the ID alone: did you mean {0}?', problem.suggestion);
    case 'notAnId':
      return vscode.l10n.t('A model version ID is "amv-" followed by lower-case letters and digits.');
  }
}

export async function trackVersion(services: Services, idArg?: unknown): Promise<void> {
  const client = services.client();
  let found: ModelVersionDetail | undefined;
  /** Why this ID cannot be tracked, or undefined when Qianfan knows it (then `found` has its details). */
  const check = async (value: string): Promise<string | undefined> => {
    const problem = modelVersionIdProblem(value);
    if (problem) {
      return idProblemText(problem, value);
    }
    const modelId = value.trim();
    found = await services.prompts.withProgress(vscode.l10n.t('Looking up {0}…', modelId), true, (_p, signal) =>
      client.describeModel(modelId, { signal }).catch(async (error) => {
        // no documented code says "no such version": only a look at the listing does
        if (mayMeanMissing(error) && (await client.versionPresence(modelId, undefined, { signal })) === 'gone') {
          return undefined;
        }
        throw error;
      }),
    );
    return found ? undefined : vscode.l10n.t('Qianfan has no model version {0} in this account. Check the ID, or press Escape.', modelId);
  };
  let input: string | undefined;
  if (typeof idArg === 'string') {
    const problem = await check(idArg);
    if (problem) {
      void notify(services, 'error', vscode.l10n.t('Not tracked: {0}', problem));
      return;
    }
    input = idArg;
  } else {
    input = await services.prompts.askUntil(
      {
        title: vscode.l10n.t('Track a model version'),
        prompt: vscode.l10n.t('A model version ID, such as amv-g73j3faikzpz.'),
        placeHolder: 'amv-…',
        validateInput: (v) => {
          const problem = v.trim() === '' ? undefined : modelVersionIdProblem(v);
          return problem ? idProblemText(problem, v) : undefined;
        },
      },
      check,
    );
  }
  const detail = found;
  if (input === undefined || !detail) {
    return;
  }
  const modelId = input.trim();
  const set = await client.describeModelSet(detail.modelSetId).catch(() => undefined);
  const added = await services.tracked.add([{ modelId, modelSetId: detail.modelSetId, modelSetName: set?.modelSetName, name: detail.modelName }]);
  const title = versionTitle(set?.modelSetName ?? detail.modelSetId, detail.modelName, modelId);
  services.logger.info(`Tracked ${title}`);
  void notify(services, 'info', added ? vscode.l10n.t('Now tracking {0}.', title) : vscode.l10n.t('{0} was already tracked.', title));
}

export async function importVersions(services: Services): Promise<void> {
  const client = services.client();
  const models = await services.prompts.withProgress(vscode.l10n.t('Listing your Qianfan models…'), true, (progress, signal) => {
    let count = 0;
    return client.listAllCustomModelSets({ signal, onPage: (p) => progress.report(vscode.l10n.t('{0} models so far', (count += p.items.length))) });
  });
  // only what is not tracked yet: a tracked version has nothing to import (Untrack removes one)
  const all = models.flatMap((m: CustomModelSet) =>
    m.modelIds.map((id, i) => ({
      label: m.modelNames[i] || id,
      description: id,
      detail: `${m.modelSetName} (${m.modelSetId})`,
      version: { modelId: id, modelSetId: m.modelSetId, modelSetName: m.modelSetName, name: m.modelNames[i] },
    })),
  );
  const items = all.filter((item) => !services.tracked.has(item.version.modelId));
  if (all.length === 0) {
    void notify(services, 'info', vscode.l10n.t('This account has no model versions to import.'));
    return;
  }
  if (items.length === 0) {
    void notify(
      services,
      'info',
      all.length === 1
        ? vscode.l10n.t('The one model version of this account is tracked already.')
        : vscode.l10n.t('All {0} model versions of this account are tracked already.', all.length),
    );
    return;
  }
  // versions only: select-all picks versions, never follows a model (Follow Model is its own command)
  const picked = await services.prompts.pickMany(items, {
    title:
      all.length === 1
        ? vscode.l10n.t('Import model versions: {0} not tracked yet, of 1 in 1 model', items.length)
        : models.length === 1
          ? vscode.l10n.t('Import model versions: {0} not tracked yet, of {1} in 1 model', items.length, all.length)
          : vscode.l10n.t('Import model versions: {0} not tracked yet, of {1} in {2} models', items.length, all.length, models.length),
    placeHolder: vscode.l10n.t('Choose the versions to track'),
    matchOnDescription: true,
    matchOnDetail: true,
  });
  if (!picked || picked.length === 0) {
    return;
  }
  const added = await services.tracked.add(picked.map((p) => p.version));
  services.logger.info(`Imported ${added} new version(s) of ${picked.length} chosen`);
  void notify(
    services,
    'info',
    added === 1 ? vscode.l10n.t('Now tracking 1 new model version.') : vscode.l10n.t('Now tracking {0} new model versions.', added),
  );
}

export async function untrackVersion(services: Services, node?: unknown, nodes?: unknown): Promise<void> {
  const targets = await targetsFor(services, node, nodes, vscode.l10n.t('Choose the versions to stop tracking'), true);
  if (!targets) {
    return;
  }
  const removed = await services.tracked.remove(targets.map((t) => t.modelId));
  services.logger.info(`Untracked ${targets.map((t) => t.label).join(', ')}`);
  void notify(
    services,
    'info',
    removed === 1
      ? vscode.l10n.t('Stopped tracking 1 model version. It still exists in Qianfan.')
      : vscode.l10n.t('Stopped tracking {0} model versions. They still exist in Qianfan.', removed),
  );
}
