/**
 * qianfan_deleteModelVersions: deletes only what a confirmation named (prepareInvocation), in the
 * profile that was active, through the same batch as the Delete command.
 *
 * The guards, all here: VS Code does not show prepareInvocation's confirmation once the user chose
 * "Always allow" (or turned on auto-approve), and a service may start running a version after the
 * confirmation was shown. So invoke decides on what it reads when it acts: it asks Qianfan again
 * which services run the versions, and when one does (or that could not be checked) it shows the
 * Delete command's own confirmation itself (a version a service runs: its ID typed), whatever chat
 * confirmed. Not confirmed there, nothing is deleted, and the answer says why and how to delete it
 * from the view.
 */
import * as vscode from 'vscode';
import { bounded } from '../core/base/chatText';
import { type DeploymentCheck } from '../core/qianfan/deployments';
import { confirmDelete, deleteConfirmed, deploymentLines, servicesRunning } from '../commands/deleteVersion';
import { type Target } from '../commands/selection';
import { type Services } from '../commands/services';
import {
  BY_CHAT_TOOL,
  type QianfanTool,
  TOOL_NAMES,
  chatCheck,
  chatError,
  chatLabel,
  chatTargets,
  listField,
  missingKeys,
  profileName,
  targetsOf,
} from './common';

/** Why nothing was deleted when the confirmation invoke showed was not given, and how to delete from the view. */
function refusal(check: DeploymentCheck, targets: readonly Target[]): string {
  const deployed = check.kind === 'checked' && check.running.size > 0;
  return [
    ...deploymentLines(chatCheck(check), chatTargets(targets)),
    deployed
      ? vscode.l10n.t(
          'Nothing was deleted: a version that a service runs is deleted only after the user types its confirmation, and it was not typed. To delete it, the user can move the service to another version, or choose Delete on the version in the Qianfan view and type its ID.',
        )
      : vscode.l10n.t('Nothing was deleted: the user did not confirm the delete. To delete it, the user can choose Delete on the version in the Qianfan view.'),
  ].join('\n');
}

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
      const { shown: listed, more } = bounded(targets);
      const lines = [
        vscode.l10n.t('Delete in Qianfan (profile “{0}”):', profileName(s)),
        ...listed.map((t) => `- ${chatLabel(t)}`),
        ...(more > 0 ? [vscode.l10n.t('…and {0} more, not listed here.', more)] : []),
        ...deploymentLines(chatCheck(check), chatTargets(targets)),
        ...(check.kind === 'checked' && check.running.size > 0
          ? [vscode.l10n.t('Because a service runs it, the delete asks the user to type the confirmation too, as the Delete command does.')]
          : []),
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
              ? vscode.l10n.t('Delete the model version {0}?', chatLabel(targets[0]))
              : vscode.l10n.t('Delete {0} model versions?', targets.length),
          message: lines.join('\n\n'),
        },
      };
    },
    async run(input, signal) {
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
      // decided now, on what Qianfan says now: the confirmation above may never have been shown
      const check = await servicesRunning(s, confirmed.targets, signal);
      if (check.kind === 'skipped' || check.running.size > 0) {
        if (!(await confirmDelete(s, confirmed.targets, check))) {
          s.logger.info(`Not deleted ${confirmed.targets.map((t) => t.label).join(', ')}${BY_CHAT_TOOL}: the confirmation was not given`);
          return refusal(check, confirmed.targets);
        }
      }
      const outcomes = await s.busy.during('delete', () => deleteConfirmed(s, confirmed.targets, BY_CHAT_TOOL));
      return outcomes
        .map((o) =>
          o.ok
            ? vscode.l10n.t('Deleted {0}.', chatLabel(o.item))
            : o.cancelled
              ? vscode.l10n.t('Not deleted (cancelled): {0}', chatLabel(o.item))
              : vscode.l10n.t('Could not delete {0}: {1}', chatLabel(o.item), chatError(o.error)),
        )
        .join('\n');
    },
  };
}
