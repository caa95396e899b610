/**
 * The commands that change something: delete, clean-up (both act only with --yes or an answer on
 * a terminal; a version a service runs only when named again with --deployed), export (started
 * once) and download (verified, resumable).
 */
import { existsSync, mkdirSync, statSync } from 'fs';
import * as path from 'path';
import { type DeploymentCheck, type ServiceRef } from '../core/qianfan/deployments';
import { Downloader, type ExportFile } from '../core/download/engine';
import { exportFileOf } from '../core/download/exportFile';
import { downloadFileName } from '../core/download/fileName';
import { PartialDownloadsStore } from '../core/download/partialStore';
import { abortableSleep } from '../core/qianfan/retry';
import { type DeleteResult } from '../core/qianfan/qianfanClient';
import { type ItemOutcome, runBatch } from '../core/work/batch';
import { accountVersions, versionLabel, versionNames } from '../core/work/accountVersions';
import { type CleanUpCandidate, type CleanUpRule, type KeepReason, emptiedModels, parseCreateTime, planCleanUp } from '../core/work/cleanUp';
import { PendingExportsStore, followExport, formatBytes } from '../core/work/exportTasks';
import { NodeDownloadFs } from '../node/nodeDownloadFs';
import { NodeHttpDownload } from '../node/nodeHttpDownload';
import { type Context } from './context';
import { CliError, EXIT, type ExitCode, exitOf } from './output';
import { deploymentsOf, detailsOf, shortTime, uncheckedError } from './read';

/** Asks a person at the terminal; undefined when no one can answer. */
export type Ask = (question: string) => Promise<string | undefined>;

interface DeleteTarget {
  readonly modelId: string;
  readonly label: string;
  readonly modelSetId?: string;
  /** The services that run it; undefined when they could not be checked. */
  readonly services?: readonly ServiceRef[];
}

function serviceList(services: readonly ServiceRef[] | undefined): { serviceId: string; name: string; runStatus: string | null }[] | null {
  return services ? services.map((s) => ({ serviceId: s.serviceId, name: s.name, runStatus: s.runStatus ?? null })) : null;
}

function servicesText(services: readonly ServiceRef[]): string {
  return services.map((s) => `"${s.name}" (${s.serviceId}, ${s.runStatus ?? '?'})`).join(', ');
}

/** DeleteModel for each, at the limiter's pace, with a progress bar; every result is written. */
async function runDeletes(ctx: Context, targets: readonly DeleteTarget[]): Promise<{ done: number; failed: number }> {
  const bar = ctx.out.progress('Deleting', targets.length, 'items');
  const outcomes: ItemOutcome<DeleteTarget, DeleteResult>[] = await runBatch(
    targets,
    (t, signal) => ctx.client.deleteModel(t.modelId, { signal, modelSetId: t.modelSetId }),
    { concurrency: Math.max(10, ctx.client.limiter.ceiling), signal: ctx.signal, onSettled: (_o, done) => bar.update(done) },
  );
  bar.stop();
  let done = 0;
  for (const o of outcomes) {
    const base = { type: 'delete', modelId: o.item.modelId, label: o.item.label, services: serviceList(o.item.services) };
    if (o.ok) {
      done++;
      ctx.out.emit({ ...base, result: o.value.alreadyGone ? 'alreadyGone' : 'deleted' });
      ctx.out.line(`${ctx.out.paint('green', 'deleted')}  ${o.item.label}${o.value.alreadyGone ? ' (it was already gone)' : ''}`);
    } else {
      ctx.out.emit({ ...base, result: o.cancelled ? 'cancelled' : 'failed', error: ctx.out.errorInfo(o.error) });
      ctx.out.line(`${ctx.out.paint('red', o.cancelled ? 'not sent' : 'failed')}   ${o.item.label}: ${ctx.out.errorInfo(o.error).message}`);
    }
  }
  return { done, failed: outcomes.length - done };
}

