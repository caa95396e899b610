/**
 * Details (`qianfan.showDetails`, Enter on a version or a model): a read-only page with
 * everything Qianfan returns for it, dates in the display language, the export's file when there
 * is one, and two links at its top: Copy ID and Open the Qianfan console. It is a small webview
 * in the theme's colours (the same on every VS Code the extension supports, in the browser too),
 * asked of Qianfan each time it is shown, so it never holds stale text.
 */
import * as vscode from 'vscode';
import { mayMeanMissing } from '../core/qianfan/errors';
import { failureText } from './exportWatcher';
import { exportOf } from '../core/work/exportStates';
import { formatBytes } from '../core/work/exportTasks';
import { type ExportTask, type ModelSetDetail, type ModelVersionDetail } from '../core/qianfan/model';
import { isModelSetId, isModelVersionId } from '../core/base/ids';
import { userMessage } from '../platform/errorMessages';
import { ModelNode, VersionNode, localTime as when, statusText, versionTitle } from '../tree/nodes';
import { targetsFor } from './selection';
import { type Services } from './services';

/**
 * Where "Open in the Qianfan console" goes: the console's list of the account's own models
 * (模型仓库列表), the address Baidu's Qianfan SDK documentation links to find a model and its
 * versions. Qianfan documents no stable address for one model or one version, so none is made up.
 */
export const CONSOLE_URL = 'https://console.bce.baidu.com/qianfan/modelcenter/model/user/list';

/** One part of a details page; the page is rendered to HTML, every text escaped. */
type Block =
  | { kind: 'heading'; text: string }
  | { kind: 'text'; text: string }
  /** A row marked 'secret' (a pre-signed download URL) is never drawn: the page offers to copy it instead. */
  | { kind: 'rows'; rows: [string, string | undefined, 'secret'?][] }
  | { kind: 'list'; items: { text: string; code: string; note?: string }[] };

/** What the details of a version or a model show. */
export interface DetailsPage {
  /** The version's or model's ID (what Copy ID copies). */
  readonly id: string;
  readonly title: string;
  readonly blocks: Block[];
  /** A version's status as shown (a change of it reloads the page). */
  readonly status?: string;
  /** A model's versions as listed (a delete of one reloads the page). */
  readonly versionIds?: readonly string[];
}

function table(rows: [string, string | undefined, 'secret'?][]): Block {
  return { kind: 'rows', rows };
}

function exportSection(s: Services, modelId: string, task: ExportTask | undefined): Block[] {
  const state = s.exportStates.get(modelId);
  const head: Block = { kind: 'heading', text: vscode.l10n.t('Export') };
  if (state?.status === 'Fail') {
    return [head, { kind: 'text', text: vscode.l10n.t('The last export failed: {0}', failureText(state.failure)) }];
  }
  if (!task?.hasRecord) {
    return [
      head,
      { kind: 'text', text: state?.status === 'Doing' ? vscode.l10n.t('Exporting…') : vscode.l10n.t('No export of this version is known to Qianfan.') },
    ];
  }
  return [
    head,
    table([
      [vscode.l10n.t('Status'), task.status === 'Done' ? vscode.l10n.t('Exported') : task.status === 'Doing' ? vscode.l10n.t('Exporting…') : task.status],
      [vscode.l10n.t('Export task'), task.exportId],
      [vscode.l10n.t('File'), task.fileName],
      [
        vscode.l10n.t('Size'),
        task.fileSize === undefined ? undefined : `${formatBytes(task.fileSize)} (${task.fileSize.toLocaleString(vscode.env.language)} B)`,
      ],
      ['md5', task.md5],
      [vscode.l10n.t('Download URL'), task.downloadUrl, 'secret'],
    ]),
  ];
}

async function versionPage(s: Services, modelId: string): Promise<DetailsPage> {
  const client = s.client();
  let detail: ModelVersionDetail;
  try {
    detail = await client.describeModel(modelId);
  } catch (error) {
    if (mayMeanMissing(error) && (await client.versionPresence(modelId, s.tracked.get(modelId)?.modelSetId)) === 'gone') {
      return {
        id: modelId,
        title: modelId,
        blocks: [{ kind: 'text', text: vscode.l10n.t('The service no longer knows this version. Untrack it to remove it from this list.') }],
      };
    }
    throw error;
  }
  const tracked = s.tracked.get(modelId);
  const set = await client.describeModelSet(detail.modelSetId).catch(() => undefined);
  const modelName = set?.modelSetName || tracked?.modelSetName;
  const task = await exportOf(s.exportStates, modelId, (id) => client.describeModelExportTask(id));
  return {
    id: modelId,
    title: versionTitle(modelName, detail.modelName, modelId),
    status: detail.status,
    blocks: [
      table([
        [vscode.l10n.t('Status'), statusText(detail.status)],
        [vscode.l10n.t('Version'), detail.modelName],
        [vscode.l10n.t('Version ID'), detail.modelId],
        [vscode.l10n.t('Model'), modelName ? `${modelName} (${detail.modelSetId})` : detail.modelSetId],
        [vscode.l10n.t('Base model'), detail.model],
        [vscode.l10n.t('Source'), detail.sourceType],
        [vscode.l10n.t('I/O mode'), detail.ioMode],
        [vscode.l10n.t('Created'), when(detail.createTime)],
        [vscode.l10n.t('Modified'), when(detail.modifyTime)],
        [vscode.l10n.t('Description'), detail.description],
      ]),
      ...exportSection(s, modelId, task),
    ],
  };
}

