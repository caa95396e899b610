/** The commands that only read: list, describe, services. */
import { runBatch } from '../core/work/batch';
import { type AccountVersion, accountVersions, versionLabel } from '../core/work/accountVersions';
import { findDeployments, type DeploymentCheck } from '../core/qianfan/deployments';
import { type ModelVersionDetail } from '../core/qianfan/model';
import { type QianfanClient } from '../core/qianfan/qianfanClient';
import { matches, parseFilter } from '../core/state/viewFilter';
import { cleanOptional } from '../core/base/text';
import { type Context } from './context';
import { CliError, EXIT, type ExitCode } from './output';

/** DescribeModel for each version, at the pace of the client's limiter; failures are kept per version. */
export async function detailsOf(
  ctx: Context,
  ids: readonly string[],
  label = 'Reading versions',
): Promise<Map<string, { ok: true; detail: ModelVersionDetail } | { ok: false; error: unknown }>> {
  const bar = ctx.out.progress(label, ids.length, 'items');
  const outcomes = await runBatch(ids, (id, signal) => ctx.client.describeModel(id, { signal }), {
    concurrency: Math.max(10, ctx.client.limiter.ceiling),
    signal: ctx.signal,
    onSettled: (_o, done) => bar.update(done),
  });
  bar.stop();
  return new Map(outcomes.map((o) => [o.item, o.ok ? { ok: true as const, detail: o.value } : { ok: false as const, error: o.error }]));
}

/** Every page of services checked for these versions (the same check the view's delete makes). */
export function deploymentsOf(client: QianfanClient, ids: readonly string[], signal: AbortSignal): Promise<DeploymentCheck> {
  return findDeployments(
    ids,
    {
      listServices: (page, s) => client.listServices(page, { signal: s }),
      describeService: (id, s) => client.describeService(id, { signal: s }),
    },
    signal,
  );
}

/** Why the services could not be checked, as an error to report. */
export function uncheckedError(check: Extract<DeploymentCheck, { kind: 'skipped' }>): unknown {
  return check.reason === 'permission'
    ? new CliError(
        'servicesPermission',
        `could not check which services run these versions: the key may not read services (it needs one of ${check.policies.join(', ')})`,
      )
    : check.error;
}

export function shortTime(text: string | undefined): string {
  return text ? text.replace('T', ' ').replace(/(\.\d+)?(Z|[+-]\d\d:?\d\d)?$/, '') : '';
}

export async function list(ctx: Context, filterWords: readonly string[], opts: { model?: string[]; details?: boolean }): Promise<ExitCode> {
  const filter = parseFilter(filterWords.join(' '));
  const versions = await accountVersions(ctx.client, opts.model ?? [], { signal: ctx.signal });
  const details = opts.details === true || (filter?.statuses.length ?? 0) > 0;
  // the names and IDs narrow the list first; status and base model need each version's details
  const named = filter ? versions.filter((v) => matches({ ...filter, statuses: [] }, { ...v, name: v.name })) : versions;
  const loaded = details
    ? await detailsOf(
        ctx,
        named.map((v) => v.modelId),
      )
    : undefined;
  let failed = 0;
  const rows: string[][] = [];
  let shown = 0;
  for (const v of named) {
    const got = loaded?.get(v.modelId);
    const detail = got?.ok ? got.detail : undefined;
    if (got && !got.ok) {
      failed++;
      ctx.out.error(got.error, { modelId: v.modelId });
      continue;
    }
    if (loaded && !matches(filter, { ...v, name: detail?.modelName || v.name, baseModel: detail?.model, status: detail?.status })) {
      continue;
    }
    shown++;
    ctx.out.emit({
      type: 'version',
      modelSetId: v.modelSetId,
      modelSetName: v.modelSetName,
      modelId: v.modelId,
      name: detail?.modelName || v.name || null,
      ...(detail
        ? { status: detail.status, baseModel: detail.model ?? null, createTime: detail.createTime ?? null, modifyTime: detail.modifyTime ?? null }
        : {}),
    });
    rows.push([
      v.modelSetName || v.modelSetId,
      v.modelSetId,
      detail?.modelName || v.name || '',
      v.modelId,
      ...(detail ? [statusPaint(ctx, detail.status), detail.model ?? '', shortTime(detail.createTime)] : []),
    ]);
  }
  ctx.out.table(['MODEL', 'MODEL ID', 'VERSION', 'VERSION ID', ...(details ? ['STATUS', 'BASE MODEL', 'CREATED'] : [])], rows);
  ctx.out.note(`${shown} version(s)${filter ? ` match "${filter.text}"` : ''}, ${new Set(versions.map((v) => v.modelSetId)).size} model(s) read`);
  return failed === 0 ? EXIT.done : shown > 0 ? EXIT.partly : EXIT.failed;
}

