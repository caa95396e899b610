/** qianfan_downloadExport: a finished export, downloaded and verified into a folder of the workspace (by its real path). */
import { mkdir } from 'fs/promises';
import * as path from 'path';
import * as vscode from 'vscode';
import { dataText } from '../core/base/chatText';
import { type ExportFile } from '../core/download/engine';
import { DownloadError } from '../core/download/errors';
import { partPath } from '../core/download/partialStore';
import { isWithin, realPathWithin } from '../core/download/realPlace';
import { isCancelled } from '../core/qianfan/errors';
import { formatBytes } from '../core/work/exportTasks';
import { downloadTo, exportFileFor, safeName } from '../commands/downloadExport';
import { downloadErrorText } from '../commands/downloadText';
import { type Services } from '../commands/services';
import { BY_CHAT_TOOL, type QianfanTool, TOOL_NAMES, chatLabel, field, keyedVersion, textField } from './common';

/** The workspace's folders on the machine the extension runs on; a download goes under the first unless told a folder. */
function workspaceRoots(): string[] {
  return (vscode.workspace.workspaceFolders ?? [])
    .map((f) => f.uri)
    .filter((u) => u.scheme === 'file' || u.scheme === 'vscode-remote')
    .map((u) => u.fsPath);
}

/** The folder under the workspace a download goes to, or undefined when `folder` leads out of it (by its text: its real path is checked next). */
export function folderUnder(root: string, folder: string | undefined): string | undefined {
  const dir = path.resolve(root, folder ?? '');
  return isWithin(root, dir) ? dir : undefined;
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
  /**
   * Where the file goes, or why it cannot: by its real path (fs.realpath of what exists of it), inside
   * a folder of the workspace, the file and its `.part` alike; a link to elsewhere is refused.
   */
  const placeFor = async (input: unknown, file: ExportFile): Promise<{ path: string } | { problem: string }> => {
    const roots = workspaceRoots();
    if (roots.length === 0) {
      return { problem: vscode.l10n.t('Open a folder first: the export is downloaded into the workspace.') };
    }
    const dir = folderUnder(roots[0], textField(input, 'folder'));
    if (!dir) {
      return { problem: vscode.l10n.t('The folder must be inside the workspace ({0}).', dataText(roots[0], 1000)) };
    }
    const wanted = path.join(dir, safeName(file));
    const real = await realPathWithin(wanted, roots);
    if (!real || !(await realPathWithin(partPath(real), roots))) {
      s.logger.warn(`Download refused${BY_CHAT_TOOL}: ${wanted} leads out of the workspace`);
      return {
        problem: vscode.l10n.t(
          'Nothing was downloaded: {0} leads out of the workspace (through a link), and a chat tool writes only inside it.',
          dataText(wanted, 1000),
        ),
      };
    }
    return { path: real };
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
      const label = chatLabel(target);
      let file: ExportFile;
      try {
        file = await exportFileFor(s, target.modelId);
      } catch (error) {
        if (error instanceof DownloadError) {
          return vscode.l10n.t('{0} has no finished export. Export it first (qianfan_exportModelVersion).', label);
        }
        throw error;
      }
      const place = await placeFor(input, file);
      if ('problem' in place) {
        return place.problem;
      }
      const there = await exists(place.path);
      if (there && field(input, 'replace') !== true) {
        return vscode.l10n.t('{0} already exists; nothing was downloaded. Ask with replace to replace it.', dataText(place.path, 1000));
      }
      if (s.downloads.isRunning(place.path)) {
        return vscode.l10n.t('{0} is being downloaded already.', dataText(place.path, 1000));
      }
      if (signal.aborted) {
        return vscode.l10n.t('Stopped: it was cancelled.');
      }
      await mkdir(path.dirname(place.path), { recursive: true });
      try {
        const result = await s.busy.during('download', () => downloadTo(s, target, file, { path: place.path, overwrite: there }, BY_CHAT_TOOL));
        return vscode.l10n.t(
          'Downloaded the export of {0} to {1}: {2}, md5 {3} verified.',
          label,
          dataText(result.path, 1000),
          formatBytes(result.bytes),
          dataText(result.md5),
        );
      } catch (error) {
        if (isCancelled(error)) {
          return vscode.l10n.t('The download of {0} was stopped; the partial file is kept, and asking again resumes it.', label);
        }
        if (error instanceof DownloadError) {
          s.logger.error(`Download of the export of ${target.label} failed${BY_CHAT_TOOL}`, error);
          return vscode.l10n.t('Download of {0} failed: {1}', label, dataText(downloadErrorText(error, file.md5, file.fileSize), 1000));
        }
        throw error;
      }
    },
  };
}
