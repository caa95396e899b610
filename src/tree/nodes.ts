/** The tree's nodes and how each becomes a TreeItem (a pure function of the node and what is known of it). */
import * as vscode from 'vscode';
import { type ExportState } from '../core/work/exportStates';
import { formatBytes } from '../core/work/exportTasks';
import { type TrackedVersion } from '../core/state/trackedVersions';
import { type LiveState } from '../core/state/versionDetails';
import { userMessage } from '../platform/errorMessages';
import { CONTEXT, versionContext } from './contextValues';

export class ModelNode {
  readonly kind = 'model';
  /** The filter it was drawn under: another filter makes it a new element, so its expansion starts afresh. */
  filterKey = '';
  constructor(
    readonly modelSetId: string,
    public label: string,
    public versions: VersionNode[] = [],
  ) {}
  get id(): string {
    return this.filterKey ? `model:${this.modelSetId}~${this.filterKey}` : `model:${this.modelSetId}`;
  }
}

export class VersionNode {
  readonly kind = 'version';
  constructor(
    readonly modelId: string,
    public parent: ModelNode | undefined,
    public name: string | undefined,
  ) {}
  get id(): string {
    return `version:${this.modelId}`;
  }
  get label(): string {
    return this.name || this.modelId;
  }
  /** The row's label, "V3 (amv-…)": the ID is in it so that the tree's own find (which matches labels) finds it. */
  get rowLabel(): string {
    return this.name && this.name !== this.modelId ? `${this.name} (${this.modelId})` : this.modelId;
  }
  /** "model / V3 (amv-…)": how a version is named in messages. */
  get title(): string {
    return versionTitle(this.parent?.label, this.name, this.modelId);
  }
}

/** A command offered under an error node (Set Access Key…, Show Log). */
export class ActionNode {
  readonly kind = 'action';
  constructor(
    readonly label: string,
    readonly command: string,
    readonly icon: string,
    readonly args: readonly unknown[] = [],
  ) {}
  get id(): string {
    return `action:${this.command}`;
  }
}

export class ErrorNode {
  readonly kind = 'error';
  constructor(
    readonly message: string,
    readonly detail: string,
    readonly actions: readonly ActionNode[] = [],
  ) {}
  get id(): string {
    return `error:${this.message}`;
  }
}

export type TreeNode = ModelNode | VersionNode | ErrorNode | ActionNode;

/** "model / V3 (amv-…)", or less when less is known. */
export function versionTitle(model: string | undefined, name: string | undefined, modelId: string): string {
  const version = name && name !== modelId ? `${name} (${modelId})` : modelId;
  return model ? `${model} / ${version}` : version;
}

/** "model / V1 (amv-…)" from what is stored of a tracked version (or the ID alone when nothing is). */
export function trackedTitle(t: TrackedVersion | undefined, modelId: string): string {
  return versionTitle(t?.modelSetName ?? t?.modelSetId, t?.name, modelId);
}

/** What the tree knows of a version when it draws it. */
export interface VersionView {
  readonly tracked?: TrackedVersion;
  readonly live?: LiveState;
  readonly loading: boolean;
  readonly exportState?: ExportState;
  readonly now: number;
  /** Found new in a followed model and not yet seen. */
  readonly isNew?: boolean;
}

const STATUS_ICON: Record<string, [string, string | undefined]> = {
  Ready: ['pass', 'testing.iconPassed'],
  Creating: ['loading~spin', undefined],
  Fail: ['error', 'testing.iconFailed'],
};

export function statusText(status: string): string {
  switch (status) {
    case 'Ready':
      return vscode.l10n.t('Ready');
    case 'Creating':
      return vscode.l10n.t('Creating');
    case 'Fail':
      return vscode.l10n.t('Failed');
    default:
      return status;
  }
}

let timeFormat: Intl.DateTimeFormat | undefined;

/**
 * A time from Qianfan (ISO 8601) as a user reads it: local, in the display language, with the
 * zone ("Dec 5, 2026, 8:30:00 PM GMT+8"); the same in the tree's hover and the details page (ISO
 * only in the log). Text that is not a time is shown as it came.
 */
export function localTime(value: string | undefined): string | undefined {
  if (!value) {
    return undefined;
  }
  const t = Date.parse(value);
  if (Number.isNaN(t)) {
    return value;
  }
  timeFormat ??= new Intl.DateTimeFormat(vscode.env.language, { dateStyle: 'medium', timeStyle: 'long' });
  return timeFormat.format(t);
}