/** Whether the person at the terminal typed what was asked. */
async function typed(ask: Ask, question: string, expected: string): Promise<boolean> {
  const answer = await ask(question);
  return answer?.trim() === expected;
}

/** Says that a version is kept, not deleted, and why. */
function refuseDelete(ctx: Context, t: DeleteTarget, why: string): void {
  ctx.out.emit({
    type: 'delete',
    modelId: t.modelId,
    label: t.label,
    services: serviceList(t.services),
    result: 'refused',
    reason: t.services ? 'deployed' : 'servicesUnchecked',
  });
  ctx.out.line(`${ctx.out.paint('yellow', 'kept')}     ${t.label}: ${why}; name it with --deployed ${t.modelId} to delete it`);
}

/**
 * After a person answered at the terminal (they may have taken their time), the services are looked
 * at again where the delete acts: a version a service started running meanwhile, or whose services
 * cannot be checked now, is kept unless it was confirmed as deployed. Returns what may still go.
 */
async function lookAgain(ctx: Context, targets: readonly DeleteTarget[], confirmedDeployed: ReadonlySet<string>): Promise<DeleteTarget[]> {
  const again = await deploymentsOf(
    ctx.client,
    targets.map((t) => t.modelId),
    ctx.signal,
  );
  const stillSafe: DeleteTarget[] = [];
  for (const t of targets) {
    const services = again.kind === 'checked' ? (again.running.get(t.modelId) ?? []) : undefined;
    if (confirmedDeployed.has(t.modelId) || services?.length === 0) {
      stillSafe.push(t);
    } else {
      refuseDelete(
        ctx,
        { ...t, services },
        services ? `it runs in ${servicesText(services)} since it was checked` : 'the services that may run it could not be checked again',
      );
    }
  }
  return stillSafe;
}

export async function deleteVersions(ctx: Context, ids: readonly string[], opts: { yes?: boolean; deployed?: string[] }, ask: Ask): Promise<ExitCode> {
  const unique = [...new Set(ids)];
  const named = new Set(opts.deployed ?? []);
  const details = await detailsOf(ctx, unique, 'Reading versions');
  const check: DeploymentCheck = await deploymentsOf(ctx.client, unique, ctx.signal);
  if (check.kind === 'skipped') {
    ctx.out.error(uncheckedError(check));
  }
  const targets: DeleteTarget[] = unique.map((modelId) => {
    const got = details.get(modelId);
    const d = got?.ok ? got.detail : undefined;
    return {
      modelId,
      label: versionLabel({ modelSetId: d?.modelSetId ?? '', modelSetName: '', name: d?.modelName, modelId }),
      modelSetId: d?.modelSetId,
      services: check.kind === 'checked' ? (check.running.get(modelId) ?? []) : undefined,
    };
  });
  const accepted: DeleteTarget[] = [];
  /** The versions a service runs (or may run) that were named with --deployed or whose ID was typed. */
  const confirmedDeployed = new Set<string>();
  let refused = 0;
  const refuse = (t: DeleteTarget, why: string): void => {
    refused++;
    refuseDelete(ctx, t, why);
  };
  for (const t of targets) {
    const risky = t.services === undefined || t.services.length > 0;
    const why =
      t.services === undefined
        ? 'the services that may run it could not be checked'
        : `it runs in ${servicesText(t.services)}: deleting it breaks ${t.services.length === 1 ? 'that service' : 'those services'}`;
    let ok = !risky || named.has(t.modelId);
    if (!ok && !opts.yes && ctx.out.interactive) {
      ok = await typed(ask, `${t.label}: ${why}. Type its ID to delete it anyway (Enter skips): `, t.modelId);
    }
    if (ok) {
      accepted.push(t);
      if (risky) {
        confirmedDeployed.add(t.modelId);
      }
      continue;
    }
    refuse(t, why);
  }
  if (accepted.length === 0) {
    return EXIT.failed;
  }
  if (!opts.yes) {
    const question =
      accepted.length === 1
        ? `Delete ${accepted[0].label}? This cannot be undone. Type yes: `
        : `Delete ${accepted.length} model versions? This cannot be undone. Type ${accepted.length}: `;
    if (ctx.out.interactive) {
      ctx.out.note(accepted.map((t) => `  ${t.label}`).join('\n'));
    }
    if (!ctx.out.interactive || !(await typed(ask, question, accepted.length === 1 ? 'yes' : String(accepted.length)))) {
      for (const t of accepted) {
        ctx.out.emit({ type: 'delete', modelId: t.modelId, label: t.label, services: serviceList(t.services), result: 'planned' });
        ctx.out.line(`would delete  ${t.label}`);
      }
      ctx.out.note('Nothing deleted: add --yes to delete.');
      return refused > 0 ? EXIT.failed : EXIT.done;
    }
    const stillSafe = await lookAgain(ctx, accepted, confirmedDeployed);
    refused += accepted.length - stillSafe.length;
    accepted.splice(0, accepted.length, ...stillSafe);
  }
  const { done, failed } = await runDeletes(ctx, accepted);
  return exitOf(done, failed + refused);
}

