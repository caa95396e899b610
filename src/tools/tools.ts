/**
 * The extension's actions as language-model tools (agent mode): each a thin call into what the
 * commands do, acting on the active profile only, answering in short text in the user's language.
 * The keys never reach a result; an error is a result that says what went wrong, never a throw.
 * A delete runs only after a confirmation VS Code showed (prepareInvocation), naming each version
 * and the services that run it; what a tool deletes or exports is logged "(asked by a chat tool)".
 */
import { mkdir } from 'fs/promises';
import * as path from 'path';
import * as vscode from 'vscode';
import { isModelSetId } from '../core/base/ids';
import { type ExportFile } from '../core/download/engine';
import { DownloadError } from '../core/download/errors';
import { isCancelled } from '../core/qianfan/errors';
import { matchable, matches, parseFilter } from '../core/state/viewFilter';
import { type TrackedVersion } from '../core/state/trackedVersions';
import { type ExportOutcome, formatBytes } from '../core/work/exportTasks';
import { deleteConfirmed, deploymentLines, servicesRunning } from '../commands/deleteVersion';
import { detailsPage, detailsText } from '../commands/details';
import { downloadTo, exportFileFor, safeName } from '../commands/downloadExport';
import { downloadErrorText } from '../commands/downloadText';
import { failureText } from '../commands/exportWatcher';
import { startExport } from '../commands/exportVersion';
import { type Target, knownStatus } from '../commands/selection';
import { type Services } from '../commands/services';
import { needsKeys, userMessage } from '../platform/errorMessages';
import { statusText } from '../tree/nodes';
import { type PreparedToolInvocation } from './lmApi';
import { resolveAll, resolveVersion, titleOf } from './resolve';

/** Said in the log after what a chat tool asked for. */
export const BY_CHAT_TOOL = ' (asked by a chat tool)';

export const TOOL_NAMES = {
  list: 'qianfan_listModelVersions',
  describe: 'qianfan_describeModelVersion',
  deployments: 'qianfan_findDeployments',
  export: 'qianfan_exportModelVersion',
  download: 'qianfan_downloadExport',
  delete: 'qianfan_deleteModelVersions',
} as const;

/** One tool: what it does with its input (text for the model), and what it asks before it runs. */
export interface QianfanTool {
  readonly name: string;
  run(input: unknown, signal: AbortSignal): Promise<string>;
  prepare?(input: unknown, signal: AbortSignal): Promise<PreparedToolInvocation | undefined>;
}

export interface ToolOptions {
  /** How long the export tool waits for an export to finish before it answers that it is under way (read at each call). */
  exportWaitMs: number;
}

export const DEFAULT_TOOL_OPTIONS: ToolOptions = { exportWaitMs: 30_000 };

/** At most this many versions are listed in one answer. */
const MAX_LISTED = 200;

function field(input: unknown, key: string): unknown {
  return typeof input === 'object' && input !== null ? (input as Record<string, unknown>)[key] : undefined;
}

function textField(input: unknown, key: string): string | undefined {
  const v = field(input, key);
  return typeof v === 'string' ? v : undefined;
}

function listField(input: unknown, key: string): string[] {
  const v = field(input, key);
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x.trim() !== '') : typeof v === 'string' && v.trim() ? [v] : [];
}

function profileName(s: Services): string {
  return s.profiles.active.name;
}

function keysHint(): string {
  return vscode.l10n.t('Run “Qianfan: Set Access Key…” to set them (the keys are never shown to chat).');
}

/** Why a tool that calls Qianfan cannot: no keys for the active profile. */
async function missingKeys(s: Services): Promise<string | undefined> {
  if (await s.credentials.get()) {
    return undefined;
  }
  return vscode.l10n.t('No Qianfan access key is set for the profile “{0}”.', profileName(s)) + ' ' + keysHint();
}

/** The one version a tool acts on, named in its `version` input; or, as text for the chat, why there is none (no keys, no such version). */
async function keyedVersion(s: Services, input: unknown): Promise<{ ok: true; target: Target } | { ok: false; text: string }> {
  const keys = await missingKeys(s);
  if (keys) {
    return { ok: false, text: keys };
  }
  const r = await resolveVersion(s, textField(input, 'version') ?? '');
  return r.ok ? { ok: true, target: r.target } : { ok: false, text: r.problem };
}

/** What went wrong, as a result: the user's message for it (never a stack, never a key). */
export function failureResult(s: Services, tool: string, error: unknown): string {
  if (isCancelled(error)) {
    return vscode.l10n.t('Stopped: it was cancelled.');
  }
  s.logger.error(`Chat tool ${tool} failed`, error);
  return vscode.l10n.t('{0} could not finish: {1}', tool, userMessage(error)) + (needsKeys(error) ? ' ' + keysHint() : '');
}

