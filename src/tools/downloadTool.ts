/** qianfan_downloadExport: a finished export, downloaded and verified into a folder of the workspace. */
import { mkdir } from 'fs/promises';
import * as path from 'path';
import * as vscode from 'vscode';
import { type ExportFile } from '../core/download/engine';
import { DownloadError } from '../core/download/errors';
import { isCancelled } from '../core/qianfan/errors';
import { formatBytes } from '../core/work/exportTasks';
import { downloadTo, exportFileFor, safeName } from '../commands/downloadExport';
import { downloadErrorText } from '../commands/downloadText';
import { type Services } from '../commands/services';
import { BY_CHAT_TOOL, type QianfanTool, TOOL_NAMES, field, keyedVersion, textField } from './common';

/** The workspace folder the download goes to (the first), as a path on the machine the extension runs on. */
function workspaceRoot(): string | undefined {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  return folder && (folder.scheme === 'file' || folder.scheme === 'vscode-remote') ? folder.fsPath : undefined;
}

/** The folder under the workspace a download goes to, or undefined when `folder` leads out of it. */
export function folderUnder(root: string, folder: string | undefined): string | undefined {
  const dir = path.resolve(root, folder ?? '');
  const relative = path.relative(root, dir);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative)) ? dir : undefined;
}

async function exists(file: string): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(vscode.Uri.file(file));
    return true;
  } catch {
    return false;
  }
}

export function downloadTool(s: Services): QianfanTool {
  /** Where the file goes, or why it cannot. */
  const placeFor = (input: unknown, file: ExportFile): { path: string } | { problem: string } => {
    const root = workspaceRoot();
    if (!root) {
      return { problem: vscode.l10n.t('Open a folder first: the export is downloaded into the workspace.') };
    }
    const dir = folderUnder(root, textField(input, 'folder'));
    if (!dir) {
      return { problem: vscode.l10n.t('The folder must be inside the workspace ({0}).', root) };
    }
    return { path: path.join(dir, safeName(file)) };
  };
  return {
    name: TOOL_NAMES.download,
    prepare(input) {
      const version = textField(input, 'version') ?? '';
      if (field(input, 'replace') === true) {
        return Promise.resolve({
          confirmationMessages: {
            title: vscode.l10n.t('Download the export of {0}?', version),
            message: vscode.l10n.t('A file of the same name in {0} is replaced.', textField(input, 'folder') || vscode.l10n.t('the workspace')),
          },
        });
      }
      return Promise.resolve({ invocationMessage: vscode.l10n.t('Downloading the export of {0}', version) });
    },
    async run(input, signal) {
      const r = await keyedVersion(s, input);
      if (!r.ok) {
        return r.text;
      }
      const target = r.target;
      let file: ExportFile;
      try {
        file = await exportFileFor(s, target.modelId);
      } catch (error) {
        if (error instanceof DownloadError) {
          return vscode.l10n.t('{0} has no finished export. Export it first (qianfan_exportModelVersion).', target.label);
        }
        throw error;
      }
      const place = placeFor(input, file);
      if ('problem' in place) {
        return place.problem;
      }
      const there = await exists(place.path);
      if (there && field(input, 'replace') !== true) {
        return vscode.l10n.t('{0} already exists; nothing was downloaded. Ask with replace to replace it.', place.path);
      }
      if (s.downloads.isRunning(place.path)) {
        return vscode.l10n.t('{0} is being downloaded already.', place.path);
      }
      if (signal.aborted) {
        return vscode.l10n.t('Stopped: it was cancelled.');
      }
      await mkdir(path.dirname(place.path), { recursive: true });
      try {
        const result = await s.busy.during('download', () => downloadTo(s, target, file, { path: place.path, overwrite: there }, BY_CHAT_TOOL));
        return vscode.l10n.t('Downloaded the export of {0} to {1}: {2}, md5 {3} verified.', target.label, result.path, formatBytes(result.bytes), result.md5);
      } catch (error) {
        if (isCancelled(error)) {
          return vscode.l10n.t('The download of {0} was stopped; the partial file is kept, and asking again resumes it.', target.label);
        }
        if (error instanceof DownloadError) {
          s.logger.error(`Download of the export of ${target.label} failed${BY_CHAT_TOOL}`, error);
          return vscode.l10n.t('Download of {0} failed: {1}', target.label, downloadErrorText(error, file.md5, file.fileSize));
        }
        throw error;
      }
    },
  };
}
