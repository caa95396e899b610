/**
 * The six tools of the chat, for any MCP client: list, describe, find deployments, export,
 * download, delete; each a thin call into the core, answering in short English text. No tracked
 * list here: list reads the account (DescribeCustomModelSets). Answers are bounded (at most 200
 * versions, with the count of the rest), never carry a key or a signed URL, and quote Qianfan's
 * text as data. Delete refuses a version a service runs unless the call names that service.
 */
import { mkdirSync, existsSync } from 'fs';
import * as path from 'path';
import { type Redactor } from '../core/base/redact';
import { Downloader, type ExportFile } from '../core/download/engine';
import { DownloadError } from '../core/download/errors';
import { exportFileOf } from '../core/download/exportFile';
import { downloadFileName } from '../core/download/fileName';
import { PartialDownloadsStore, partPath } from '../core/download/partialStore';
import { isWithin, realPathWithin } from '../core/download/realPlace';
import { type DeploymentCheck, findDeployments } from '../core/qianfan/deployments';
import { type QianfanClient } from '../core/qianfan/qianfanClient';
import { abortableSleep } from '../core/qianfan/retry';
import { type KeyValueStore } from '../core/state/keyValueStore';
import { matches, parseFilter } from '../core/state/viewFilter';
import { type AccountVersion, accountVersions, resolveReference, versionLabel, versionNames } from '../core/work/accountVersions';
import { runBatch } from '../core/work/batch';
import { type ExportOutcome, PendingExportsStore, followExport, formatBytes } from '../core/work/exportTasks';
import { NodeDownloadFs } from '../node/nodeDownloadFs';
import { NodeHttpDownload } from '../node/nodeHttpDownload';
import { MAX_ANSWER_ITEMS, bounded, quotedData } from '../core/base/chatText';
import { DATA_NOTE, failureText } from './text';
import { TOOL_NAMES } from '../core/work/toolNames';

export { TOOL_NAMES };

/** At most this many versions in one answer. */
export const MAX_LISTED = MAX_ANSWER_ITEMS;

export interface ToolDeps {
  readonly client: QianfanClient;
  readonly state: KeyValueStore;
  readonly redactor: Redactor;
  /** The folder downloads go under (the server's working folder). */
  readonly root: string;
  /** How long export waits for the export to finish before it answers that it is under way. */
  readonly exportWaitMs: number;
}

export interface ToolAnswer {
  readonly text: string;
  readonly isError?: boolean;
}

function label(v: AccountVersion | undefined, modelId: string): string {
  return v ? versionLabel(v) : modelId;
}

/** The versions the texts name (IDs need no listing; names do), and why the others name none. */
async function resolveAll(
  d: ToolDeps,
  references: readonly string[],
  signal: AbortSignal,
): Promise<{ targets: { modelId: string; label: string; version?: AccountVersion }[]; problems: string[] }> {
  const needList = references.some((r) => resolveReference(r).kind !== 'version');
  const versions = needList ? await accountVersions(d.client, [], { signal }) : [];
  const targets: { modelId: string; label: string; version?: AccountVersion }[] = [];
  const problems: string[] = [];
  for (const r of references) {
    const found = resolveReference(r, versions);
    if (found.kind === 'version') {
      if (!targets.some((t) => t.modelId === found.modelId)) {
        targets.push({ modelId: found.modelId, label: label(found.version, found.modelId), version: found.version });
      }
    } else if (found.kind === 'model') {
      problems.push(`${found.modelSetId} is a model, not a version: name one of its versions (amv-…).`);
    } else {
      problems.push(
        `${quotedData(r, 100)} names ${found.kind === 'ambiguous' ? 'more than one version' : 'no version of the account'}: give its ID (amv-…) or "model / version".`,
      );
    }
  }
  return { targets, problems };
}

function deploymentsOf(client: QianfanClient, ids: readonly string[], signal: AbortSignal): Promise<DeploymentCheck> {
  return findDeployments(
    ids,
    { listServices: (p, s) => client.listServices(p, { signal: s }), describeService: (id, s) => client.describeService(id, { signal: s }) },
    signal,
  );
}

function uncheckedText(check: Extract<DeploymentCheck, { kind: 'skipped' }>, redactor: Redactor): string {
  return check.reason === 'permission'
    ? `Could not check which services run these versions: the key may not read services (it needs one of ${check.policies.join(', ')}).`
    : `Could not check which services run these versions: ${failureText(check.error, redactor)}`;
}

