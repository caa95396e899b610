/** qianfan_exportModelVersion: starts an export once (or joins the one under way) and follows it for a while. */
import * as vscode from 'vscode';
import { dataText, quotedData } from '../core/base/chatText';
import { exportOf } from '../core/work/exportStates';
import { type ExportOutcome, formatBytes } from '../core/work/exportTasks';
import { failureText } from '../commands/exportWatcher';
import { startExport } from '../commands/exportVersion';
import { knownStatus } from '../commands/selection';
import { type Services } from '../commands/services';
import { statusText } from '../tree/nodes';
import { BY_CHAT_TOOL, type QianfanTool, type ToolOptions, TOOL_NAMES, chatLabel, field, keyedVersion, textField } from './common';

/** That the export is ready, with its file's name, size and md5: never its download link (a pre-signed URL is a secret). */
function exportReady(label: string, task: { fileName?: string; fileSize?: number; md5?: string }): string {
  return vscode.l10n.t(
    'The export of {0} is ready: {1} ({2}, md5 {3}).',
    label,
    quotedData(task.fileName ?? '?'),
    formatBytes(task.fileSize),
    dataText(task.md5 ?? '?'),
  );
}

/** The outcome, or 'waiting' once `ms` have passed or the signal fired. */
function within(following: Promise<ExportOutcome | undefined>, ms: number, signal: AbortSignal): Promise<ExportOutcome | undefined | 'waiting'> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  const waiting = new Promise<'waiting'>((resolve) => {
    timer = setTimeout(() => resolve('waiting'), ms);
    onAbort = () => resolve('waiting');
    signal.addEventListener('abort', onAbort, { once: true });
  });
  return Promise.race([following, waiting]).finally(() => {
    clearTimeout(timer);
    if (onAbort) {
      signal.removeEventListener('abort', onAbort);
    }
  });
}

export function exportTool(s: Services, options: ToolOptions): QianfanTool {
  return {
    name: TOOL_NAMES.export,
    prepare(input) {
      return Promise.resolve({ invocationMessage: vscode.l10n.t('Exporting {0}', textField(input, 'version') ?? '') });
    },
    async run(input, signal) {
      const r = await keyedVersion(s, input);
      if (!r.ok) {
        return r.text;
      }
      const target = r.target;
      const label = chatLabel(target);
      const status = knownStatus(s, target.modelId);
      if (status !== undefined && status !== 'Ready') {
        return vscode.l10n.t('{0} is {1}: only a Ready version can be exported.', label, statusText(status));
      }
      if (field(input, 'startNew') !== true && s.exportStates.get(target.modelId)?.status !== 'Doing') {
        const finished = await exportOf(s.exportStates, target.modelId, (id) => s.client().describeModelExportTask(id, { signal }));
        if (finished?.hasRecord && finished.status === 'Done') {
          return (
            exportReady(label, finished) + ' ' + vscode.l10n.t('No new export was started: qianfan_downloadExport downloads this one; startNew starts another.')
          );
        }
      }
      // started once: startExport joins the export Qianfan is running for this version rather than start a second
      const started = await startExport(s, target, signal, BY_CHAT_TOOL);
      const outcome = await within(started.following, options.exportWaitMs, signal);
      if (outcome === 'waiting' || outcome === undefined) {
        return (
          (started.resumed
            ? vscode.l10n.t('Qianfan was already exporting {0} (task {1}); that export is followed, no other was started.', label, dataText(started.exportId))
            : vscode.l10n.t('Started the export of {0} (task {1}).', label, dataText(started.exportId))) +
          ' ' +
          vscode.l10n.t('It is under way: a notification shows its progress. Ask again later for its file; this follows the same export.')
        );
      }
      if (outcome.status === 'Fail') {
        return vscode.l10n.t('The export of {0} failed: {1}', label, dataText(failureText(outcome.failure), 1000));
      }
      return exportReady(label, outcome.task) + ' ' + vscode.l10n.t('qianfan_downloadExport downloads it into the workspace.');
    },
  };
}
