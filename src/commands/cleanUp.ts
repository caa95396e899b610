/**
 * Delete Old Versions… (`qianfan.cleanUp`): on a model, or on every tracked version. The user picks
 * a rule and types its number (keep the newest N usable versions per model, the setting giving the
 * default; older than D days; or only Failed); the versions' details (status, creation time) are
 * loaded through the detail loader and the client's limiter, the progress counting the reads as
 * they land and saying when Qianfan's rate limit sets the pace, then the services check of the
 * delete finds what runs them. The preview lists, per model and newest first, every version: those
 * to delete ticked (each can be unticked), those kept as rows that cannot be ticked, each saying
 * why (kept anyway, or kept by the rule); the title carries the totals. The confirmation asks for
 * the count typed. Before anything is deleted the chosen versions are looked at again: one that changed
 * status, now runs in a service or is being exported is skipped and named. The deletes then run
 * as Delete runs them (limiter, cancellable progress, every result reported).
 */
import * as vscode from 'vscode';
import { AdaptiveLimiter } from '../core/qianfan/adaptiveLimit';
import { type DeploymentCheck } from '../core/qianfan/deployments';
import {
  type CleanUpCandidate,
  type CleanUpPlan,
  type CleanUpRule,
  type KeepReason,
  ReadCount,
  emptiedModels,
  keptAnyway,
  parseCreateTime,
  planCleanUp,
  ruleNumber,
} from '../core/work/cleanUp';
import { ModelNode, statusText, trackedTitle } from '../tree/nodes';
import { userMessage } from '../platform/errorMessages';
import { deleteConfirmed, servicesRunning } from './deleteVersion';
import { notify, notifyWithLog } from './notify';
import { type Target } from './selection';
import { type Services } from './services';

/** The default of qianfan.cleanUp.keepNewest. */
export const DEFAULT_KEEP_NEWEST = 3;

function keepNewestSetting(): number {
  const n = vscode.workspace.getConfiguration('qianfan').get<number>('cleanUp.keepNewest');
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 ? n : DEFAULT_KEEP_NEWEST;
}

function ruleText(rule: CleanUpRule): string {
  switch (rule.kind) {
    case 'keepNewest':
      return vscode.l10n.t('keep the newest {0} per model', rule.count);
    case 'olderThan':
      return vscode.l10n.t('delete those created more than {0} days ago', rule.days);
    case 'failed':
      return vscode.l10n.t('delete only those whose status is Failed');
  }
}

/** Why a version is kept: "kept anyway: …" for what no rule deletes (not counted by the rule), "kept: …" for what the rule keeps. */
export function keepReasonText(reason: KeepReason): string {
  switch (reason.kind) {
    case 'service':
      return vscode.l10n.t('kept anyway: runs in service {0}', reason.services.join(', '));
    case 'exporting':
      return vscode.l10n.t('kept anyway: an export is under way');
    case 'creating':
      return vscode.l10n.t('kept anyway: still {0}', statusText('Creating'));
    case 'newest':
      return vscode.l10n.t('kept: among the newest {0} that could be deleted', reason.count);
    case 'recent':
      return vscode.l10n.t('kept: created within {0} days', reason.days);
    case 'notFailed':
      return vscode.l10n.t('kept: not {0}', statusText('Fail'));
    case 'unknownDate':
      return vscode.l10n.t('kept anyway: its creation time is not known');
  }
}

/** Why the rule deletes a version. */
function deleteReasonText(rule: CleanUpRule): string {
  switch (rule.kind) {
    case 'keepNewest':
      return vscode.l10n.t('deleted: older than the newest {0} that could be deleted', rule.count);
    case 'olderThan':
      return vscode.l10n.t('deleted: created more than {0} days ago', rule.days);
    case 'failed':
      return vscode.l10n.t('deleted: its status is {0}', statusText('Fail'));
  }
}

