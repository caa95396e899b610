/**
 * Details (`qianfan.showDetails`, Enter on a version or a model): a read-only Markdown document
 * with everything Qianfan returns for it, dates in the display language, the export's file when
 * there is one, and two lenses on its first line: Copy ID and Open the Qianfan console.
 * The document is made on request (a `qianfan-details:` URI), so it never holds stale text.
 */
import * as vscode from 'vscode';
import { mayMeanMissing } from '../core/qianfan/errors';
import { failureText } from './exportWatcher';
import { formatBytes } from '../core/work/exportTasks';
import { type ExportTask, type ModelSetDetail, type ModelVersionDetail } from '../core/qianfan/model';
import { isModelSetId, isModelVersionId } from '../core/base/ids';
import { userMessage } from '../platform/errorMessages';
import { ModelNode, VersionNode, statusText, versionTitle } from '../tree/nodes';
import { targetsFor } from './selection';
import { type Services } from './services';

export const DETAILS_SCHEME = 'qianfan-details';
/** The Qianfan console (its pages for one model are not documented, so the console's entry). */
export const CONSOLE_URL = 'https://console.bce.baidu.com/qianfan/';

function when(value: string | undefined): string | undefined {
  if (!value) {
    return undefined;
  }
  const t = Date.parse(value);
  return Number.isNaN(t) ? value : new Date(t).toLocaleString(vscode.env.language);
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function table(rows: [string, string | undefined][]): string {
  const lines = ['| | |', '| --- | --- |'];
  for (const [k, v] of rows) {
    if (v !== undefined && v !== '') {
      lines.push(`| ${cell(k)} | ${cell(v)} |`);
    }
  }
  return lines.join('\n');
}

function exportSection(s: Services, modelId: string, task: ExportTask | undefined): string {
  const state = s.exportStates.get(modelId);
  const head = `## ${vscode.l10n.t('Export')}\n\n`;
  if (state?.status === 'Fail') {
    return head + vscode.l10n.t('The last export failed: {0}', failureText(state.failure));
  }
  if (!task?.hasRecord) {
    return head + (state?.status === 'Doing' ? vscode.l10n.t('Exporting…') : vscode.l10n.t('No export of this version is known to Qianfan.'));
  }
  return (
    head +
    table([
      [vscode.l10n.t('Status'), task.status === 'Done' ? vscode.l10n.t('Done') : task.status === 'Doing' ? vscode.l10n.t('Exporting…') : task.status],
      [vscode.l10n.t('Export task'), task.exportId],
      [vscode.l10n.t('File'), task.fileName],
      [
        vscode.l10n.t('Size'),
        task.fileSize === undefined ? undefined : `${formatBytes(task.fileSize)} (${task.fileSize.toLocaleString(vscode.env.language)} B)`,
      ],
      ['md5', task.md5],
      [vscode.l10n.t('Download URL'), task.downloadUrl],
    ])
  );
}

async function versionDocument(s: Services, modelId: string): Promise<string> {
  const client = s.client();
  let detail: ModelVersionDetail;
  try {
    detail = await client.describeModel(modelId);
  } catch (error) {
    if (mayMeanMissing(error) && (await client.versionPresence(modelId, s.tracked.get(modelId)?.modelSetId)) === 'gone') {
      return `# ${modelId}\n\n${vscode.l10n.t('The service no longer knows this version. Untrack it to remove it from this list.')}\n`;
    }
    throw error;
  }
  const tracked = s.tracked.get(modelId);
  const set = await client.describeModelSet(detail.modelSetId).catch(() => undefined);
  const modelName = set?.modelSetName || tracked?.modelSetName;
  const task = s.exportStates.done(modelId) ?? (await client.describeModelExportTask(modelId).catch(() => undefined));
  const title = versionTitle(modelName, detail.modelName, modelId);
  return [
    `# ${title}`,
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
    exportSection(s, modelId, task),
    '',
  ].join('\n\n');
}

async function modelDocument(s: Services, modelSetId: string): Promise<string> {
  const set: ModelSetDetail = await s.client().describeModelSet(modelSetId);
  const versions = set.modelIds.map((id, i) => `- ${set.modelNames[i] || id} (\`${id}\`)${s.tracked.has(id) ? '' : ` — ${vscode.l10n.t('not tracked')}`}`);
  return [
    `# ${set.modelSetName || modelSetId}`,
    table([
      [vscode.l10n.t('Model ID'), set.modelSetId],
      [vscode.l10n.t('Type'), set.modelType],
      [vscode.l10n.t('Source'), set.source],
      [vscode.l10n.t('Labels'), set.labels.join(', ')],
      [vscode.l10n.t('Created'), when(set.createTime)],
      [vscode.l10n.t('Modified'), when(set.modifyTime)],
      [vscode.l10n.t('Description'), set.description],
    ]),
    `## ${vscode.l10n.t('Versions ({0})', set.modelIds.length)}`,
    versions.join('\n'),
    '',
  ].join('\n\n');
}

/** The URI of an ID's details document. */
export function detailsUri(id: string): vscode.Uri {
  return vscode.Uri.from({ scheme: DETAILS_SCHEME, path: `/${id}.md` });
}

function idOf(uri: vscode.Uri): string {
  return uri.path.replace(/^\//, '').replace(/\.md$/, '');
}

export class DetailsProvider implements vscode.TextDocumentContentProvider, vscode.CodeLensProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;

  constructor(private readonly s: Services) {}

  /** Asks Qianfan again the next time the document is shown. */
  reload(uri: vscode.Uri): void {
    this.emitter.fire(uri);
  }

  dispose(): void {
    this.emitter.dispose();
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const id = idOf(uri);
    try {
      if (isModelVersionId(id)) {
        return await versionDocument(this.s, id);
      }
      if (isModelSetId(id)) {
        return await modelDocument(this.s, id);
      }
      return `# ${id}\n`;
    } catch (error) {
      this.s.logger.error(`Could not load the details of ${id}`, error);
      return `# ${id}\n\n${vscode.l10n.t('Could not load the details: {0}', userMessage(error))}\n`;
    }
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const id = idOf(document.uri);
    const top = new vscode.Range(0, 0, 0, 0);
    return [
      new vscode.CodeLens(top, { title: vscode.l10n.t('Copy ID'), command: 'qianfan.copyId', arguments: [id] }),
      new vscode.CodeLens(top, { title: vscode.l10n.t('Open the Qianfan console'), command: 'qianfan.openConsole' }),
    ];
  }
}

export function registerDetails(context: vscode.ExtensionContext, s: Services): DetailsProvider {
  const provider = new DetailsProvider(s);
  context.subscriptions.push(
    provider,
    vscode.workspace.registerTextDocumentContentProvider(DETAILS_SCHEME, provider),
    vscode.languages.registerCodeLensProvider({ scheme: DETAILS_SCHEME }, provider),
  );
  return provider;
}

/** Opens the details of a version or model (from the tree, the keyboard, an ID, or a quick pick). */
export async function showDetails(s: Services, provider: DetailsProvider, node?: unknown): Promise<vscode.TextDocument | undefined> {
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
  const uri = detailsUri(id);
  if (vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString())) {
    provider.reload(uri); // shown before: ask Qianfan again
  }
  const doc = await s.prompts.withProgress(vscode.l10n.t('Loading the details of {0}…', id), false, () =>
    Promise.resolve(vscode.workspace.openTextDocument(uri)),
  );
  const shown = await vscode.languages.setTextDocumentLanguage(doc, 'markdown');
  await vscode.window.showTextDocument(shown, { preview: true });
  return shown;
}