async function modelPage(s: Services, modelSetId: string): Promise<DetailsPage> {
  const set: ModelSetDetail = await s.client().describeModelSet(modelSetId);
  return {
    id: modelSetId,
    title: set.modelSetName || modelSetId,
    versionIds: set.modelIds,
    blocks: [
      table([
        [vscode.l10n.t('Model ID'), set.modelSetId],
        [vscode.l10n.t('Type'), set.modelType],
        [vscode.l10n.t('Source'), set.source],
        [vscode.l10n.t('Labels'), set.labels.join(', ')],
        [vscode.l10n.t('Created'), when(set.createTime)],
        [vscode.l10n.t('Modified'), when(set.modifyTime)],
        [vscode.l10n.t('Description'), set.description],
      ]),
      { kind: 'heading', text: vscode.l10n.t('Versions ({0})', set.modelIds.length) },
      {
        kind: 'list',
        items: set.modelIds.map((id, i) => ({
          text: set.modelNames[i] || id,
          code: id,
          note: s.tracked.has(id) ? undefined : vscode.l10n.t('not tracked'),
        })),
      },
    ],
  };
}

/** The details of a version or a model, asked of Qianfan now; a failure is shown on the page. */
export async function detailsPage(s: Services, id: string): Promise<DetailsPage> {
  try {
    if (isModelVersionId(id)) {
      return await versionPage(s, id);
    }
    if (isModelSetId(id)) {
      return await modelPage(s, id);
    }
    return { id, title: id, blocks: [] };
  } catch (error) {
    s.logger.error(`Could not load the details of ${id}`, error);
    return { id, title: id, blocks: [{ kind: 'text', text: vscode.l10n.t('Could not load the details: {0}', userMessage(error)) }] };
  }
}