let relative: Intl.RelativeTimeFormat | undefined;

/** "5 minutes ago" in the display language. */
export function ago(then: number, now: number): string {
  relative ??= new Intl.RelativeTimeFormat(vscode.env.language, { numeric: 'auto', style: 'short' });
  const seconds = Math.round((then - now) / 1000);
  const steps: [Intl.RelativeTimeFormatUnit, number][] = [
    ['second', 60],
    ['minute', 60],
    ['hour', 24],
    ['day', 30],
    ['month', 12],
  ];
  let value = seconds;
  for (const [unit, size] of steps) {
    if (Math.abs(value) < size) {
      return relative.format(value, unit);
    }
    value = Math.round(value / size);
  }
  return relative.format(value, 'year');
}

/** The status to show and whether it is from an earlier session (not confirmed since). */
function shownStatus(v: VersionView): { status?: string; stale: boolean; at?: number } {
  if (v.live?.kind === 'loaded') {
    return { status: v.live.detail.status, stale: false, at: v.live.at };
  }
  return { status: v.tracked?.status, stale: true, at: v.tracked?.statusAt };
}

function escapeMd(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, (c) => '\\' + c);
}

function versionTooltip(node: VersionNode, v: VersionView): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.supportThemeIcons = true;
  md.appendMarkdown(`**${escapeMd(node.label)}** \`${node.modelId}\`\n\n`);
  const live = v.live;
  const shown = shownStatus(v);
  if (live?.kind === 'loaded') {
    const d = live.detail;
    const rows: [string, string | undefined][] = [
      [vscode.l10n.t('Status'), statusText(d.status)],
      [vscode.l10n.t('Model'), node.parent?.label ? `${node.parent.label} (${d.modelSetId})` : d.modelSetId],
      [vscode.l10n.t('Base model'), d.model],
      [vscode.l10n.t('Source'), d.sourceType],
      [vscode.l10n.t('I/O mode'), d.ioMode],
      [vscode.l10n.t('Created'), localTime(d.createTime)],
      [vscode.l10n.t('Modified'), localTime(d.modifyTime)],
      [vscode.l10n.t('Description'), d.description],
    ];
    md.appendMarkdown(`| | |\n|---|---|\n`);
    for (const [k, value] of rows) {
      if (value) {
        md.appendMarkdown(`| ${escapeMd(k)} | ${escapeMd(value)} |\n`);
      }
    }
  } else if (live?.kind === 'missing') {
    md.appendMarkdown(vscode.l10n.t('The service no longer knows this version. Untrack it to remove it from this list.'));
  } else if (shown.status) {
    md.appendMarkdown(
      escapeMd(
        shown.at !== undefined
          ? vscode.l10n.t('Last known status: {0}, {1}.', statusText(shown.status), ago(shown.at, v.now))
          : vscode.l10n.t('Last known status: {0}.', statusText(shown.status)),
      ),
    );
  }
  if (live?.kind === 'error') {
    md.appendMarkdown(`\n\n$(warning) ${escapeMd(vscode.l10n.t('Could not refresh it: {0}', userMessage(live.error)))}`);
  } else if (v.loading) {
    md.appendMarkdown(`\n\n$(sync~spin) ${escapeMd(vscode.l10n.t('Refreshing…'))}`);
  }
  const e = v.exportState;
  if (e?.status === 'Done') {
    md.appendMarkdown(
      `\n\n$(package) ${vscode.l10n.t('Exported: {0} ({1}, md5 {2})', escapeMd(e.task.fileName ?? '?'), formatBytes(e.task.fileSize), e.task.md5 ?? '?')}`,
    );
    const args = encodeURIComponent(JSON.stringify([node.modelId]));
    md.appendMarkdown(`\n\n[$(cloud-download) ${escapeMd(vscode.l10n.t('Download…'))}](command:qianfan.downloadExport?${args})`);
    md.isTrusted = { enabledCommands: ['qianfan.downloadExport'] };
  } else if (e?.status === 'Doing') {
    md.appendMarkdown(`\n\n$(sync~spin) ${vscode.l10n.t('Exporting…')}`);
  }
  return md;
}