export async function listTool(d: ToolDeps, input: { filter?: string }, signal: AbortSignal): Promise<ToolAnswer> {
  const filter = parseFilter(input.filter ?? '');
  const all = await accountVersions(d.client, [], { signal });
  let shown = filter ? all.filter((v) => matches({ ...filter, statuses: [] }, v)) : all;
  const status = new Map<string, string>();
  if (filter && filter.statuses.length > 0) {
    const outcomes = await runBatch(shown, (v, s) => d.client.describeModel(v.modelId, { signal: s }), {
      concurrency: Math.max(10, d.client.limiter.ceiling),
      signal,
    });
    for (const o of outcomes) {
      if (o.ok) {
        status.set(o.item.modelId, o.value.status);
      }
    }
    shown = shown.filter((v) => status.has(v.modelId) && matches(filter, { ...v, status: status.get(v.modelId) }));
  }
  if (all.length === 0) {
    return { text: 'The account has no model versions.' };
  }
  const head = filter
    ? `${shown.length} of the account's ${all.length} model versions match ${quotedData(filter.text)}.`
    : `The account has ${all.length} model versions.`;
  const page = bounded(shown);
  const lines = page.shown.map((v) => {
    const s = status.get(v.modelId);
    return `- ${quotedData(v.modelSetName || v.modelSetId, 100)} / ${quotedData(v.name ?? '', 60)} (${v.modelId}, model ${v.modelSetId})${s ? `: status ${quotedData(s, 20)}` : ''}`;
  });
  if (page.more > 0) {
    lines.push(`…and ${page.more} more: narrow the list with a filter.`);
  }
  return { text: [head, DATA_NOTE, ...lines].join('\n') };
}

export async function describeTool(d: ToolDeps, input: { version: string }, signal: AbortSignal): Promise<ToolAnswer> {
  const ref = resolveReference(input.version);
  if (ref.kind === 'model') {
    const m = await d.client.describeModelSet(ref.modelSetId, { signal });
    const page = bounded(m.modelIds);
    const versions = page.shown.map((id, i) => `- ${quotedData(m.modelNames[i] ?? '', 60)} (${id})`);
    if (page.more > 0) {
      versions.push(`…and ${page.more} more.`);
    }
    return {
      text: [
        `Model ${quotedData(m.modelSetName, 100)} (${m.modelSetId}).`,
        DATA_NOTE,
        `Type: ${quotedData(m.modelType, 60)}; source: ${quotedData(m.source, 60)}; labels: ${m.labels.map((l) => quotedData(l, 40)).join(', ') || 'none'}.`,
        `Created ${quotedData(m.createTime, 40)}; modified ${quotedData(m.modifyTime, 40)}.`,
        ...(m.description ? [`Description: ${quotedData(m.description)}`] : []),
        `${m.modelIds.length} versions:`,
        ...versions,
      ].join('\n'),
    };
  }
  const { targets, problems } = await resolveAll(d, [input.version], signal);
  if (targets.length === 0) {
    return { text: problems.join('\n'), isError: true };
  }
  const id = targets[0].modelId;
  const [v, task] = await Promise.all([d.client.describeModel(id, { signal }), d.client.describeModelExportTask(id, { signal }).catch(() => undefined)]);
  return {
    text: [
      `Version ${quotedData(v.modelName, 60)} (${v.modelId}) of the model ${v.modelSetId}.`,
      DATA_NOTE,
      `Status: ${quotedData(v.status, 20)}; base model: ${quotedData(v.model, 60)}; source: ${quotedData(v.sourceType, 40)}; I/O mode: ${quotedData(v.ioMode, 40)}.`,
      `Created ${quotedData(v.createTime, 40)}; modified ${quotedData(v.modifyTime, 40)}.`,
      ...(v.description ? [`Description: ${quotedData(v.description)}`] : []),
      task?.hasRecord
        ? `Export ${quotedData(task.exportId, 64)}: ${quotedData(task.status, 20)}${task.status === 'Done' ? `, file ${quotedData(task.fileName, 120)} (${formatBytes(task.fileSize)}, md5 ${quotedData(task.md5, 40)})` : ''}.`
        : 'No export.',
    ].join('\n'),
  };
}

/** The versions the texts name and which services run them; an error answer when none is named. */
async function checkedTargets(
  d: ToolDeps,
  texts: readonly string[],
  signal: AbortSignal,
): Promise<ToolAnswer | (Awaited<ReturnType<typeof resolveAll>> & { check: DeploymentCheck })> {
  const { targets, problems } = await resolveAll(d, texts, signal);
  if (targets.length === 0) {
    return { text: problems.join('\n') || 'No version was given.', isError: true };
  }
  const check = await deploymentsOf(
    d.client,
    targets.map((t) => t.modelId),
    signal,
  );
  return { targets, problems, check };
}

