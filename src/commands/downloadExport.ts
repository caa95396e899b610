/**
 * Download a finished export to a verified file: where to save it (a save dialog; never
 * replacing a file without asking; in a remote window the file goes to the remote machine),
 * then the download engine under a cancellable progress notification, then Reveal / Open Folder.
 */
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { type DownloadResult, type ExportFile, partPath } from '../core/download/engine';
import { DownloadError } from '../core/download/errors';
import { isCancelled } from '../core/qianfan/errors';
import { exportFileOf, safeFileName } from '../core/download/exportFile';
import { formatBytes } from '../core/work/exportTasks';
import { downloadErrorText, progressText } from './downloadText';
import { notify, notifyWithLog } from './notify';
import { type Target, targetsFor } from './selection';
import { type Services } from './services';

/** The export's file: from this session's finished export, else asked of Qianfan. */
export async function exportFileFor(s: Services, modelId: string): Promise<ExportFile> {
  const known = s.exportStates.done(modelId);
  if (known?.status === 'Done' && known.downloadUrl) {
    return exportFileOf(modelId, known);
  }
  return exportFileOf(modelId, await s.client().describeModelExportTask(modelId));
}

/** A plain file name (no folders, no odd characters) for the save dialog. */
export const safeName = safeFileName;

function defaultFolder(s: Services): string {
  return s.settings().downloadFolder || vscode.workspace.workspaceFolders?.[0]?.uri.fsPath || os.homedir();
}

/** A path on the extension host's machine as a URI the save dialog shows (a remote one in a remote window). */
function hostUri(p: string): vscode.Uri {
  const base = vscode.workspace.workspaceFolders?.[0]?.uri;
  const uri = vscode.Uri.file(p);
  return base && base.scheme !== 'file' ? uri.with({ scheme: base.scheme, authority: base.authority }) : uri;
}

async function exists(p: string): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(hostUri(p));
    return true;
  } catch {
    return false;
  }
}

/** Where to save, and whether replacing is agreed; undefined when the user stops. */
async function chooseTarget(s: Services, target: Target, file: ExportFile): Promise<{ path: string; overwrite: boolean } | undefined> {
  const remote = vscode.env.remoteName;
  const partial = s.partialDownloads.forExport(file.modelId, file.md5);
  const suggested = partial?.target ?? path.join(defaultFolder(s), safeName(file));
  const uri = await s.prompts.saveDialog({
    defaultUri: hostUri(suggested),
    saveLabel: vscode.l10n.t('Download'),
    title: remote
      ? vscode.l10n.t('Save the export of {0} on the remote machine ({1}), where the extension runs', target.label, remote)
      : vscode.l10n.t('Save the export of {0}', target.label),
  });
  if (!uri) {
    return undefined;
  }
  if (uri.scheme !== 'file' && uri.scheme !== 'vscode-remote') {
    void notify(s, 'error', vscode.l10n.t('Choose a folder on disk: {0} cannot be written by the extension.', uri.toString(true)));
    return undefined;
  }
  const chosen = uri.fsPath;
  if (!(await exists(chosen))) {
    return { path: chosen, overwrite: false };
  }
  const replace = vscode.l10n.t('Replace');
  const ok = await s.prompts.confirm(vscode.l10n.t('{0} already exists. Replace it?', path.basename(chosen)), chosen, replace);
  return ok ? { path: chosen, overwrite: true } : undefined;
}