export function keepReasonText(reason: KeepReason): string {
  switch (reason.kind) {
    case 'service':
      return `runs in service ${reason.services.join(', ')}`;
    case 'exporting':
      return 'an export is under way';
    case 'creating':
      return 'still Creating';
    case 'newest':
      return `among the newest ${reason.count}`;
    case 'recent':
      return `created within ${reason.days} days`;
    case 'notFailed':
      return 'not Failed';
    case 'unknownDate':
      return 'its creation time is not known';
  }
}

export async function cleanUp(ctx: Context, rule: CleanUpRule, opts: { model?: string[]; yes?: boolean; allowEmpty?: boolean }, ask: Ask): Promise<ExitCode> {
  const versions = await accountVersions(ctx.client, opts.model ?? [], { signal: ctx.signal });
  const ids = versions.map((v) => v.modelId);
  const details = await detailsOf(ctx, ids, 'Reading versions');
  const check = await deploymentsOf(ctx.client, ids, ctx.signal);
  if (check.kind === 'skipped') {
    ctx.out.error(uncheckedError(check));
    ctx.out.note('Nothing deleted: a version a service runs is never deleted, and the services could not be checked.');
    return EXIT.failed;
  }
  const pending = new Set(new PendingExportsStore(ctx.state).list().map((p) => p.modelId));
  const byId = new Map(versions.map((v) => [v.modelId, v]));
  const candidates: (CleanUpCandidate & { createTime?: string })[] = versions.map((v) => {
    const got = details.get(v.modelId);
    const d = got?.ok ? got.detail : undefined;
    return {
      modelId: v.modelId,
      modelSetId: v.modelSetId,
      label: versionLabel({ ...v, name: d?.modelName || v.name }),
      name: d?.modelName || v.name || '',
      status: d?.status,
      createdAt: parseCreateTime(d?.createTime),
      createTime: d?.createTime,
      services: (check.running.get(v.modelId) ?? []).map((s) => s.name),
      exporting: pending.has(v.modelId),
    };
  });
  const plan = planCleanUp(candidates, rule, Date.now());
  const rows: string[][] = [];
  for (const m of plan.models) {
    const modelSetName = byId.get(m.remove[0]?.modelId ?? m.keep[0]?.version.modelId ?? '')?.modelSetName ?? '';
    const entry = (v: CleanUpCandidate & { createTime?: string }, action: 'delete' | 'keep', reason?: KeepReason) => {
      ctx.out.emit({
        type: 'plan',
        modelSetId: m.modelSetId,
        modelSetName,
        modelId: v.modelId,
        label: v.label,
        status: v.status ?? null,
        createTime: v.createTime ?? null,
        action,
        ...(reason ? { reason } : {}),
      });
      rows.push([
        action === 'delete' ? ctx.out.paint('red', 'delete') : 'keep',
        v.label,
        v.status ?? '?',
        v.createTime ? shortTime(v.createTime) : '?',
        reason ? keepReasonText(reason) : '',
      ]);
    };
    m.remove.forEach((v) => entry(v, 'delete'));
    m.keep.forEach((k) => entry(k.version, 'keep', k.reason));
  }
  ctx.out.table(['ACTION', 'VERSION', 'STATUS', 'CREATED', 'KEPT BECAUSE'], rows);
  ctx.out.note(`${plan.removeCount} to delete, ${candidates.length - plan.removeCount} kept, in ${plan.models.length} model(s)`);
  if (plan.removeCount === 0) {
    return EXIT.done;
  }
  const emptied = emptiedModels(plan);
  const remove = plan.models.flatMap((m) => m.remove);
  if (!opts.yes) {
    const answer =
      ctx.out.interactive &&
      (await typed(ask, `Delete ${remove.length} model versions? This cannot be undone. Type ${remove.length}: `, String(remove.length)));
    if (!answer) {
      ctx.out.note('Nothing deleted (a preview): add --yes to delete.');
      return EXIT.done;
    }
  }
  if (emptied.length > 0 && !opts.allowEmpty) {
    for (const id of emptied) {
      ctx.out.error(new CliError('wouldEmptyModel', `this deletes every version of ${id}; add --allow-empty to go on`), { modelSetId: id });
    }
    ctx.out.note('Nothing deleted.');
    return EXIT.failed;
  }
  const planned: DeleteTarget[] = remove.map((v) => ({ modelId: v.modelId, label: v.label, modelSetId: v.modelSetId, services: [] }));
  const going = opts.yes ? planned : await lookAgain(ctx, planned, new Set());
  const { done, failed } = await runDeletes(ctx, going);
  return exitOf(done, failed + planned.length - going.length);
}