function versionLine(s: Services, t: TrackedVersion): string {
  const live = s.details.get(t.modelId);
  const status = live?.kind === 'missing' ? vscode.l10n.t('gone (Qianfan no longer knows it)') : statusText(matchable(t, live).status ?? 'unknown');
  const at = live?.kind === 'loaded' || live?.kind === 'missing' ? live.at : t.statusAt;
  const parts = [vscode.l10n.t('status {0}', status)];
  if (at !== undefined) {
    parts.push(vscode.l10n.t('last seen {0}', new Date(at).toISOString()));
  }
  const exported = s.exportStates.get(t.modelId);
  if (exported?.status === 'Doing') {
    parts.push(vscode.l10n.t('being exported'));
  } else if (exported?.status === 'Done') {
    parts.push(vscode.l10n.t('export ready: {0}', exported.task.fileName ?? '?'));
  }
  return `- ${titleOf(s, t)}: ${parts.join(', ')}`;
}

/** The tracked versions (the tree's own list and what this window learnt), filtered as the view filters. */
function listTool(s: Services): QianfanTool {
  return {
    name: TOOL_NAMES.list,
    run(input) {
      const filter = parseFilter(textField(input, 'filter') ?? '');
      const all = s.tracked.view();
      if (all.length === 0) {
        return Promise.resolve(
          vscode.l10n.t(
            'No model versions are tracked in the profile “{0}”. The user can add them with “Qianfan: Import Model Versions from Account…” or “Qianfan: Track Model Version…”.',
            profileName(s),
          ),
        );
      }
      const shown = all.filter((t) => matches(filter, matchable(t, s.details.get(t.modelId))));
      const head = filter
        ? vscode.l10n.t('{0} of the {1} tracked model versions match “{2}” (profile “{3}”):', shown.length, all.length, filter.text, profileName(s))
        : vscode.l10n.t('{0} tracked model versions (profile “{1}”):', all.length, profileName(s));
      const lines = shown.slice(0, MAX_LISTED).map((t) => versionLine(s, t));
      if (shown.length > MAX_LISTED) {
        lines.push(vscode.l10n.t('…and {0} more: narrow the list with a filter.', shown.length - MAX_LISTED));
      }
      return Promise.resolve([head, ...lines].join('\n'));
    },
  };
}

/** Everything Show Details shows, from the same document. */
function describeTool(s: Services): QianfanTool {
  return {
    name: TOOL_NAMES.describe,
    async run(input) {
      const keys = await missingKeys(s);
      if (keys) {
        return keys;
      }
      const reference = (textField(input, 'version') ?? '').trim();
      let id = reference;
      if (!isModelSetId(reference)) {
        const r = await resolveVersion(s, reference);
        if (!r.ok) {
          return r.problem;
        }
        id = r.target.modelId;
      }
      return detailsText(await detailsPage(s, id));
    },
  };
}

/** The versions named, or why none can be acted on. */
async function targetsOf(s: Services, references: readonly string[], signal?: AbortSignal, lookUp = false): Promise<{ targets: Target[]; problems: string[] }> {
  if (references.length === 0) {
    return { targets: [], problems: [vscode.l10n.t('No version was given.')] };
  }
  return resolveAll(s, references, lookUp, signal);
}

function deploymentsTool(s: Services): QianfanTool {
  return {
    name: TOOL_NAMES.deployments,
    async run(input, signal) {
      const keys = await missingKeys(s);
      if (keys) {
        return keys;
      }
      const { targets, problems } = await targetsOf(s, listField(input, 'versions'), signal);
      if (targets.length === 0) {
        return problems.join('\n');
      }
      const check = await servicesRunning(s, targets, signal);
      const lines = [...problems];
      if (check.kind === 'checked') {
        lines.push(vscode.l10n.t('Checked {0} services.', check.services));
        for (const t of targets) {
          if (!check.running.has(t.modelId)) {
            lines.push(vscode.l10n.t('{0} runs in no service.', t.label));
          }
        }
      }
      lines.push(...deploymentLines(check, targets));
      return lines.join('\n');
    },
  };
}

