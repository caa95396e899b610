/**
 * The Model Versions view: the tree view over the provider, what its visibility and expansion
 * mean (poll while visible, stop loading what was collapsed), the context keys its welcome
 * content and menus use, and a reload when the keys change.
 */
import * as vscode from 'vscode';
import { type TreeNode } from '../tree/nodes';
import { type FilterSummary } from '../tree/modelVersionTreeProvider';
import { type Services } from './services';
import { setWalkthroughContext } from './walkthrough';

/**
 * "team · qianfan.baidubce.com · AK 1a2b…": the active profile, the endpoint's
 * host and the start of the access key (never the secret key).
 */
export function describeTarget(endpoint: string, accessKeyId: string | undefined, profile?: string): string {
  let host: string;
  try {
    host = new URL(endpoint).host;
  } catch {
    host = endpoint;
  }
  const target = accessKeyId ? `${host} · AK ${accessKeyId.slice(0, 4)}…` : host;
  return profile ? `${profile} · ${target}` : target;
}

/** "Filter "news status:ready": 12 of 4,000 versions match." (undefined: no filter). */
export function filterMessage(summary: FilterSummary | undefined): string | undefined {
  if (!summary) {
    return undefined;
  }
  const total = summary.total.toLocaleString(vscode.env.language);
  const matching = summary.matching.toLocaleString(vscode.env.language);
  if (summary.total === 1) {
    return summary.matching === 1
      ? vscode.l10n.t('Filter "{0}": the one tracked version matches.', summary.text)
      : vscode.l10n.t('Filter "{0}": the one tracked version does not match.', summary.text);
  }
  return summary.matching === 1
    ? vscode.l10n.t('Filter "{0}": 1 of {1} versions matches.', summary.text, total)
    : vscode.l10n.t('Filter "{0}": {1} of {2} versions match.', summary.text, matching, total);
}

/** Key changes closer together than this reload the view once (which clears a "keys refused" stop). */
const KEY_CHANGE_SETTLE_MS = 100;

export function registerView(context: vscode.ExtensionContext, s: Services): vscode.TreeView<TreeNode> {
  const view = vscode.window.createTreeView('qianfan.modelVersions', { treeDataProvider: s.tree, canSelectMany: true, showCollapseAll: true });
  let reload: ReturnType<typeof setTimeout> | undefined;
  // a filter on: said at the top of the view's body (the description is cut off in a narrow sidebar)
  const updateMessage = () => {
    const message = filterMessage(s.tree.filterSummary());
    if (view.message !== message) {
      view.message = message;
    }
  };
  const updateContext = async () => {
    const keys = await s.credentials.get();
    // where requests go, in the view's title bar: the endpoint's host and the access key's first characters
    const target = describeTarget(s.settings().endpoint, keys?.accessKeyId, s.profiles.active.name);
    const filter = s.filter.filter;
    view.description = filter ? `${vscode.l10n.t('Filter: {0}', filter.text)} · ${target}` : target;
    updateMessage();
    await vscode.commands.executeCommand('setContext', 'qianfan.filtered', filter !== undefined);
    await vscode.commands.executeCommand('setContext', 'qianfan.trackedCount', s.tracked.view().length);
    // qianfan.hasCredentials and the walkthrough's other keys: its steps complete on them
    await setWalkthroughContext(s, keys !== undefined);
  };
  context.subscriptions.push(
    view,
    view.onDidCollapseElement((e) => s.tree.collapsed(e.element)),
    view.onDidChangeSelection((e) => (s.tree.selection = e.selection)),
    view.onDidChangeVisibility((e) => setPolling(s, e.visible)),
    s.credentials.onDidChange(() => {
      void updateContext();
      // one reload for the burst of events a key change brings (each key, then the pair)
      clearTimeout(reload);
      reload = setTimeout(() => void s.tree.refresh(), KEY_CHANGE_SETTLE_MS);
    }),
    { dispose: () => clearTimeout(reload) },
    s.tracked.onDidChange(() => void updateContext()),
    s.profiles.onDidChange(() => void updateContext()),
    s.filter.onDidChange(() => void updateContext()),
    // a status learnt, a version tracked or untracked: the count of matches follows
    s.tree.onDidChangeTreeData(() => updateMessage()),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('qianfan.endpoint')) {
        void updateContext();
        void s.tree.refresh(); // another service: what is shown is loaded from it again
      }
    }),
  );
  setPolling(s, view.visible);
  void updateContext();
  return view;
}

/** While the view is visible, the Creating versions are polled and the followed models looked at; not otherwise. */
function setPolling(s: Services, visible: boolean): void {
  s.poller.setActive(visible);
  s.followPoller.setActive(visible);
}