function offerActions(s: Services, result: DownloadResult, label: string): void {
  const uri = hostUri(result.path);
  const inWorkspace = vscode.workspace.getWorkspaceFolder(uri) !== undefined;
  const reveal = vscode.l10n.t('Reveal in Explorer View');
  const openFolder = vscode.l10n.t('Open Containing Folder');
  const actions = [...(inWorkspace ? [reveal] : []), ...(!vscode.env.remoteName && vscode.env.uiKind === vscode.UIKind.Desktop ? [openFolder] : [])];
  const where = vscode.env.remoteName
    ? vscode.l10n.t(
        'Downloaded the export of {0} to {1} on the remote machine ({2}): {3}, md5 verified.',
        label,
        result.path,
        vscode.env.remoteName,
        formatBytes(result.bytes),
      )
    : vscode.l10n.t('Downloaded the export of {0} to {1}: {2}, md5 verified.', label, result.path, formatBytes(result.bytes));
  void notify(s, 'info', where, ...actions).then((choice) =>
    choice === reveal
      ? vscode.commands.executeCommand('revealInExplorer', uri)
      : choice === openFolder
        ? vscode.commands.executeCommand('revealFileInOS', uri)
        : undefined,
  );
}

export async function downloadExport(s: Services, node?: unknown): Promise<DownloadResult | undefined> {
  const [target] = (await targetsFor(s, node, undefined, vscode.l10n.t('Choose the version whose export to download'), false)) ?? [];
  if (!target) {
    return undefined;
  }
  let file: ExportFile;
  try {
    file = await exportFileFor(s, target.modelId);
  } catch (error) {
    if (error instanceof DownloadError) {
      void notify(s, 'info', vscode.l10n.t('{0} has no finished export. Export it first.', target.label));
      return undefined;
    }
    throw error;
  }
  const where = await chooseTarget(s, target, file);
  if (!where) {
    return undefined;
  }
  if (s.downloads.isRunning(where.path)) {
    void notify(s, 'info', vscode.l10n.t('{0} is being downloaded already.', where.path));
    return undefined;
  }
  try {
    const result = await downloadTo(s, target, file, where);
    offerActions(s, result, target.label);
    return result;
  } catch (error) {
    if (isCancelled(error)) {
      s.logger.info(`Download of the export of ${target.label} stopped; ${partPath(where.path)} is kept to resume`);
      void notify(s, 'info', vscode.l10n.t('Download of {0} stopped. Run Download again to resume where it stopped.', target.label));
      return undefined;
    }
    if (!(error instanceof DownloadError)) {
      throw error; // a Qianfan error while asking for a fresh URL: the boundary reports it
    }
    s.logger.error(`Download of the export of ${target.label} failed`, error);
    notifyWithLog(s, 'error', vscode.l10n.t('Download of {0} failed: {1}', target.label, downloadErrorText(error, file.md5, file.fileSize)));
    return undefined;
  }
}

/**
 * Downloads the export's file to `where` under a cancellable progress notification: the engine
 * verifies size and md5, resumes a `.part` it owns, and asks Qianfan for a fresh URL when the one
 * in hand has expired. Logged (`by` says who asked); its errors are the caller's to report.
 */
export async function downloadTo(s: Services, target: Target, file: ExportFile, where: { path: string; overwrite: boolean }, by = ''): Promise<DownloadResult> {
  s.logger.info(`Downloading the export of ${target.label} (${file.fileSize} bytes, md5 ${file.md5}) to ${partPath(where.path)}${by}`);
  const result = await s.prompts.withProgress(vscode.l10n.t('Downloading {0}', safeName(file)), true, (progress, signal) => {
    let percent = 0;
    return s.downloads.download(
      { file, target: where.path, overwrite: where.overwrite, signal, refresh: () => exportFileForRefresh(s, target.modelId) },
      {
        onProgress: (p) => {
          const now = p.total > 0 ? Math.floor((p.received * 100) / p.total) : 0;
          progress.report(progressText(p), now - percent);
          percent = now;
        },
      },
    );
  });
  s.logger.info(`Downloaded ${result.path} (${result.bytes} bytes, md5 ${result.md5} verified; from byte ${result.resumedFrom}, ${result.attempts} requests)`);
  return result;
}

/** Always asks Qianfan (the URL in hand has expired). */
async function exportFileForRefresh(s: Services, modelId: string): Promise<ExportFile> {
  return exportFileOf(modelId, await s.client().describeModelExportTask(modelId));
}