/** The page as plain text (Markdown), for a reader that is not a webview (a chat tool's answer). */
export function detailsText(page: DetailsPage): string {
  const lines = [`# ${page.title}`];
  for (const block of page.blocks) {
    switch (block.kind) {
      case 'heading':
        lines.push('', `## ${block.text}`);
        break;
      case 'text':
        lines.push('', block.text);
        break;
      case 'rows':
        lines.push('', ...block.rows.filter(([, value]) => value !== undefined && value !== '').map(([name, value]) => `- ${name}: ${value}`));
        break;
      case 'list':
        lines.push('', ...block.items.map((item) => `- ${item.text} (${item.code})${item.note ? ` ${item.note}` : ''}`));
        break;
    }
  }
  return lines.join('\n') + '\n';
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The commands the page's links may run (the webview runs no other command URI). */
export const DETAILS_COMMANDS = ['qianfan.copyId', 'qianfan.openConsole', 'qianfan.copyDownloadUrl'];

/** A command link of the page, with its arguments. */
function commandLink(command: string, args: unknown[]): string {
  return `command:${command}?${encodeURIComponent(JSON.stringify(args))}`;
}

function rowHtml(id: string, [name, value, secret]: [string, string, 'secret'?]): string {
  const cell = secret
    ? // the signed link lets anyone download the file until it expires: on a shared screen it stays hidden
      `${escape(vscode.l10n.t('A signed link: not shown, since whoever has it can download the file until it expires.'))} <a href="${escape(commandLink('qianfan.copyDownloadUrl', [id]))}">${escape(vscode.l10n.t('Copy Download URL'))}</a>`
    : escape(value);
  return `<tr><th scope="row">${escape(name)}</th><td>${cell}</td></tr>`;
}

function blockHtml(block: Block, id: string): string {
  switch (block.kind) {
    case 'heading':
      return `<h2>${escape(block.text)}</h2>`;
    case 'text':
      return `<p>${escape(block.text)}</p>`;
    case 'rows':
      return `<table>${block.rows
        .filter((r): r is [string, string, 'secret'?] => r[1] !== undefined && r[1] !== '')
        .map((r) => rowHtml(id, r))
        .join('')}</table>`;
    case 'list':
      return `<ul>${block.items
        .map((i) => `<li>${escape(i.text)} (<code>${escape(i.code)}</code>)${i.note ? ` — <em>${escape(i.note)}</em>` : ''}</li>`)
        .join('')}</ul>`;
  }
}

/**
 * The page as HTML in the theme's colours and fonts (the workbench's CSS variables), its text
 * selectable, with Copy ID and Open in the Qianfan console as command links that look like the
 * workbench's buttons in light, dark and high-contrast themes. No script runs; `copied` shows the
 * note that Copy ID copied.
 */
export function detailsHtml(page: DetailsPage, cspSource: string, copied = false): string {
  const copy = commandLink('qianfan.copyId', [page.id]);
  const where = page.versionIds
    ? vscode.l10n.t('Opens the list of your models in the Qianfan console ({0}): Qianfan has no address of its own for one model.', CONSOLE_URL)
    : vscode.l10n.t('Opens the list of your models in the Qianfan console ({0}): Qianfan has no address of its own for one version.', CONSOLE_URL);
  return `<!DOCTYPE html>
<html lang="${escape(vscode.env.language)}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${cspSource} 'unsafe-inline';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escape(page.title)}</title>
<style>
  body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); padding: 0 20px 20px; user-select: text; }
  h1 { font-size: 1.6em; font-weight: 600; padding-bottom: 0.3em; border-bottom: 1px solid var(--vscode-panel-border, var(--vscode-widget-border, transparent)); }
  h2 { font-size: 1.25em; font-weight: 600; margin-top: 1.5em; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; vertical-align: top; padding: 4px 16px 4px 0; border-bottom: 1px solid var(--vscode-editorWidget-border, transparent); }
  th { font-weight: 600; color: var(--vscode-descriptionForeground); white-space: nowrap; width: 9em; }
  td { word-break: break-all; }
  code { font-family: var(--vscode-editor-font-family); background: var(--vscode-textCodeBlock-background); padding: 1px 4px; border-radius: 3px; }
  .actions { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; margin: 12px 0 4px; }
  /* the workbench's buttons: its colours in every theme, a border where the theme draws one (high contrast) */
  .actions a.button { display: inline-block; color: var(--vscode-button-foreground); background: var(--vscode-button-background); border: 1px solid var(--vscode-button-border, transparent); padding: 4px 12px; border-radius: 2px; line-height: 18px; text-decoration: none; }
  .actions a.button:hover { background: var(--vscode-button-hoverBackground); text-decoration: none; }
  .actions a.button.secondary { color: var(--vscode-button-secondaryForeground); background: var(--vscode-button-secondaryBackground); }
  .actions a.button.secondary:hover { background: var(--vscode-button-secondaryHoverBackground); }
  .actions a.button:focus-visible { outline: 1px solid var(--vscode-focusBorder); outline-offset: 2px; }
  body.vscode-high-contrast .actions a.button, body.vscode-high-contrast-light .actions a.button { border-color: var(--vscode-contrastBorder); }
  body.vscode-high-contrast .actions a.button:hover, body.vscode-high-contrast-light .actions a.button:hover { outline: 1px dashed var(--vscode-contrastActiveBorder); }
  .copied { color: var(--vscode-descriptionForeground); }
  .where { color: var(--vscode-descriptionForeground); margin: 0 0 12px; font-size: 0.9em; }
</style>
</head>
<body>
<h1>${escape(page.title)}</h1>
<div class="actions">
<a class="button" role="button" href="${escape(copy)}">${escape(vscode.l10n.t('Copy ID'))}</a>
<a class="button secondary" role="button" href="command:qianfan.openConsole" title="${escape(CONSOLE_URL)}">${escape(vscode.l10n.t('Open in the Qianfan console'))}</a>
${copied ? `<span class="copied" role="status">✓ ${escape(vscode.l10n.t('Copied {0}', page.id))}</span>` : ''}
</div>
<p class="where">${escape(where)}</p>
${page.blocks.map((b) => blockHtml(b, page.id)).join('\n')}
</body>
</html>`;
}

/** What the details tab watches to follow what it shows. */
export interface DetailsSources {
  readonly tracked: Pick<Services['tracked'], 'onDidChange' | 'get'>;
  readonly details: Pick<Services['details'], 'onDidChange' | 'get'>;
  /** The page of this ID, asked of Qianfan now. */
  load(id: string): Promise<DetailsPage>;
}

/**
 * The details tab: one, reused (as a preview is) for the next version or model shown. While open
 * it follows what it shows: a delete of the version (or of one of the model's versions), or a
 * change of the version's status, reloads it in place (without taking the focus).
 */
export class DetailsPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  /** What the tab shows now. */
  page: DetailsPage | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];
  private reloading: Promise<void> | undefined;
  private reloadAgain = false;

  constructor(private readonly iconUri: vscode.Uri) {}

  /** Follows the stores: what the tab shows is reloaded when it changes. */
  follow(sources: DetailsSources): void {
    this.subscriptions.push(
      sources.tracked.onDidChange((change) => {
        const page = this.page;
        if (!page) {
          return;
        }
        const touched = [...change.removed, ...change.added, ...change.updated];
        const mine = page.versionIds
          ? touched.some((id) => page.versionIds!.includes(id) || sources.tracked.get(id)?.modelSetId === page.id)
          : change.removed.includes(page.id) || (change.updated.includes(page.id) && sources.tracked.get(page.id)?.status !== page.status);
        if (mine) {
          this.reload(sources);
        }
      }),
      sources.details.onDidChange((ids) => {
        const page = this.page;
        if (!page || page.versionIds || !ids.includes(page.id)) {
          return;
        }
        const live = sources.details.get(page.id);
        if ((live?.kind === 'loaded' && live.detail.status !== page.status) || live?.kind === 'missing') {
          this.reload(sources);
        }
      }),
    );
  }

  /** Loads the page shown again and shows it in place; changes during a load make one more. */
  private reload(sources: DetailsSources): void {
    if (this.reloading) {
      this.reloadAgain = true;
      return;
    }
    this.reloading = (async () => {
      do {
        this.reloadAgain = false;
        const id = this.page?.id;
        if (!id) {
          return;
        }
        const page = await sources.load(id);
        if (this.panel && this.page?.id === id) {
          this.render(page);
        }
      } while (this.reloadAgain);
    })().finally(() => (this.reloading = undefined));
  }

  /** Waits for a reload under way (tests). */
  settled(): Promise<void> {
    return this.reloading ?? Promise.resolve();
  }

  /** Copy ID copied this ID: the page says so beside the button. */
  copied(id: string): void {
    if (this.panel && this.page?.id === id) {
      this.panel.webview.html = detailsHtml(this.page, this.panel.webview.cspSource, true);
    }
  }

  show(page: DetailsPage): vscode.WebviewPanel {
    if (!this.panel) {
      this.panel = vscode.window.createWebviewPanel(
        'qianfan.details',
        page.title,
        { viewColumn: vscode.ViewColumn.Active, preserveFocus: false },
        { enableScripts: false, enableCommandUris: DETAILS_COMMANDS, localResourceRoots: [] },
      );
      this.panel.iconPath = this.iconUri;
      this.panel.onDidDispose(() => {
        this.panel = undefined;
        this.page = undefined;
      });
    } else {
      this.panel.reveal(undefined, false);
    }
    this.render(page);
    return this.panel;
  }

  private render(page: DetailsPage): void {
    if (!this.panel) {
      return;
    }
    this.panel.title = page.title;
    this.panel.webview.html = detailsHtml(page, this.panel.webview.cspSource);
    this.page = page;
  }

  dispose(): void {
    for (const d of this.subscriptions) {
      d.dispose();
    }
    this.panel?.dispose();
  }
}

