/** Tells the user, once, that a version they saw being created is ready (or failed). */
import * as vscode from 'vscode';
import { type TrackedVersionsStore } from '../core/state/trackedVersions';
import { trackedTitle } from '../tree/nodes';
import { type Reporter, notify, notifyWithLog } from './notify';

/** "news-summarizer / V3 (amv-…) is Ready.": once, when a version seen Creating reaches another status. */
export function announceStatus(r: Reporter & { readonly tracked: TrackedVersionsStore }, modelId: string, status: string): void {
  const t = r.tracked.get(modelId);
  if (!t) {
    return;
  }
  const title = trackedTitle(t, modelId);
  r.logger.info(`${title} is now ${status}`);
  if (status === 'Ready') {
    void notify(r, 'info', vscode.l10n.t('{0} is Ready.', title));
  } else if (status === 'Fail') {
    notifyWithLog(r, 'error', vscode.l10n.t('{0} could not be created (status Failed).', title));
  } else {
    void notify(r, 'info', vscode.l10n.t('{0} is now {1}.', title, status));
  }
}
