/**
 * qianfan_deleteModelVersions: deletes only what a confirmation named (prepareInvocation), in the
 * profile that was active, through the same batch as the Delete command.
 */
import * as vscode from 'vscode';
import { deleteConfirmed, deploymentLines, servicesRunning } from '../commands/deleteVersion';
import { type Target } from '../commands/selection';
import { type Services } from '../commands/services';
import { userMessage } from '../platform/errorMessages';
import { BY_CHAT_TOOL, type QianfanTool, TOOL_NAMES, listField, missingKeys, profileName, targetsOf } from './common';

/** What a confirmation named: the versions, in the profile that was active. */
interface Confirmed {
  readonly profileId: string;
  readonly targets: readonly Target[];
}

const MAX_PREPARED = 20;

export function deleteTool(s: Services): QianfanTool {
  // what each confirmation shown named, by profile and input: invoke deletes only that
  const prepared = new Map<string, Confirmed>();
  const keyOf = (profileId: string, versions: readonly string[]) => JSON.stringify([profileId, versions]);
  return {
    name: TOOL_NAMES.delete,
    async prepare(input, signal) {
      const versions = listField(input, 'versions');
      if (await missingKeys(s)) {
        return { invocationMessage: vscode.l10n.t('Deleting model versions') };
      }
      const profileId = s.profiles.active.id;
      const { targets, problems } = await targetsOf(s, versions, signal, true);
      if (targets.length === 0) {
        return { invocationMessage: vscode.l10n.t('Deleting model versions') };
      }
      const check = await servicesRunning(s, targets, signal);
      const lines = [
        vscode.l10n.t('Delete in Qianfan (profile “{0}”):', profileName(s)),
        ...targets.map((t) => `- ${t.label}`),
        ...deploymentLines(check, targets),
        ...problems.map((p) => vscode.l10n.t('Not deleted: {0}', p)),
        targets.length === 1
          ? vscode.l10n.t('This deletes it in Qianfan and cannot be undone.')
          : vscode.l10n.t('This deletes them in Qianfan and cannot be undone.'),
      ];
      prepared.delete(keyOf(profileId, versions));
      prepared.set(keyOf(profileId, versions), { profileId, targets });
      while (prepared.size > MAX_PREPARED) {
        prepared.delete(prepared.keys().next().value!);
      }
      return {
        invocationMessage: vscode.l10n.t('Deleting {0} model versions', targets.length),
        confirmationMessages: {
          title:
            targets.length === 1
              ? vscode.l10n.t('Delete the model version {0}?', targets[0].label)
              : vscode.l10n.t('Delete {0} model versions?', targets.length),
          message: lines.join('\n\n'),
        },
      };
    },
    async run(input) {
      const keys = await missingKeys(s);
      if (keys) {
        return keys;
      }
      const versions = listField(input, 'versions');
      const profileId = s.profiles.active.id;
      const confirmed = prepared.get(keyOf(profileId, versions));
      prepared.delete(keyOf(profileId, versions));
      if (!confirmed) {
        const { problems } = await targetsOf(s, versions);
        return problems.length > 0 ? problems.join('\n') : vscode.l10n.t('Nothing was deleted: no confirmation named these versions in this profile.');
      }
      // what is named now must be what the user confirmed (the list may have changed since)
      const { targets } = await targetsOf(s, versions);
      const same = targets.length === confirmed.targets.length && targets.every((t, i) => t.modelId === confirmed.targets[i].modelId);
      if (!same) {
        return vscode.l10n.t('Nothing was deleted: the versions these names stand for changed after the confirmation. Ask again.');
      }
      const outcomes = await s.busy.during('delete', () => deleteConfirmed(s, confirmed.targets, BY_CHAT_TOOL));
      return outcomes
        .map((o) =>
          o.ok
            ? vscode.l10n.t('Deleted {0}.', o.item.label)
            : o.cancelled
              ? vscode.l10n.t('Not deleted (cancelled): {0}', o.item.label)
              : vscode.l10n.t('Could not delete {0}: {1}', o.item.label, userMessage(o.error)),
        )
        .join('\n');
    },
  };
}
