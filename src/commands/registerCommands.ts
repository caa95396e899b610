/** Every command id → handler, all through the one error boundary; the stores' problems to the log. */
import * as vscode from 'vscode';
import { isModelVersionId } from '../core/base/ids';
import { ModelNode, VersionNode } from '../tree/nodes';
import { clearCredentials, setCredentials } from './credentials';
import { deleteVersions } from './deleteVersion';
import { cleanUp } from './cleanUp';
import { CONSOLE_URL, registerDetails, showDetails } from './details';
import { downloadExport } from './downloadExport';
import { exportVersion } from './exportVersion';
import { registerCommand } from './runCommand';
import { type Services } from './services';
import { addProfile, removeProfile, renameProfile, switchProfile } from './profiles';
import { importVersions, trackVersion, untrackVersion } from './trackVersions';
import { followModel, unfollowModel } from './follow';

export function registerCommands(context: vscode.ExtensionContext, s: Services): void {
  const details = registerDetails(context, s);
  const selected = () => s.tree.selection;
  const table: Record<string, (...args: unknown[]) => unknown> = {
    'qianfan.setCredentials': () => setCredentials(s),
    'qianfan.clearCredentials': () => clearCredentials(s),
    'qianfan.addProfile': () => addProfile(s),
    'qianfan.switchProfile': () => switchProfile(s),
    'qianfan.renameProfile': () => renameProfile(s),
    'qianfan.removeProfile': () => removeProfile(s),
    // what changes the active profile's data counts as busy: a switch of profile waits for it
    'qianfan.trackVersion': (id?: unknown) => s.busy.during('track', () => trackVersion(s, id)),
    'qianfan.importVersions': () => s.busy.during('track', () => importVersions(s)),
    'qianfan.untrackVersion': (node?: unknown, nodes?: unknown) => s.busy.during('track', () => untrackVersion(s, node, nodes)),
    'qianfan.followModel': (node?: unknown) => s.busy.during('track', () => followModel(s, node)),
    'qianfan.unfollowModel': (node?: unknown) => s.busy.during('track', () => unfollowModel(s, node)),
    'qianfan.refresh': () => s.tree.refresh(),
    'qianfan.refreshNode': (node?: unknown) => s.tree.refresh(node instanceof VersionNode || node instanceof ModelNode ? node : undefined),
    'qianfan.copyId': async (node?: unknown) => {
      const id = node instanceof VersionNode ? node.modelId : node instanceof ModelNode ? node.modelSetId : typeof node === 'string' ? node : undefined;
      if (id) {
        await s.prompts.copy(id);
        s.prompts.status(vscode.l10n.t('Copied {0}', id));
        details.copied(id); // the details page says so beside its button
      }
    },
    'qianfan.showDetails': (node?: unknown) => showDetails(s, details, node),
    'qianfan.filter': async (text?: unknown) => {
      const value =
        typeof text === 'string'
          ? text
          : await s.prompts.inputBox({
              title: vscode.l10n.t('Filter the model versions'),
              prompt: vscode.l10n.t(
                'Words to find in the model, version, ID or base model; status:Ready, status:Creating or status:Failed for a status. Empty shows everything.',
              ),
              placeHolder: vscode.l10n.t('e.g. news status:Ready'),
              value: s.filter.filter?.text ?? '',
            });
      if (value !== undefined) {
        s.filter.set(value);
      }
    },
    'qianfan.clearFilter': () => s.filter.set(''),
    'qianfan.openConsole': () => s.prompts.open(CONSOLE_URL),
    // the keyboard (Delete, Enter) acts on what is selected in the view
    'qianfan.deleteSelected': () => (selected().length > 0 ? s.busy.during('delete', () => deleteVersions(s, selected()[0], selected())) : undefined),
    'qianfan.showSelectedDetails': () => (selected().length > 0 ? showDetails(s, details, selected()[0]) : undefined),
    'qianfan.deleteVersion': (node?: unknown, nodes?: unknown) => s.busy.during('delete', () => deleteVersions(s, node, nodes)),
    'qianfan.cleanUp': (node?: unknown) => s.busy.during('delete', () => cleanUp(s, node)),
    'qianfan.exportVersion': (node?: unknown) => exportVersion(s, node),
    'qianfan.downloadExport': (node?: unknown) => s.busy.during('download', () => downloadExport(s, node)),
    // from a node, or from the details page's link (the version's ID)
    'qianfan.copyDownloadUrl': (node?: unknown) =>
      node instanceof VersionNode ? s.exports.copyUrl(node.modelId) : typeof node === 'string' && isModelVersionId(node) ? s.exports.copyUrl(node) : undefined,
    'qianfan.showLog': () => s.logger.show(),
  };
  for (const [id, handler] of Object.entries(table)) {
    registerCommand(context, s, id, handler);
  }
  // What the stores could not read stays stored; the log says so once.
  context.subscriptions.push(
    s.tracked.onProblem((p) => s.logger.warn(p)),
    s.followed.onProblem((p) => s.logger.warn(p)),
    s.pendingExports.onProblem((p) => s.logger.warn(p)),
    s.partialDownloads.onProblem((p) => s.logger.warn(p)),
  );
}
