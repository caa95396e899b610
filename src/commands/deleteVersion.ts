/**
 * Delete model versions: find the services that run them, confirm (modal, or typing the ID; typing
 * always when a service runs one; a check that could not be made is said), then DeleteModel for each, at the
 * pace the client's adaptive limiter sets (it starts at qianfan.maxConcurrentRequests), with a
 * cancellable progress. Every item's result is reported;
 * deleted versions leave the tracked list and the tree.
 */
import * as vscode from 'vscode';
import { type ItemOutcome, runBatch } from '../core/work/batch';
import { type DeploymentCheck, findDeployments } from '../core/qianfan/deployments';
import { type DeleteResult } from '../core/qianfan/qianfanClient';
import { describeError } from '../platform/logger';
import { userMessage } from '../platform/errorMessages';
import { notify, notifyWithLog } from './notify';
import { type Target, targetsFor } from './selection';
import { type Services } from './services';

const MAX_LISTED = 10;

function listTargets(targets: readonly Target[]): string {
  const lines = targets.slice(0, MAX_LISTED).map((t) => t.label);
  if (targets.length > MAX_LISTED) {
    lines.push(vscode.l10n.t('…and {0} more', targets.length - MAX_LISTED));
  }
  return lines.join('\n');
}

/** What the check of services found, in the user's words: lines for the confirmation, empty when nothing runs them. */
export function deploymentLines(check: DeploymentCheck, targets: readonly Target[]): string[] {
  if (check.kind === 'skipped') {
    return [
      check.reason === 'permission'
        ? vscode.l10n.t(
            'Could not check whether these versions run in a service: the key may not read services (it needs one of {0}).',
            check.policies.join(', '),
          )
        : vscode.l10n.t('Could not check whether these versions run in a service: {0}', userMessage(check.error)),
    ];
  }
  return targets.flatMap((t) =>
    (check.running.get(t.modelId) ?? []).map((svc) =>
      vscode.l10n.t('{0} runs in the service “{1}” ({2}, {3}): deleting it breaks that service.', t.label, svc.name, svc.serviceId, svc.runStatus ?? '?'),
    ),
  );
}

/** Which services run these versions (every page of services), said in the log. */
export async function servicesRunning(services: Services, targets: readonly Target[], signal?: AbortSignal): Promise<DeploymentCheck> {
  const client = services.client();
  const check = await findDeployments(
    targets.map((t) => t.modelId),
    {
      listServices: (page, s) => client.listServices(page, { signal: s }),
      describeService: (id, s) => client.describeService(id, { signal: s }),
    },
    signal,
  );
  if (check.kind === 'checked') {
    const running = targets.filter((t) => check.running.has(t.modelId));
    services.logger.info(
      `Services checked before the delete: ${check.services} service(s); ${running.length > 0 ? running.map((t) => `${t.label} runs in ${(check.running.get(t.modelId) ?? []).map((x) => `${x.name} (${x.serviceId})`).join(', ')}`).join('; ') : 'none runs these versions'}`,
    );
  } else {
    services.logger.warn(
      `Services not checked before the delete: ${check.reason === 'permission' ? 'no permission to read services' : describeError(check.error)}`,
    );
  }
  return check;
}

function checkDeployments(services: Services, targets: readonly Target[]): Promise<DeploymentCheck> {
  return services.prompts.withProgress(
    vscode.l10n.t('Checking which services run {0}…', targets.length === 1 ? targets[0].label : String(targets.length)),
    true,
    (_p, signal) => servicesRunning(services, targets, signal),
  );
}

/** The command's confirmation: typed (the ID, or the count) when a service runs one of them or the setting asks it; a modal otherwise. */
export async function confirmDelete(services: Services, targets: readonly Target[], check: DeploymentCheck): Promise<boolean> {
  const one = targets.length === 1;
  const warnings = deploymentLines(check, targets);
  const warning = warnings.length > 0 ? warnings.join('\n') + '\n' : '';
  // a version that runs in a service always asks for the typed confirmation
  const deployed = check.kind === 'checked' && check.running.size > 0;
  if (deployed || services.settings().deleteConfirmation === 'enterId') {
    const expected = one ? targets[0].modelId : String(targets.length);
    const answer = await services.prompts.inputBox({
      title: one ? vscode.l10n.t('Delete {0}', targets[0].label) : vscode.l10n.t('Delete {0} model versions', targets.length),
      prompt:
        warning +
        (one
          ? vscode.l10n.t('This cannot be undone. Type {0} to delete it.', expected)
          : vscode.l10n.t('This cannot be undone. Type {0} (the number of versions) to delete them:\n{1}', expected, listTargets(targets))),
      validateInput: (v) => (v.trim() === expected ? undefined : vscode.l10n.t('Type {0} to confirm.', expected)),
    });
    return answer?.trim() === expected;
  }
  const message = one ? vscode.l10n.t('Delete the model version {0}?', targets[0].label) : vscode.l10n.t('Delete {0} model versions?', targets.length);
  const detail =
    warning +
    (one
      ? vscode.l10n.t('This deletes it in Qianfan and cannot be undone.')
      : listTargets(targets) + '\n\n' + vscode.l10n.t('This deletes them in Qianfan and cannot be undone.'));
  return services.prompts.confirm(message, detail, vscode.l10n.t('Delete'));
}