export function registerDetails(context: vscode.ExtensionContext, s?: Services): DetailsPanel {
  const panel = new DetailsPanel(vscode.Uri.joinPath(context.extensionUri, 'media', 'qianfan.svg'));
  if (s) {
    panel.follow({ tracked: s.tracked, details: s.details, load: (id) => detailsPage(s, id) });
  }
  context.subscriptions.push(panel);
  return panel;
}

/** Opens the details of a version or model (from the tree, the keyboard, an ID, or a quick pick). */
export async function showDetails(s: Services, details: DetailsPanel, node?: unknown): Promise<vscode.WebviewPanel | undefined> {
  let id: string | undefined;
  if (node instanceof ModelNode) {
    id = node.modelSetId;
  } else if (node instanceof VersionNode) {
    id = node.modelId;
  } else if (typeof node === 'string' && (isModelVersionId(node) || isModelSetId(node))) {
    id = node;
  } else {
    id = (await targetsFor(s, undefined, undefined, vscode.l10n.t('Choose the version to show'), false))?.[0]?.modelId;
  }
  if (!id) {
    return undefined;
  }
  const shown = id;
  const page = await s.prompts.withProgress(vscode.l10n.t('Loading the details of {0}…', id), false, () => detailsPage(s, shown));
  return details.show(page);
}