/** How a model is followed: every version shown, later ones too; gone: no longer in Qianfan. */
export interface ModelMarks {
  readonly followed: boolean;
  readonly gone: boolean;
}

export function modelTreeItem(node: ModelNode, expanded: boolean, marks: ModelMarks = { followed: false, gone: false }): vscode.TreeItem {
  const item = new vscode.TreeItem(node.label, expanded ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
  item.id = node.id;
  const parts = [node.modelSetId];
  if (marks.followed) {
    parts.push(vscode.l10n.t('followed'));
  }
  if (marks.gone) {
    parts.push(vscode.l10n.t('no longer in Qianfan'));
  }
  item.description = parts.join(' · ');
  item.contextValue = marks.followed ? CONTEXT.modelFollowed : CONTEXT.model;
  item.iconPath = marks.gone
    ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'))
    : new vscode.ThemeIcon(marks.followed ? 'eye' : 'folder-library');
  item.tooltip = `${node.label} (${node.modelSetId}) · ${node.versions.length === 1 ? vscode.l10n.t('1 tracked version') : vscode.l10n.t('{0} tracked versions', node.versions.length)}`;
  if (marks.followed) {
    item.tooltip += ` · ${vscode.l10n.t('Followed: every version is shown, later ones too.')}`;
  }
  if (marks.gone) {
    item.tooltip += ` · ${vscode.l10n.t('Qianfan no longer lists this model; its versions stay tracked until you untrack them.')}`;
  }
  return item;
}

export function errorTreeItem(node: ErrorNode): vscode.TreeItem {
  const item = new vscode.TreeItem(node.message, node.actions.length > 0 ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
  item.id = node.id;
  item.contextValue = CONTEXT.error;
  item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
  item.tooltip = node.detail;
  if (node.actions.length === 0) {
    item.command = { command: 'qianfan.showLog', title: vscode.l10n.t('Show Log') };
  }
  return item;
}

export function actionTreeItem(node: ActionNode): vscode.TreeItem {
  const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
  item.id = node.id;
  item.contextValue = CONTEXT.action;
  item.iconPath = new vscode.ThemeIcon(node.icon);
  item.command = { command: node.command, title: node.label, arguments: [...node.args] };
  return item;
}

export function versionTreeItem(node: VersionNode, v: VersionView): vscode.TreeItem {
  const item = new vscode.TreeItem(node.rowLabel, vscode.TreeItemCollapsibleState.None);
  item.id = node.id;
  const live = v.live;
  const shown = shownStatus(v);
  const missing = live?.kind === 'missing';
  item.contextValue = versionContext(missing ? undefined : shown.status, missing, v.exportState?.status === 'Done');
  const [icon, color] = missing
    ? ['warning', 'problemsWarningIcon.foreground']
    : shown.status
      ? (STATUS_ICON[shown.status] ?? ['circle-outline', undefined])
      : v.loading
        ? ['loading~spin', undefined]
        : live?.kind === 'error'
          ? ['question', undefined]
          : ['circle-outline', undefined];
  // an export in progress or done shows in the icon too, so a narrow sidebar cannot cut it off
  const exporting = v.exportState?.status;
  item.iconPath =
    exporting === 'Doing'
      ? new vscode.ThemeIcon('sync~spin', new vscode.ThemeColor('charts.blue'))
      : exporting === 'Done'
        ? new vscode.ThemeIcon('package', new vscode.ThemeColor('charts.green'))
        : new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
  const parts: string[] = [];
  if (v.isNew) {
    parts.push(vscode.l10n.t('new'));
  }
  if (missing) {
    parts.push(vscode.l10n.t('not found on the server'));
  } else if (shown.status) {
    parts.push(statusText(shown.status));
    if (shown.stale && shown.at !== undefined) {
      parts.push(ago(shown.at, v.now));
    }
  }
  if (live?.kind === 'error') {
    parts.push(shown.status ? vscode.l10n.t('could not refresh') : vscode.l10n.t('could not load'));
  }
  if (v.exportState?.status === 'Doing') {
    parts.push(vscode.l10n.t('Exporting…'));
  } else if (v.exportState?.status === 'Done') {
    parts.push(vscode.l10n.t('Exported'));
  }
  item.description = parts.join(' · ');
  item.tooltip = versionTooltip(node, v);
  return item;
}