export async function deleteVersions(services: Services, node?: unknown, nodes?: unknown): Promise<void> {
  const targets = await targetsFor(services, node, nodes, vscode.l10n.t('Choose the versions to delete'), true);
  if (!targets) {
    return;
  }
  const check = await checkDeployments(services, targets);
  if (!(await confirmDelete(services, targets, check))) {
    return;
  }
  await deleteConfirmed(services, targets);
}

/**
 * Deletes versions whose deletion was confirmed: DeleteModel for each at the limiter's pace, under a
 * cancellable progress; each result is logged (`by` says who asked) and reported, deleted versions leave the list.
 */
export async function deleteConfirmed(services: Services, targets: readonly Target[], by = ''): Promise<ItemOutcome<Target, DeleteResult>[]> {
  const client = services.client();
  const title = targets.length === 1 ? vscode.l10n.t('Deleting {0}', targets[0].label) : vscode.l10n.t('Deleting {0} model versions', targets.length);
  services.logger.info(`Deleting ${targets.map((t) => t.label).join(', ')}${by}`);
  const outcomes = await services.prompts.withProgress(title, true, (progress, signal) =>
    runBatch(
      targets,
      // a version found gone (absent from its model's versions) is deleted: the goal is reached
      (t, s) => client.deleteModel(t.modelId, { signal: s, modelSetId: services.tracked.get(t.modelId)?.modelSetId }),
      {
        // enough workers for the limiter's ceiling: the limiter, not the batch, decides what is in flight
        concurrency: Math.max(services.settings().concurrency, client.limiter.ceiling),
        signal,
        onSettled: (_o, done, total) => progress.report(vscode.l10n.t('{0} of {1}', done, total), 100 / total),
      },
    ),
  );
  await finish(services, outcomes, by);
  return outcomes;
}

async function finish(services: Services, outcomes: ItemOutcome<Target, DeleteResult>[], by: string): Promise<void> {
  const deleted = outcomes.filter((o) => o.ok).map((o) => o.item);
  const failed = outcomes.filter((o): o is Extract<typeof o, { ok: false }> => !o.ok && !o.cancelled);
  const cancelled = outcomes.filter((o) => !o.ok && o.cancelled);
  for (const o of outcomes) {
    if (o.ok) {
      services.logger.info(`Deleted ${o.item.label}${o.value.alreadyGone ? ' (it was already gone)' : ''}${by}`);
    } else if (!o.cancelled) {
      services.logger.error(`Could not delete ${o.item.label}: ${describeError(o.error)}`);
    }
  }
  if (deleted.length > 0) {
    // leaving the tracked list also ends their export state, details and remembered tasks
    await services.tracked.remove(deleted.map((t) => t.modelId));
  }
  if (failed.length === 0 && cancelled.length === 0) {
    const text = deleted.length === 1 ? vscode.l10n.t('Deleted {0}.', deleted[0].label) : vscode.l10n.t('Deleted {0} model versions.', deleted.length);
    void notify(services, 'info', text);
    return;
  }
  const lines = failed.slice(0, MAX_LISTED).map((o) => `${o.item.label}: ${userMessage(o.error)}`);
  const summary = [vscode.l10n.t('Deleted {0} of {1} model versions.', deleted.length, outcomes.length)];
  if (failed.length > 0) {
    summary.push(vscode.l10n.t('Failed: {0}', lines.join('; ')));
  }
  if (cancelled.length > 0) {
    summary.push(vscode.l10n.t('Cancelled before they were sent: {0}', cancelled.length));
  }
  notifyWithLog(services, failed.length > 0 ? 'error' : 'warn', summary.join(' '));
}
