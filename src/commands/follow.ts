/** Follow a model (every version shown, later ones too) and unfollow it; the announcement of a new version. */
import * as vscode from 'vscode';
import { isModelSetId } from '../core/base/ids';
import { ModelNode } from '../tree/nodes';
import { notify } from './notify';
import { type Services } from './services';

/** A model to follow with its versions now. */
export interface ModelToFollow {
  readonly modelSetId: string;
  readonly modelSetName?: string;
  readonly modelIds: readonly string[];
  readonly modelNames: readonly string[];
}

/** Tracks every version of each model and remembers it as followed; returns how many versions were new. */
export async function followModels(services: Services, models: readonly ModelToFollow[]): Promise<number> {
  const added = await services.tracked.add(
    models.flatMap((m) =>
      m.modelIds.map((modelId, i) => ({ modelId, modelSetId: m.modelSetId, modelSetName: m.modelSetName || undefined, name: m.modelNames[i] || undefined })),
    ),
  );
  for (const m of models) {
    await services.followed.follow({ modelSetId: m.modelSetId, modelSetName: m.modelSetName || undefined }, m.modelIds);
    services.logger.info(`Following ${m.modelSetName ?? ''} (${m.modelSetId}): ${m.modelIds.length} version(s)`);
  }
  return added;
}

/** The model a command was given: a model node, or its ID. */
function modelOf(arg: unknown): string | undefined {
  if (arg instanceof ModelNode) {
    return arg.modelSetId || undefined;
  }
  return typeof arg === 'string' && isModelSetId(arg.trim()) ? arg.trim() : undefined;
}

export async function followModel(services: Services, arg?: unknown): Promise<void> {
  const client = services.client();
  let modelSetId = modelOf(arg);
  if (!modelSetId) {
    const models = await services.prompts.withProgress(vscode.l10n.t('Listing your Qianfan models…'), true, (_p, signal) =>
      client.listAllCustomModelSets({ signal }),
    );
    const items = models
      .filter((m) => !services.followed.has(m.modelSetId))
      .map((m) => ({
        label: m.modelSetName || m.modelSetId,
        description: m.modelSetId,
        detail: m.modelIds.length === 1 ? vscode.l10n.t('1 version') : vscode.l10n.t('{0} versions', m.modelIds.length),
        id: m.modelSetId,
      }));
    if (items.length === 0) {
      void notify(services, 'info', vscode.l10n.t('There is no model left to follow in this account.'));
      return;
    }
    const picked = await services.prompts.pickOne(items, {
      title: vscode.l10n.t('Follow a model: every version is shown, later ones too'),
      matchOnDescription: true,
    });
    if (!picked) {
      return;
    }
    modelSetId = picked.id;
  }
  const id = modelSetId;
  const detail = await services.prompts.withProgress(vscode.l10n.t('Looking up {0}…', id), true, (_p, signal) => client.describeModelSet(id, { signal }));
  const name = detail.modelSetName || id;
  if (services.followed.has(id)) {
    void notify(services, 'info', vscode.l10n.t('{0} is followed already.', name));
    return;
  }
  const added = await followModels(services, [detail]);
  void notify(
    services,
    'info',
    detail.modelIds.length === 1
      ? vscode.l10n.t('Following {0}: its one version is tracked ({1} new), and versions published later will be added.', name, added)
      : vscode.l10n.t(
          'Following {0}: its {1} versions are tracked ({2} new), and versions published later will be added.',
          name,
          detail.modelIds.length,
          added,
        ),
  );
}

export async function unfollowModel(services: Services, arg?: unknown): Promise<void> {
  let modelSetId = modelOf(arg);
  if (!modelSetId) {
    const items = services.followed.list().map((m) => ({ label: m.modelSetName || m.modelSetId, description: m.modelSetId, id: m.modelSetId }));
    if (items.length === 0) {
      void notify(services, 'info', vscode.l10n.t('No model is followed.'));
      return;
    }
    const picked = await services.prompts.pickOne(items, { title: vscode.l10n.t('Stop following a model') });
    if (!picked) {
      return;
    }
    modelSetId = picked.id;
  }
  const model = services.followed.get(modelSetId);
  const name = model?.modelSetName || modelSetId;
  if (!(await services.followed.unfollow(modelSetId))) {
    void notify(services, 'info', vscode.l10n.t('{0} was not followed.', name));
    return;
  }
  services.logger.info(`Unfollowed ${name} (${modelSetId})`);
  void notify(services, 'info', vscode.l10n.t('Stopped following {0}. Its versions stay tracked; untrack them to remove them from the list.', name));
}

/**
 * Before a switch of profile, the follow poller's looks stop; what they are writing is written
 * in the profile they learnt it in, and no look starts until the switch is done (reloadState
 * resets the poller). Registered after registerProfiles' step, so that it is the last one before
 * the switch: nothing can start between it and the change of profile.
 */
export function registerFollowBeforeSwitch(context: { subscriptions: { dispose(): unknown }[] }, services: Services): void {
  context.subscriptions.push(
    services.profiles.onWillSwitch(() => services.followPoller.beforeSwitch()),
    services.profiles.onDidChange((change) => change.kind === 'stayed' && services.followPoller.resume()),
  );
}