export async function deploymentsTool(d: ToolDeps, input: { versions: string[] }, signal: AbortSignal): Promise<ToolAnswer> {
  const r = await checkedTargets(d, input.versions, signal);
  if ('text' in r) {
    return r;
  }
  const { targets, problems, check } = r;
  if (check.kind === 'skipped') {
    return { text: [...problems, uncheckedText(check, d.redactor)].join('\n'), isError: true };
  }
  const lines = [...problems, `Checked ${check.services} services.`, DATA_NOTE];
  for (const t of targets) {
    const running = check.running.get(t.modelId) ?? [];
    lines.push(
      running.length === 0
        ? `${t.label} runs in no service.`
        : `${t.label} runs in ${running.map((s) => `the service ${quotedData(s.name, 100)} (${s.serviceId}, ${quotedData(s.runStatus ?? '?', 20)})`).join(', ')}: deleting it breaks ${running.length === 1 ? 'that service' : 'those services'}.`,
    );
  }
  return { text: lines.join('\n') };
}

function exportReady(label: string, t: { fileName?: string; fileSize?: number; md5?: string }): string {
  return `The export of ${label} is ready: ${quotedData(t.fileName, 120)} (${formatBytes(t.fileSize)}, md5 ${quotedData(t.md5, 40)}).`;
}

function within<T>(promise: Promise<T>, ms: number): Promise<T | 'waiting'> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const waiting = new Promise<'waiting'>((resolve) => (timer = setTimeout(() => resolve('waiting'), ms)));
  return Promise.race([promise, waiting]).finally(() => clearTimeout(timer));
}

export async function exportTool(d: ToolDeps, input: { version: string; startNew?: boolean }, signal: AbortSignal): Promise<ToolAnswer> {
  const { targets, problems } = await resolveAll(d, [input.version], signal);
  if (targets.length === 0) {
    return { text: problems.join('\n'), isError: true };
  }
  const t = targets[0];
  const store = new PendingExportsStore(d.state);
  const mine = store.list().find((p) => p.modelId === t.modelId);
  if (!input.startNew) {
    const task = await d.client.describeModelExportTask(t.modelId, { signal });
    if (task.hasRecord && task.status === 'Done' && (!mine || task.exportId === mine.exportId)) {
      if (mine) {
        await store.remove(t.modelId);
      }
      return { text: `${exportReady(t.label, task)} No new export was started: ${TOOL_NAMES.download} downloads this one; startNew starts another.` };
    }
  }
  // started once: the export Qianfan runs for this version (or ours, remembered) is followed, never a second
  const started = mine && !input.startNew ? { exportId: mine.exportId, resumed: true } : await d.client.startExport(t.modelId, { signal });
  const pending = mine?.exportId === started.exportId ? mine : { modelId: t.modelId, exportId: started.exportId, startedAt: Date.now() };
  const stop = new AbortController();
  const following = followExport(d.client, store, pending, { signal: AbortSignal.any([signal, stop.signal]) }).catch(() => undefined);
  const outcome: ExportOutcome | undefined | 'waiting' = await within(following, d.exportWaitMs);
  if (outcome === 'waiting' || outcome === undefined) {
    stop.abort(); // the record stays: asking again follows the same export
    await following;
    return {
      text: `${started.resumed ? `An export of ${t.label} was already running (task ${started.exportId}); it is followed, no other was started.` : `Started the export of ${t.label} (task ${started.exportId}).`} It is under way: ask again later for its file; this follows the same export.`,
    };
  }
  if (outcome.status === 'Fail') {
    return { text: `The export of ${t.label} failed: ${quotedData(outcome.reason)}`, isError: true };
  }
  return { text: `${exportReady(t.label, outcome.task)} ${TOOL_NAMES.download} downloads it.` };
}

/** The folder under the root a download goes to, or undefined when `folder` leads out of it. */
export function folderUnder(root: string, folder: string | undefined): string | undefined {
  const dir = path.resolve(root, folder ?? '');
  return isWithin(root, dir) ? dir : undefined;
}

