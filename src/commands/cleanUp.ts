/**
 * Delete Old Versions… (`qianfan.cleanUp`): on a model, or on every tracked version. The user picks
 * a rule (keep the newest N per model, older than D days, or only Fail); the versions' details
 * (status, creation time) are loaded through the detail loader and the client's limiter, and the
 * services check of the delete finds what runs them. A preview, per model, lists what would be
 * deleted (each can be unticked) and what is kept and why; the confirmation asks for the count
 * typed. Before anything is deleted the chosen versions are looked at again: one that changed
 * status, now runs in a service or is being exported is skipped and named. The deletes then run
 * as Delete runs them (limiter, cancellable progress, every result reported).
 */
import * as vscode from 'vscode';
import { type DeploymentCheck } from '../core/qianfan/deployments';
import {
  type CleanUpCandidate,
  type CleanUpPlan,
  type CleanUpRule,
  type KeepReason,
  emptiedModels,
  parseCreateTime,
  planCleanUp,
  ruleNumber,
} from '../core/work/cleanUp';
import { ModelNode, trackedTitle } from '../tree/nodes';
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
      return vscode.l10n.t('delete only those whose status is Fail');
  }
}

export function keepReasonText(reason: KeepReason): string {
  switch (reason.kind) {
    case 'service':
      return vscode.l10n.t('kept: runs in service {0}', reason.services.join(', '));
    case 'exporting':
      return vscode.l10n.t('kept: an export is under way');
    case 'creating':
      return vscode.l10n.t('kept: still Creating');
    case 'newest':
      return vscode.l10n.t('kept: among the newest {0}', reason.count);
    case 'recent':
      return vscode.l10n.t('kept: created within {0} days', reason.days);
    case 'notFailed':
      return vscode.l10n.t('kept: not Fail');
    case 'unknownDate':
      return vscode.l10n.t('kept: its creation time is not known');
  }
}

async function askRule(s: Services): Promise<CleanUpRule | undefined> {
  const keep = keepNewestSetting();
  const items: (vscode.QuickPickItem & { rule: 'keepNewest' | 'olderThan' | 'failed' })[] = [
    { rule: 'keepNewest', label: vscode.l10n.t('Keep the newest {0} per model', keep), detail: vscode.l10n.t('Older versions of each model are deleted.') },
    { rule: 'olderThan', label: vscode.l10n.t('Delete versions older than…'), detail: vscode.l10n.t('You type the number of days.') },
    { rule: 'failed', label: vscode.l10n.t('Delete only failed versions'), detail: vscode.l10n.t('Versions whose status is Fail.') },
  ];
  const picked = await s.prompts.pickOne(items, {
    title: vscode.l10n.t('Delete Old Versions'),
    placeHolder: vscode.l10n.t('Choose a rule. Versions a service runs, versions being exported and versions still Creating are always kept.'),
  });
  if (!picked) {
    return undefined;
  }
  if (picked.rule === 'failed') {
    return { kind: 'failed' };
  }
  if (picked.rule === 'keepNewest') {
    return { kind: 'keepNewest', count: keep };
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

/** Loads the details of `ids` afresh and finds the services that run them, under a cancellable progress. */
async function gather(s: Services, ids: readonly string[], title: string): Promise<{ check: DeploymentCheck; cancelled: boolean }> {
  let cancelled = false;
  const check = await s.prompts.withProgress(title, true, async (progress, signal) => {
    const onAbort = () => {
      cancelled = true;
      s.loader.drop(ids);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      let done = 0;
      const asked = new Set(ids);
      const sub = s.details.onDidChange((changed) => {
        const n = changed.filter((id) => asked.has(id)).length;
        if (n > 0) {
          done = Math.min(ids.length, done + n);
          progress.report(vscode.l10n.t('{0} of {1}', done, ids.length), (100 * n) / ids.length);
        }
      });
      try {
        await s.loader.load(ids, { force: true });
      } finally {
        sub.dispose();
      }
      return cancelled
        ? undefined
        : await servicesRunning(
            s,
            ids.map((modelId) => ({ modelId, label: modelId })),
            signal,
          );
    } finally {
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

/** The preview: each version to delete, ticked, under a line per model saying what it keeps and why. */
async function preview(s: Services, plan: CleanUpPlan, rule: CleanUpRule): Promise<CleanUpCandidate[] | undefined> {
  type Item = vscode.QuickPickItem & { version?: CleanUpCandidate };
  const items: Item[] = [];
  const names = modelNames(s);
  for (const m of plan.models) {
    const name = names.get(m.modelSetId) ?? (m.modelSetId || '?');
    const kept = m.keep.map((k) => `${k.version.label.split(' / ').pop() ?? k.version.label} (${keepReasonText(k.reason)})`).join('; ');
    items.push({
      kind: vscode.QuickPickItemKind.Separator,
      label: vscode.l10n.t('{0}: deletes {1}, keeps {2}', name, m.remove.length, m.keep.length) + (kept ? ` — ${kept}` : ''),
    });
    for (const v of m.remove) {
      items.push({
        label: v.label,
        description: v.status,
        detail: v.createdAt === undefined ? undefined : vscode.l10n.t('created {0}', new Date(v.createdAt).toLocaleString(vscode.env.language)),
        picked: true,
        version: v,
      });
    }
  }
  const chosen = await s.prompts.pickMany(items, {
    title: vscode.l10n.t('Delete Old Versions: {0} to delete ({1})', plan.removeCount, ruleText(rule)),
    placeHolder: vscode.l10n.t('Untick what should stay, then OK.'),
    canPickMany: true,
    matchOnDescription: true,
  });
  return chosen?.flatMap((i) => (i.version ? [i.version] : []));
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
