/**
 * Delete model versions: confirm (modal, or typing the ID), then DeleteModel for each, at the
 * pace the client's adaptive limiter sets (it starts at qianfan.maxConcurrentRequests), with a
 * cancellable progress. Every item's result is reported;
 * deleted versions leave the tracked list and the tree.
 */
import * as vscode from 'vscode';
import { type ItemOutcome, runBatch } from '../core/batch';
import { isNotFound } from '../core/errors';
import { type DeleteResult } from '../core/qianfanClient';
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

async function confirmDelete(services: Services, targets: readonly Target[]): Promise<boolean> {
  const one = targets.length === 1;
  if (services.settings().deleteConfirmation === 'enterId') {
    const expected = one ? targets[0].modelId : String(targets.length);
    const answer = await services.prompts.inputBox({
      title: one ? vscode.l10n.t('Delete {0}', targets[0].label) : vscode.l10n.t('Delete {0} model versions', targets.length),
      prompt: one
        ? vscode.l10n.t('This cannot be undone. Type {0} to delete it.', expected)
        : vscode.l10n.t('This cannot be undone. Type {0} (the number of versions) to delete them:\n{1}', expected, listTargets(targets)),
      validateInput: (v) => (v.trim() === expected ? undefined : vscode.l10n.t('Type {0} to confirm.', expected)),
    });
    return answer?.trim() === expected;
  }
  const message = one ? vscode.l10n.t('Delete the model version {0}?', targets[0].label) : vscode.l10n.t('Delete {0} model versions?', targets.length);
  const detail = one
    ? vscode.l10n.t('This deletes it in Qianfan and cannot be undone.')
    : listTargets(targets) + '\n\n' + vscode.l10n.t('This deletes them in Qianfan and cannot be undone.');
  return services.prompts.confirm(message, detail, vscode.l10n.t('Delete'));
}

export async function deleteVersions(services: Services, node?: unknown, nodes?: unknown): Promise<void> {
  const targets = await targetsFor(services, node, nodes, vscode.l10n.t('Choose the versions to delete'), true);
  if (!targets || !(await confirmDelete(services, targets))) {
    return;
  }
  const client = services.client();
  const title = targets.length === 1 ? vscode.l10n.t('Deleting {0}', targets[0].label) : vscode.l10n.t('Deleting {0} model versions', targets.length);
  services.logger.info(`Deleting ${targets.map((t) => t.modelId).join(', ')}`);
  const outcomes = await services.prompts.withProgress(title, true, (progress, signal) =>
    runBatch(
      targets,
      (t, s) =>
        client.deleteModel(t.modelId, { signal: s }).catch((error): DeleteResult => {
          if (isNotFound(error)) {
            return { alreadyGone: true }; // nothing left to delete: the goal is reached
          }
          throw error;
        }),
      {
        // enough workers for the limiter's ceiling: the limiter, not the batch, decides what is in flight
        concurrency: Math.max(services.settings().concurrency, client.limiter.ceiling),
        signal,
        onSettled: (_o, done, total) => progress.report(vscode.l10n.t('{0} of {1}', done, total), 100 / total),
      },
    ),
  );
  await finish(services, outcomes);
}

async function finish(services: Services, outcomes: ItemOutcome<Target, DeleteResult>[]): Promise<void> {
  const deleted = outcomes.filter((o) => o.ok).map((o) => o.item);
  const failed = outcomes.filter((o): o is Extract<typeof o, { ok: false }> => !o.ok && !o.cancelled);
  const cancelled = outcomes.filter((o) => !o.ok && o.cancelled);
  for (const o of outcomes) {
    if (o.ok) {
      services.logger.info(`Deleted ${o.item.modelId}${o.value.alreadyGone ? ' (it was already gone)' : ''}`);
    } else if (!o.cancelled) {
      services.logger.error(`Could not delete ${o.item.modelId}: ${describeError(o.error)}`);
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
