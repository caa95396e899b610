/**
 * Cleaning up old versions: which versions a rule would delete, and why each other one is kept.
 * Pure: the command gathers the facts (each version's status and creation time from DescribeModel,
 * the services that run it, whether an export of it is under way) and shows the plan as a preview.
 *
 * Always kept, whatever the rule: a version a service runs, a version with an export in progress,
 * and a version still Creating. The rule then decides among the rest:
 * - keep the newest N per model (by creation time; a version whose time is unknown is kept);
 * - delete those created more than D days ago (unknown time: kept);
 * - delete only those whose status is Fail.
 */

export type CleanUpRule =
  { readonly kind: 'keepNewest'; readonly count: number } | { readonly kind: 'olderThan'; readonly days: number } | { readonly kind: 'failed' };

export interface CleanUpCandidate {
  readonly modelId: string;
  readonly modelSetId: string;
  /** "model / V3 (amv-…)" */
  readonly label: string;
  readonly status?: string;
  /** Creation time in ms since the epoch, when DescribeModel gave a readable one. */
  readonly createdAt?: number;
  /** The names of the services that run it. */
  readonly services: readonly string[];
  /** An export of it is under way. */
  readonly exporting: boolean;
}

export type KeepReason =
  | { readonly kind: 'service'; readonly services: readonly string[] }
  | { readonly kind: 'exporting' }
  | { readonly kind: 'creating' }
  | { readonly kind: 'newest'; readonly count: number }
  | { readonly kind: 'recent'; readonly days: number }
  | { readonly kind: 'notFailed' }
  | { readonly kind: 'unknownDate' };

export interface ModelPlan {
  readonly modelSetId: string;
  readonly remove: readonly CleanUpCandidate[];
  readonly keep: readonly { readonly version: CleanUpCandidate; readonly reason: KeepReason }[];
}

export interface CleanUpPlan {
  readonly models: readonly ModelPlan[];
  readonly removeCount: number;
}

const DAY_MS = 24 * 3600 * 1000;

/** A creation time as DescribeModel gives it (ISO 8601 text), in ms; undefined when unreadable. */
export function parseCreateTime(text: string | undefined): number | undefined {
  const ms = Date.parse(text ?? ''); // NaN for nothing, blanks or words
  return Number.isFinite(ms) ? ms : undefined;
}

/** The reason a version is kept whatever the rule, or undefined. */
export function protectedReason(v: CleanUpCandidate): KeepReason | undefined {
  if (v.services.length > 0) {
    return { kind: 'service', services: v.services };
  }
  if (v.exporting) {
    return { kind: 'exporting' };
  }
  return v.status === 'Creating' ? { kind: 'creating' } : undefined;
}

/** Newest first; an unknown time last; ties by ID so the order is stable. */
function newestFirst(a: CleanUpCandidate, b: CleanUpCandidate): number {
  const ta = a.createdAt ?? -Infinity;
  const tb = b.createdAt ?? -Infinity;
  return ta !== tb ? (tb > ta ? 1 : -1) : a.modelId < b.modelId ? -1 : a.modelId > b.modelId ? 1 : 0;
}

/** What the rule says of one version that nothing protects: undefined to delete it, else why it is kept. */
function ruleReason(rule: CleanUpRule, v: CleanUpCandidate, rank: number, now: number): KeepReason | undefined {
  switch (rule.kind) {
    case 'keepNewest':
      if (v.createdAt === undefined) {
        return { kind: 'unknownDate' };
      }
      return rank < rule.count ? { kind: 'newest', count: rule.count } : undefined;
    case 'olderThan':
      if (v.createdAt === undefined) {
        return { kind: 'unknownDate' };
      }
      return now - v.createdAt > rule.days * DAY_MS ? undefined : { kind: 'recent', days: rule.days };
    case 'failed':
      return v.status === 'Fail' ? undefined : { kind: 'notFailed' };
  }
}

/** The plan of a rule over these versions, per model (in the order models first appear). */
export function planCleanUp(versions: readonly CleanUpCandidate[], rule: CleanUpRule, now: number): CleanUpPlan {
  const byModel = new Map<string, CleanUpCandidate[]>();
  for (const v of versions) {
    const list = byModel.get(v.modelSetId);
    if (list) {
      list.push(v);
    } else {
      byModel.set(v.modelSetId, [v]);
    }
  }
  const models: ModelPlan[] = [];
  let removeCount = 0;
  for (const [modelSetId, list] of byModel) {
    const ordered = [...list].sort(newestFirst);
    const remove: CleanUpCandidate[] = [];
    const keep: { version: CleanUpCandidate; reason: KeepReason }[] = [];
    ordered.forEach((v, rank) => {
      const reason = protectedReason(v) ?? ruleReason(rule, v, rank, now);
      if (reason) {
        keep.push({ version: v, reason });
      } else {
        remove.push(v);
      }
    });
    removeCount += remove.length;
    models.push({ modelSetId, remove, keep });
  }
  return { models, removeCount };
}

/** The models whose every listed version the plan would delete (ask again, naming them). */
export function emptiedModels(plan: CleanUpPlan): string[] {
  return plan.models.filter((m) => m.keep.length === 0).map((m) => m.modelSetId); // a model of the plan has a version at least
}

/** A rule as typed: a whole number of at least 1 (N newest, D days); undefined when it is not one. */
export function ruleNumber(text: string): number | undefined {
  const t = text.trim();
  if (!/^\d{1,6}$/.test(t)) {
    return undefined;
  }
  const n = Number(t);
  return n >= 1 ? n : undefined;
}