async function askRule(s: Services): Promise<CleanUpRule | undefined> {
  const keep = keepNewestSetting();
  const items: (vscode.QuickPickItem & { rule: 'keepNewest' | 'olderThan' | 'failed' })[] = [
    {
      rule: 'keepNewest',
      label: vscode.l10n.t('Keep the newest N per model…'),
      description: vscode.l10n.t('N is {0} unless you type another', keep),
      detail: vscode.l10n.t('Of the versions that could be deleted, the N newest of each model stay; the older ones are deleted.'),
    },
    { rule: 'olderThan', label: vscode.l10n.t('Delete versions older than…'), detail: vscode.l10n.t('You type the number of days.') },
    { rule: 'failed', label: vscode.l10n.t('Delete only failed versions'), detail: vscode.l10n.t('Versions whose status is {0}.', statusText('Fail')) },
  ];
  const picked = await s.prompts.pickOne(items, {
    title: vscode.l10n.t('Delete Old Versions'),
    placeHolder: vscode.l10n.t('Choose a rule. Versions a service runs, versions being exported and versions still Creating are always kept, in addition.'),
  });
  if (!picked) {
    return undefined;
  }
  if (picked.rule === 'failed') {
    return { kind: 'failed' };
  }
  if (picked.rule === 'keepNewest') {
    const typed = await s.prompts.inputBox({
      title: vscode.l10n.t('Keep the newest N per model…'),
      prompt: vscode.l10n.t(
        'How many of the newest versions of each model to keep (N). Versions a service runs, being exported, still Creating or of unknown creation time are kept in addition.',
      ),
      value: String(keep),
      validateInput: (v) => (ruleNumber(v) === undefined ? vscode.l10n.t('Type a whole number, 1 or more.') : undefined),
    });
    const n = typed === undefined ? undefined : ruleNumber(typed);
    return n === undefined ? undefined : { kind: 'keepNewest', count: n };
  }
  const days = await s.prompts.inputBox({
    title: vscode.l10n.t('Delete versions older than…'),
    prompt: vscode.l10n.t('Delete the versions created more than this many days ago:'),
    value: '30',
    validateInput: (v) => (ruleNumber(v) === undefined ? vscode.l10n.t('Type a whole number of days, 1 or more.') : undefined),
  });
  const n = days === undefined ? undefined : ruleNumber(days);
  return n === undefined ? undefined : { kind: 'olderThan', days: n };
}

/** The facts of each version: its status and creation time (loaded), its services, an export under way. */
function candidates(s: Services, ids: readonly string[], check: Extract<DeploymentCheck, { kind: 'checked' }>): CleanUpCandidate[] {
  const pending = new Set(s.pendingExports.list().map((p) => p.modelId));
  return ids.map((modelId) => {
    const t = s.tracked.get(modelId);
    const live = s.details.get(modelId);
    const detail = live?.kind === 'loaded' ? live.detail : undefined;
    return {
      modelId,
      modelSetId: detail?.modelSetId || t?.modelSetId || '',
      label: trackedTitle(t, modelId),
      name: detail?.modelName || t?.name || '',
      status: detail?.status,
      createdAt: parseCreateTime(detail?.createTime),
      services: (check.running.get(modelId) ?? []).map((svc) => svc.name),
      exporting: s.exportStates.get(modelId)?.status === 'Doing' || pending.has(modelId),
    };
  });
}

/** The client's limiter when it is the adaptive one (whose state says whether a rate limit sets the pace). */
function adaptiveLimiter(s: Services): AdaptiveLimiter | undefined {
  try {
    const limiter = s.client().limiter;
    return limiter instanceof AdaptiveLimiter ? limiter : undefined;
  } catch {
    return undefined; // no client (no keys): the loads say what is wrong
  }
}

/** How often the progress looks at the limiter while no read lands (a Retry-After pause). */
const RATE_NOTE_MS = 1000;

/**
 * Loads the details of `ids` afresh and finds the services that run them, under a cancellable
 * progress that counts the reads as they land (then says the services are being checked), and
 * says when Qianfan's rate limit sets the pace of the reads.
 */
