/** The tree's nodes and how each becomes a TreeItem. */
import * as vscode from 'vscode';
import { type ExportTask, type ModelVersionDetail } from '../core/model';
import { formatBytes } from '../core/exportTasks';
import { CONTEXT, versionContext } from './contextValues';

export type VersionState =
  | { readonly kind: 'loading' }
  | { readonly kind: 'loaded'; readonly detail: ModelVersionDetail }
  | { readonly kind: 'missing' }
  | { readonly kind: 'error'; readonly message: string };

export type ExportState = { readonly status: 'Doing' | 'Done' | 'Fail'; readonly task?: ExportTask; readonly reason?: string };

export class ModelNode {
  readonly kind = 'model';
  constructor(
    readonly modelSetId: string,
    public label: string,
    public versions: VersionNode[] = [],
  ) {}
  get id(): string {
    return `model:${this.modelSetId}`;
  }
}

export class VersionNode {
  readonly kind = 'version';
  constructor(
    readonly modelId: string,
    public parent: ModelNode | undefined,
    public name: string | undefined,
    public state: VersionState = { kind: 'loading' },
    public exportState?: ExportState,
  ) {}
  get id(): string {
    return `version:${this.modelId}`;
  }
  get label(): string {
    return this.name || this.modelId;
  }
}

export class ErrorNode {
  readonly kind = 'error';
  constructor(
    readonly message: string,
    readonly detail: string,
  ) {}
  get id(): string {
    return `error:${this.message}`;
  }
}

export type TreeNode = ModelNode | VersionNode | ErrorNode;

const STATUS_ICON: Record<string, [string, string | undefined]> = {
  Ready: ['pass', 'testing.iconPassed'],
  Creating: ['loading~spin', undefined],
  Fail: ['error', 'testing.iconFailed'],
};

function statusText(status: string): string {
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

function versionTooltip(node: VersionNode): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.supportThemeIcons = true;
  md.appendMarkdown(`**${escapeMd(node.label)}** \`${node.modelId}\`\n\n`);
  const s = node.state;
  if (s.kind === 'loaded') {
    const d = s.detail;
    const rows: [string, string | undefined][] = [
      [vscode.l10n.t('Status'), statusText(d.status)],
      [vscode.l10n.t('Model'), d.modelSetId],
      [vscode.l10n.t('Base model'), d.model],
      [vscode.l10n.t('Source'), d.sourceType],
      [vscode.l10n.t('I/O mode'), d.ioMode],
      [vscode.l10n.t('Created'), d.createTime],
      [vscode.l10n.t('Modified'), d.modifyTime],
      [vscode.l10n.t('Description'), d.description],
    ];
    md.appendMarkdown(`| | |\n|---|---|\n`);
    for (const [k, v] of rows) {
      if (v) {
        md.appendMarkdown(`| ${escapeMd(k)} | ${escapeMd(v)} |\n`);
      }
    }
  } else if (s.kind === 'missing') {
    md.appendMarkdown(vscode.l10n.t('The service no longer knows this version. Untrack it to remove it from this list.'));
  } else if (s.kind === 'error') {
    md.appendMarkdown(vscode.l10n.t('Could not load its details: {0}', escapeMd(s.message)));
  }
  const e = node.exportState;
  if (e?.status === 'Done' && e.task) {
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

function escapeMd(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, (c) => '\\' + c);
}

export function toTreeItem(node: TreeNode): vscode.TreeItem {
  if (node instanceof ModelNode) {
    const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Expanded);
    item.id = node.id;
    item.description = node.modelSetId;
    item.contextValue = CONTEXT.model;
    item.iconPath = new vscode.ThemeIcon('folder-library');
    item.tooltip = `${node.label} (${node.modelSetId})`;
    return item;
  }
  if (node instanceof ErrorNode) {
    const item = new vscode.TreeItem(node.message, vscode.TreeItemCollapsibleState.None);
    item.id = node.id;
    item.contextValue = CONTEXT.error;
    item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
    item.tooltip = node.detail;
    item.command = { command: 'qianfan.showLog', title: vscode.l10n.t('Show Log') };
    return item;
  }
  const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
  item.id = node.id;
  const s = node.state;
  const status = s.kind === 'loaded' ? s.detail.status : undefined;
  item.contextValue = versionContext(status, s.kind === 'missing', node.exportState?.status === 'Done');
  const [icon, color] =
    s.kind === 'loaded'
      ? (STATUS_ICON[s.detail.status] ?? ['circle-outline', undefined])
      : s.kind === 'missing'
        ? ['warning', 'problemsWarningIcon.foreground']
        : s.kind === 'error'
          ? ['question', undefined]
          : ['loading~spin', undefined];
  item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
  const parts = [node.modelId];
  if (s.kind === 'loaded') {
    parts.push(statusText(s.detail.status));
  } else if (s.kind === 'missing') {
    parts.push(vscode.l10n.t('not found on the server'));
  } else if (s.kind === 'error') {
    parts.push(vscode.l10n.t('could not load'));
  }
  if (node.exportState?.status === 'Doing') {
    parts.push(vscode.l10n.t('Exporting…'));
  } else if (node.exportState?.status === 'Done') {
    parts.push(vscode.l10n.t('Exported'));
  }
  item.description = parts.join(' · ');
  item.tooltip = versionTooltip(node);
  return item;
}