function exportReady(label: string, task: { fileName?: string; fileSize?: number; md5?: string }): string {
  return vscode.l10n.t('The export of {0} is ready: {1} ({2}, md5 {3}).', label, task.fileName ?? '?', formatBytes(task.fileSize), task.md5 ?? '?');
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

function exportTool(s: Services, options: ToolOptions): QianfanTool {
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
      const status = knownStatus(s, target.modelId);
      if (status !== undefined && status !== 'Ready') {
        return vscode.l10n.t('{0} is {1}: only a Ready version can be exported.', target.label, statusText(status));
      }
      if (field(input, 'startNew') !== true && s.exportStates.get(target.modelId)?.status !== 'Doing') {
        const finished =
          s.exportStates.done(target.modelId) ??
          (await s
            .client()
            .describeModelExportTask(target.modelId, { signal })
            .catch(() => undefined));
        if (finished?.hasRecord && finished.status === 'Done') {
          return (
            exportReady(target.label, finished) +
            ' ' +
            vscode.l10n.t('No new export was started: qianfan_downloadExport downloads this one; startNew starts another.')
          );
        }
      }
      // started once: startExport joins the export Qianfan is running for this version rather than start a second
      const started = await startExport(s, target, signal, BY_CHAT_TOOL);
      const outcome = await within(started.following, options.exportWaitMs, signal);
      if (outcome === 'waiting' || outcome === undefined) {
        return (
          (started.resumed
            ? vscode.l10n.t('Qianfan was already exporting {0} (task {1}); that export is followed, no other was started.', target.label, started.exportId)
            : vscode.l10n.t('Started the export of {0} (task {1}).', target.label, started.exportId)) +
          ' ' +
          vscode.l10n.t('It is under way: a notification shows its progress. Ask again later for its file; this follows the same export.')
        );
      }
      if (outcome.status === 'Fail') {
        return vscode.l10n.t('The export of {0} failed: {1}', target.label, failureText(outcome.failure));
      }
      return exportReady(target.label, outcome.task) + ' ' + vscode.l10n.t('qianfan_downloadExport downloads it into the workspace.');
    },
  };
}

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

function downloadTool(s: Services): QianfanTool {
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

/** What a confirmation named: the versions, in the profile that was active. */
interface Confirmed {
  readonly profileId: string;
  readonly targets: readonly Target[];
}

const MAX_PREPARED = 20;

function deleteTool(s: Services): QianfanTool {
  // what each confirmation shown named, by profile and input: invoke deletes only that
  const prepared = new Map<string, Confirmed>();
  const keyOf = (profileId: string, versions: readonly string[]) => JSON.stringify([profileId, versions]);
  return {
    name: TOOL_NAMES.delete,
    async prepare(input, signal) {
      const versions = listField(input, 'versions');
      if (await missingKeys(s)) {
        return { invocationMessage: vscode.l10n.t('Deleting model versions') };
      }
      const profileId = s.profiles.active.id;
      const { targets, problems } = await targetsOf(s, versions, signal, true);
      if (targets.length === 0) {
        return { invocationMessage: vscode.l10n.t('Deleting model versions') };
      }
      const check = await servicesRunning(s, targets, signal);
      const lines = [
        vscode.l10n.t('Delete in Qianfan (profile “{0}”):', profileName(s)),
        ...targets.map((t) => `- ${t.label}`),
        ...deploymentLines(check, targets),
        ...problems.map((p) => vscode.l10n.t('Not deleted: {0}', p)),
        targets.length === 1
          ? vscode.l10n.t('This deletes it in Qianfan and cannot be undone.')
          : vscode.l10n.t('This deletes them in Qianfan and cannot be undone.'),
      ];
      prepared.delete(keyOf(profileId, versions));
      prepared.set(keyOf(profileId, versions), { profileId, targets });
      while (prepared.size > MAX_PREPARED) {
        prepared.delete(prepared.keys().next().value!);
      }
      return {
        invocationMessage: vscode.l10n.t('Deleting {0} model versions', targets.length),
        confirmationMessages: {
          title:
            targets.length === 1
              ? vscode.l10n.t('Delete the model version {0}?', targets[0].label)
              : vscode.l10n.t('Delete {0} model versions?', targets.length),
          message: lines.join('\n\n'),
        },
      };
    },
    async run(input) {
      const keys = await missingKeys(s);
      if (keys) {
        return keys;
      }
      const versions = listField(input, 'versions');
      const profileId = s.profiles.active.id;
      const confirmed = prepared.get(keyOf(profileId, versions));
      prepared.delete(keyOf(profileId, versions));
      if (!confirmed) {
        const { problems } = await targetsOf(s, versions);
        return problems.length > 0 ? problems.join('\n') : vscode.l10n.t('Nothing was deleted: no confirmation named these versions in this profile.');
      }
      // what is named now must be what the user confirmed (the list may have changed since)
      const { targets } = await targetsOf(s, versions);
      const same = targets.length === confirmed.targets.length && targets.every((t, i) => t.modelId === confirmed.targets[i].modelId);
      if (!same) {
        return vscode.l10n.t('Nothing was deleted: the versions these names stand for changed after the confirmation. Ask again.');
      }
      const outcomes = await s.busy.during('delete', () => deleteConfirmed(s, confirmed.targets, BY_CHAT_TOOL));
      return outcomes
        .map((o) =>
          o.ok
            ? vscode.l10n.t('Deleted {0}.', o.item.label)
            : o.cancelled
              ? vscode.l10n.t('Not deleted (cancelled): {0}', o.item.label)
              : vscode.l10n.t('Could not delete {0}: {1}', o.item.label, userMessage(o.error)),
        )
        .join('\n');
    },
  };
}

/** The six tools on these services. */
export function createTools(s: Services, options: ToolOptions = DEFAULT_TOOL_OPTIONS): QianfanTool[] {
  return [listTool(s), describeTool(s), deploymentsTool(s), exportTool(s, options), downloadTool(s), deleteTool(s)];
}