export async function exportVersion(ctx: Context, id: string, opts: { wait?: boolean; new?: boolean }): Promise<ExitCode> {
  const store = new PendingExportsStore(ctx.state);
  const fileFields = (t: { exportId?: string; fileName?: string; fileSize?: number; md5?: string }) => ({
    exportId: t.exportId ?? null,
    fileName: t.fileName ?? null,
    fileSize: t.fileSize ?? null,
    md5: t.md5 ?? null,
  });
  const task = opts.new ? undefined : await ctx.client.describeModelExportTask(id, { signal: ctx.signal });
  // an export this command line started and did not see end: followed, never started again
  const mine = opts.new ? undefined : store.list().find((p) => p.modelId === id);
  if (task?.hasRecord && task.status === 'Done' && (!mine || task.exportId === mine.exportId)) {
    if (mine) {
      await store.remove(id);
    }
    ctx.out.emit({ type: 'export', modelId: id, status: 'Done', started: false, ...fileFields(task) });
    ctx.out.line(`${id}: the export is finished: ${task.fileName ?? '?'} (${formatBytes(task.fileSize)}, md5 ${task.md5 ?? '?'}); --new starts another`);
    return EXIT.done;
  }
  let started: { exportId: string; resumed: boolean };
  if (mine) {
    started = { exportId: mine.exportId, resumed: true };
  } else {
    // started once: a running export of this version is followed, never a second created
    started = await ctx.client.startExport(id, { signal: ctx.signal });
  }
  const pending = mine ?? { modelId: id, exportId: started.exportId, startedAt: Date.now() };
  await store.put(pending);
  if (!opts.wait) {
    ctx.out.emit({ type: 'export', modelId: id, status: 'Doing', started: !started.resumed, exportId: started.exportId });
    ctx.out.line(`${id}: ${started.resumed ? 'an export was already running' : 'export started'} (${started.exportId}); --wait follows it`);
    return EXIT.done;
  }
  ctx.out.note(`${id}: ${started.resumed ? 'following the running export' : 'export started'} (${started.exportId})…`);
  const outcome = await followExport(ctx.client, store, pending, { signal: ctx.signal });
  if (outcome.status === 'Done') {
    ctx.out.emit({ type: 'export', modelId: id, status: 'Done', started: !started.resumed, ...fileFields(outcome.task) });
    ctx.out.line(`${id}: exported ${outcome.task.fileName ?? '?'} (${formatBytes(outcome.task.fileSize)}, md5 ${outcome.task.md5 ?? '?'})`);
    return EXIT.done;
  }
  ctx.out.emit({
    type: 'export',
    modelId: id,
    status: 'Fail',
    started: !started.resumed,
    exportId: started.exportId,
    failure: outcome.failure,
    reason: outcome.reason,
  });
  ctx.out.line(`${id}: the export failed: ${outcome.reason}`);
  return EXIT.failed;
}