export async function downloadTool(d: ToolDeps, input: { version: string; folder?: string; replace?: boolean }, signal: AbortSignal): Promise<ToolAnswer> {
  const { targets, problems } = await resolveAll(d, [input.version], signal);
  if (targets.length === 0) {
    return { text: problems.join('\n'), isError: true };
  }
  const t = targets[0];
  const dir = folderUnder(d.root, input.folder);
  if (!dir) {
    return { text: `The folder must be inside ${d.root}.`, isError: true };
  }
  const fresh = async (): Promise<ExportFile> => {
    const file = exportFileOf(t.modelId, await d.client.describeModelExportTask(t.modelId, { signal }));
    d.redactor.addSecret(file.downloadUrl); // a pre-signed URL is a secret
    d.redactor.addSecret(new URL(file.downloadUrl).search.slice(1));
    return file;
  };
  let file: ExportFile;
  try {
    file = await fresh();
  } catch (error) {
    if (error instanceof DownloadError) {
      return { text: `${t.label} has no finished export. Export it first (${TOOL_NAMES.export}).`, isError: true };
    }
    throw error;
  }
  // named by model and version when known ("customer-support-zh-V3.tar.gz"), as the extension names it
  const names = t.version?.name
    ? { model: t.version.modelSetName || t.version.modelSetId, version: t.version.name }
    : await versionNames(d.client, t.modelId, { signal });
  const wanted = path.join(dir, downloadFileName(names.model, names.version, t.modelId, file.fileName));
  // judged by its real path, the file and its .part alike: a link under the folder to elsewhere is refused
  const target = await realPathWithin(wanted, [d.root]);
  if (!target || !(await realPathWithin(partPath(target), [d.root]))) {
    return {
      text: `Nothing was downloaded: ${quotedData(wanted, 1000)} leads out of ${quotedData(d.root, 1000)} (through a link), and this server writes only inside it.`,
      isError: true,
    };
  }
  const there = existsSync(target);
  if (there && input.replace !== true) {
    return { text: `${target} already exists; nothing was downloaded. Ask with replace to replace it.`, isError: true };
  }
  mkdirSync(dir, { recursive: true });
  const downloader = new Downloader({
    http: new NodeHttpDownload(),
    fs: new NodeDownloadFs(),
    clock: { now: Date.now, sleep: abortableSleep },
    store: new PartialDownloadsStore(d.state),
  });
  try {
    const r = await downloader.download({ file, target, overwrite: there, signal, refresh: fresh });
    return { text: `Downloaded the export of ${t.label} to ${r.path}: ${formatBytes(r.bytes)}, md5 ${r.md5} verified.` };
  } catch (error) {
    return {
      text: `The download of ${t.label} failed: ${failureText(error, d.redactor)}. A partial file is kept when it can be resumed: asking again resumes it.`,
      isError: true,
    };
  } finally {
    downloader.dispose();
  }
}

export async function deleteTool(d: ToolDeps, input: { versions: string[]; services?: string[] }, signal: AbortSignal): Promise<ToolAnswer> {
  const r = await checkedTargets(d, input.versions, signal);
  if ('text' in r) {
    return r;
  }
  const { targets, problems, check } = r;
  if (check.kind === 'skipped') {
    return { text: `Nothing was deleted. ${uncheckedText(check, d.redactor)} A version a service runs is never deleted unchecked.`, isError: true };
  }
  const named = new Set((input.services ?? []).map((s) => s.trim().toLowerCase()));
  const lines = [...problems.map((p) => `Not deleted: ${p}`)];
  const go: typeof targets = [];
  for (const t of targets) {
    const running = check.running.get(t.modelId) ?? [];
    const unnamed = running.filter((s) => !named.has(s.serviceId.toLowerCase()) && !named.has(s.name.trim().toLowerCase()));
    if (unnamed.length > 0) {
      lines.push(
        `Not deleted: ${t.label} runs in ${unnamed.map((s) => `the service ${quotedData(s.name, 100)} (${s.serviceId})`).join(', ')}; deleting it breaks that service. Only if the user wants that, call again naming the service in "services".`,
      );
    } else {
      go.push(t);
    }
  }
  const outcomes = await runBatch(go, (t, s) => d.client.deleteModel(t.modelId, { signal: s, modelSetId: t.version?.modelSetId }), {
    concurrency: Math.max(10, d.client.limiter.ceiling),
    signal,
  });
  for (const o of outcomes) {
    lines.push(
      o.ok
        ? `Deleted ${o.item.label}${o.value.alreadyGone ? ' (it was already gone)' : ''}.`
        : `Could not delete ${o.item.label}: ${failureText(o.error, d.redactor)}`,
    );
  }
  const deleted = outcomes.filter((o) => o.ok).length;
  return { text: lines.join('\n'), isError: deleted === 0 };
}