function statusPaint(ctx: Context, status: string): string {
  return ctx.out.paint(status === 'Ready' ? 'green' : status === 'Fail' ? 'red' : 'yellow', status);
}

/** Text from Qianfan: one short line, control characters out. */
function serverText(text: string | undefined): string | null {
  return cleanOptional(text) ?? null;
}

export async function describe(ctx: Context, id: string): Promise<ExitCode> {
  if (id.startsWith('am-')) {
    const m = await ctx.client.describeModelSet(id, { signal: ctx.signal });
    const versions = m.modelIds.map((modelId, i) => ({ modelId, name: m.modelNames[i] || null }));
    ctx.out.emit({
      type: 'model',
      modelSetId: m.modelSetId,
      modelSetName: m.modelSetName,
      modelType: m.modelType || null,
      source: m.source || null,
      labels: m.labels,
      createTime: m.createTime || null,
      modifyTime: m.modifyTime || null,
      description: serverText(m.description),
      versions,
    });
    ctx.out.table(
      ['FIELD', 'VALUE'],
      [
        ['Model', `${m.modelSetName} (${m.modelSetId})`],
        ['Type', m.modelType],
        ['Source', m.source],
        ['Labels', m.labels.join(', ')],
        ['Created', shortTime(m.createTime)],
        ['Modified', shortTime(m.modifyTime)],
        ['Description', serverText(m.description) ?? ''],
        ['Versions', versions.map((v) => (v.name ? `${v.name} (${v.modelId})` : v.modelId)).join(', ')],
      ],
    );
    return EXIT.done;
  }
  const [d, task] = await Promise.all([
    ctx.client.describeModel(id, { signal: ctx.signal }),
    ctx.client.describeModelExportTask(id, { signal: ctx.signal }).catch(() => undefined),
  ]);
  // the export as it is, never its download URL (a pre-signed URL is a secret)
  const exported = task?.hasRecord
    ? { exportId: task.exportId ?? null, status: task.status ?? null, fileName: task.fileName ?? null, fileSize: task.fileSize ?? null, md5: task.md5 ?? null }
    : null;
  ctx.out.emit({
    type: 'version',
    modelSetId: d.modelSetId,
    modelId: d.modelId,
    name: d.modelName || null,
    status: d.status,
    baseModel: d.model ?? null,
    sourceType: d.sourceType ?? null,
    ioMode: d.ioMode ?? null,
    createTime: d.createTime ?? null,
    modifyTime: d.modifyTime ?? null,
    description: serverText(d.description),
    export: exported,
  });
  ctx.out.table(
    ['FIELD', 'VALUE'],
    [
      ['Version', versionLabel({ modelSetId: d.modelSetId, modelSetName: '', name: d.modelName, modelId: d.modelId })],
      ['Status', statusPaint(ctx, d.status)],
      ['Base model', d.model ?? ''],
      ['Source', d.sourceType ?? ''],
      ['I/O mode', d.ioMode ?? ''],
      ['Created', shortTime(d.createTime)],
      ['Modified', shortTime(d.modifyTime)],
      ['Description', serverText(d.description) ?? ''],
      ['Export', exported ? `${exported.status ?? '?'} ${exported.fileName ?? ''} ${exported.fileSize ?? ''} ${exported.md5 ?? ''}`.trim() : 'none'],
    ],
  );
  return EXIT.done;
}

export async function services(ctx: Context, ids: readonly string[]): Promise<ExitCode> {
  let versions: readonly Pick<AccountVersion, 'modelId'>[] = ids.map((modelId) => ({ modelId }));
  if (ids.length === 0) {
    versions = await accountVersions(ctx.client, [], { signal: ctx.signal });
  }
  const check = await deploymentsOf(
    ctx.client,
    versions.map((v) => v.modelId),
    ctx.signal,
  );
  if (check.kind === 'skipped') {
    ctx.out.error(uncheckedError(check));
    return EXIT.failed;
  }
  const rows: string[][] = [];
  for (const v of versions) {
    const running = check.running.get(v.modelId) ?? [];
    if (ids.length === 0 && running.length === 0) {
      continue;
    }
    ctx.out.emit({
      type: 'deployment',
      modelId: v.modelId,
      services: running.map((s) => ({ serviceId: s.serviceId, name: s.name, runStatus: s.runStatus ?? null })),
    });
    rows.push(...(running.length === 0 ? [[v.modelId, '(none)', '', '']] : running.map((s) => [v.modelId, s.name, s.serviceId, s.runStatus ?? ''])));
  }
  ctx.out.table(['VERSION ID', 'SERVICE', 'SERVICE ID', 'STATUS'], rows);
  ctx.out.note(`${check.services} service(s) checked`);
  return EXIT.done;
}