/** Where the file goes: --out as a folder (existing, or ending in a separator) or a file; default the current folder. */
function targetOf(out: string | undefined, name: string): string {
  if (!out) {
    return path.resolve(name);
  }
  const folder = /[\\/]$/.test(out) || (existsSync(out) && statSync(out).isDirectory());
  return path.resolve(folder ? path.join(out, name) : out);
}

/** The file's default name: the model and version a user knows ("customer-support-zh-V3.tar.gz"), else the version ID. */
async function defaultName(ctx: Context, id: string, file: ExportFile): Promise<string> {
  const names = await versionNames(ctx.client, id, { signal: ctx.signal });
  return downloadFileName(names.model, names.version, id, file.fileName);
}

export async function download(ctx: Context, id: string, opts: { out?: string; overwrite?: boolean }): Promise<ExitCode> {
  const fresh = async (): Promise<ExportFile> => {
    const file = exportFileOf(id, await ctx.client.describeModelExportTask(id, { signal: ctx.signal }));
    // a pre-signed URL is a secret: never written, whatever carries it
    ctx.out.redactor.addSecret(file.downloadUrl);
    ctx.out.redactor.addSecret(new URL(file.downloadUrl).search.slice(1));
    return file;
  };
  const file = await fresh();
  const name = await defaultName(ctx, id, file);
  const target = targetOf(opts.out, name);
  const exists = existsSync(target);
  if (exists && !opts.overwrite) {
    throw new CliError('targetExists', `${target} exists; nothing was downloaded (--overwrite replaces it)`);
  }
  mkdirSync(path.dirname(target), { recursive: true });
  const downloader = new Downloader({
    http: new NodeHttpDownload(),
    fs: new NodeDownloadFs(),
    clock: { now: Date.now, sleep: abortableSleep },
    store: new PartialDownloadsStore(ctx.state),
  });
  const bar = ctx.out.progress(path.basename(target), file.fileSize, 'bytes');
  try {
    const result = await downloader.download(
      { file, target, overwrite: exists, signal: ctx.signal, refresh: fresh },
      { onProgress: (p) => bar.update(p.received) },
    );
    bar.stop();
    ctx.out.emit({ type: 'download', modelId: id, path: result.path, bytes: result.bytes, md5: result.md5, resumedFrom: result.resumedFrom });
    ctx.out.line(
      `${id}: downloaded ${result.path} (${formatBytes(result.bytes)}, md5 ${result.md5} verified${result.resumedFrom > 0 ? `, resumed at byte ${result.resumedFrom}` : ''})`,
    );
    return EXIT.done;
  } catch (error) {
    bar.stop();
    ctx.out.note(`The partial file, if any, is kept as ${target}.part (or a numbered .part beside it): the same command resumes it.`);
    throw error;
  } finally {
    downloader.dispose();
  }
}