async function gather(s: Services, ids: readonly string[], title: string): Promise<{ check: DeploymentCheck; cancelled: boolean }> {
  let cancelled = false;
  const check = await s.prompts.withProgress(title, true, async (progress, signal) => {
    const onAbort = () => {
      cancelled = true;
      s.loader.drop(ids);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const limiter = adaptiveLimiter(s);
    const throttledBefore = limiter?.state.throttled ?? 0;
    const reads = new ReadCount(ids);
    let shown = '';
    /** The reads so far and, while reads wait, what holds them back; `increment`: the bar's share of what landed now. */
    const report = (increment?: number) => {
      const state = limiter?.state;
      const waiting = reads.done < reads.total && state !== undefined;
      const rate = waiting ? state.rate : undefined;
      const throttled = waiting && state.throttled > throttledBefore;
      const counted = vscode.l10n.t('{0} of {1} read', reads.done, reads.total);
      const message =
        rate !== undefined
          ? vscode.l10n.t("{0}, at about {1} per second: Qianfan's rate limit sets the pace", counted, Math.max(1, Math.round(rate)))
          : throttled
            ? vscode.l10n.t("{0}, waiting on Qianfan's rate limit", counted)
            : counted;
      if (increment !== undefined || message !== shown) {
        shown = message;
        progress.report(message, increment);
      }
    };
    const sub = s.details.onDidChange((changed) => {
      const n = reads.landed(changed, (id) => !s.details.isLoading(id) && s.details.get(id) !== undefined);
      if (n > 0) {
        report((90 * n) / Math.max(1, reads.total)); // the reads fill 90 % of the bar, the services check the rest
      }
    });
    const timer = setInterval(() => report(), RATE_NOTE_MS); // a pause on Retry-After lands no read: say so all the same
    try {
      report();
      await s.loader.load(ids, { force: true });
      if (cancelled) {
        return undefined;
      }
      progress.report(vscode.l10n.t('{0} of {1} read; checking which services run them…', reads.done, reads.total));
      return await servicesRunning(
        s,
        ids.map((modelId) => ({ modelId, label: modelId })),
        signal,
      );
    } finally {
      clearInterval(timer);
      sub.dispose();
      signal.removeEventListener('abort', onAbort);
    }
  });
  return { check: check ?? { kind: 'skipped', reason: 'failed', error: undefined }, cancelled: cancelled || check === undefined };
}

/** Each model's name as the tracked list knows it, read once (a model without one is named by its ID). */
function modelNames(s: Services): Map<string, string> {
  const names = new Map<string, string>();
  for (const v of s.tracked.view()) {
    if (v.modelSetId && v.modelSetName && !names.has(v.modelSetId)) {
      names.set(v.modelSetId, v.modelSetName);
    }
  }
  return names;
}

/** A row of the preview: a version, to delete (`deletes`) or kept (it cannot be ticked). */
export type PreviewItem = vscode.QuickPickItem & { readonly version?: CleanUpCandidate; readonly deletes?: boolean };

/** "created 12/10/2026, 10:20:30" in the user's language, or nothing for an unknown time. */
function createdText(v: CleanUpCandidate): string | undefined {
  return v.createdAt === undefined ? undefined : vscode.l10n.t('created {0}', new Date(v.createdAt).toLocaleString(vscode.env.language));
}

/**
 * The preview's rows: per model (under a plain line), every version newest first; those to delete
 * ticked, the kept ones with their reason on their own detail line (readable at any width, and
 * saying whether the rule kept it or it is kept anyway).
 */
export function previewItems(plan: CleanUpPlan, rule: CleanUpRule): PreviewItem[] {
  const items: PreviewItem[] = [];
  for (const m of plan.models) {
    // a plain line between models: every row names its model, and a separator's text is drawn over the row below it on VS Code 1.93
    items.push({ kind: vscode.QuickPickItemKind.Separator, label: '' });
    for (const { version: v, reason } of m.versions) {
      const facts = [v.status ? statusText(v.status) : undefined, createdText(v)].filter((x) => x !== undefined).join(' · ');
      items.push(
        reason
          ? {
              label: `$(${keptAnyway(reason) ? 'lock' : 'pass'}) ${v.label}`,
              description: facts,
              detail: keepReasonText(reason),
              version: v,
            }
          : { label: `$(trash) ${v.label}`, description: facts, detail: deleteReasonText(rule), picked: true, version: v, deletes: true },
      );
    }
  }
  return items;
}

/** The preview's title: the totals. */
function previewTitle(plan: CleanUpPlan, rule: CleanUpRule): string {
  const kept = plan.models.reduce((n, m) => n + m.keep.length, 0);
  const anyway = plan.models.reduce((n, m) => n + m.keep.filter((k) => keptAnyway(k.reason)).length, 0);
  return vscode.l10n.t('{0} to delete, {1} kept ({2} anyway): {3}', plan.removeCount, kept, anyway, ruleText(rule));
}

/** The preview: every version per model, newest first, those to delete ticked, the kept ones saying why (they cannot be ticked). */
async function preview(s: Services, plan: CleanUpPlan, rule: CleanUpRule): Promise<CleanUpCandidate[] | undefined> {
  const items = previewItems(plan, rule);
  const options: vscode.QuickPickOptions = {
    title: previewTitle(plan, rule),
    placeHolder: vscode.l10n.t('Untick what should stay, then OK.'),
    canPickMany: true,
    matchOnDescription: true,
    matchOnDetail: true,
  };
  const locked = (i: PreviewItem) => !i.deletes;
  const chosen = s.prompts.pickManyLocked ? await s.prompts.pickManyLocked(items, options, locked) : await s.prompts.pickMany(items, options);
  return chosen?.flatMap((i) => (i.version && i.deletes ? [i.version] : []));
}

function logPlan(s: Services, plan: CleanUpPlan, rule: CleanUpRule): void {
  s.logger.info(`Clean-up preview (${ruleText(rule)}): ${plan.removeCount} to delete`);
  for (const m of plan.models) {
    for (const v of m.remove) {
      s.logger.info(`  delete ${v.label}`);
    }
    for (const k of m.keep) {
      s.logger.info(`  keep ${k.version.label}: ${keepReasonText(k.reason)}`);
    }
  }
}

export async function cleanUp(s: Services, node?: unknown): Promise<void> {
  const modelSetId = node instanceof ModelNode ? node.modelSetId : undefined;
  const ids = s.tracked
    .view()
    .filter((t) => modelSetId === undefined || t.modelSetId === modelSetId)
    .map((t) => t.modelId);
  if (ids.length === 0) {
    void notify(s, 'info', vscode.l10n.t('No tracked version to clean up.'));
    return;
  }
  const rule = await askRule(s);
  if (!rule) {
    return;
  }
  const gathered = await gather(s, ids, vscode.l10n.t('Looking at {0} model versions…', ids.length));
  if (gathered.cancelled) {
    void notify(s, 'info', vscode.l10n.t('Clean-up cancelled: nothing was deleted.'));
    return;
  }
  if (gathered.check.kind !== 'checked') {
    const why = gathered.check.reason === 'permission' ? vscode.l10n.t('the key may not read services') : userMessage(gathered.check.error);
    notifyWithLog(
      s,
      'error',
      vscode.l10n.t('Nothing deleted: could not check which services run these versions ({0}), and a version a service runs is never deleted.', why),
    );
    return;
  }
  const plan = planCleanUp(candidates(s, ids, gathered.check), rule, Date.now());
  logPlan(s, plan, rule);
  if (plan.removeCount === 0) {
    void notify(s, 'info', vscode.l10n.t('Nothing to delete: under the rule "{0}" every version is kept.', ruleText(rule)));
    return;
  }
  const chosen = await preview(s, plan, rule);
  if (!chosen || chosen.length === 0) {
    return;
  }
  const chosenSet = new Set(chosen);
  const emptied = emptiedModels({ models: plan.models.map((m) => ({ ...m, remove: m.remove.filter((v) => chosenSet.has(v)) })), removeCount: chosen.length });
  if (emptied.length > 0) {
    const names = modelNames(s);
    const named = emptied.map((id) => names.get(id) ?? id).join(', ');
    const ok = await s.prompts.confirm(
      vscode.l10n.t('This deletes every tracked version of {0}.', named),
      vscode.l10n.t('No tracked version of it would be left. Go on?'),
      vscode.l10n.t('Go On'),
    );
    if (!ok) {
      return;
    }
  }
  const expected = String(chosen.length);
  const typed = await s.prompts.inputBox({
    title: vscode.l10n.t('Delete {0} model versions', chosen.length),
    prompt: vscode.l10n.t('This cannot be undone. Type {0} (the number of versions) to delete them.', expected),
    validateInput: (v) => (v.trim() === expected ? undefined : vscode.l10n.t('Type {0} to confirm.', expected)),
  });
  if (typed?.trim() !== expected) {
    return;
  }
  // look again: what changed since the preview is skipped and named
  const again = await gather(
    s,
    chosen.map((v) => v.modelId),
    vscode.l10n.t('Checking {0} model versions again…', chosen.length),
  );
  if (again.cancelled || again.check.kind !== 'checked') {
    void notify(s, 'warn', vscode.l10n.t('Clean-up stopped before deleting: the versions could not be looked at again. Nothing was deleted.'));
    return;
  }
  const now = new Map(
    candidates(
      s,
      chosen.map((v) => v.modelId),
      again.check,
    ).map((c) => [c.modelId, c]),
  );
  const skipped: string[] = [];
  const targets: Target[] = [];
  for (const v of chosen) {
    const c = now.get(v.modelId);
    if (!c || c.status !== v.status || c.services.length > 0 || c.exporting) {
      skipped.push(v.label);
    } else {
      targets.push({ modelId: v.modelId, label: v.label });
    }
  }
  if (skipped.length > 0) {
    s.logger.warn(`Clean-up skips what changed since the preview: ${skipped.join(', ')}`);
    void notify(s, 'warn', vscode.l10n.t('Skipped, changed since the preview (status, a service, or an export): {0}', skipped.join(', ')));
  }
  if (targets.length > 0) {
    await deleteConfirmed(s, targets, ' (clean-up)');
  }
}
