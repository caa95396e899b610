/**
 * Cleaning up old versions: which versions a rule would delete, and why each other one is kept.
 * Pure: the command gathers the facts (each version's status and creation time from DescribeModel,
 * the services that run it, whether an export of it is under way) and shows the plan as a preview.
 *
 * Always kept, whatever the rule: a version a service runs, a version with an export in progress,
 * and a version still Creating; under the date rules also a version whose creation time is not
 * known. These are kept in addition: the rule then decides among the rest only, so "keep the
 * newest N" leaves N versions the rule could have deleted (usable ones), besides those.
 * - keep the newest N per model (newest: the latest creation time; among versions created in the
 *   same second, the highest version name in natural order, V10 after V9; never by ID);
 * - delete those created more than D days ago;
 * - delete only those whose status is Fail (the tree's "Failed").
 */
import { naturalOrder } from '../base/naturalOrder';

export type CleanUpRule =
  { readonly kind: 'keepNewest'; readonly count: number } | { readonly kind: 'olderThan'; readonly days: number } | { readonly kind: 'failed' };

export interface CleanUpCandidate {
  readonly modelId: string;
  readonly modelSetId: string;
  /** "model / V3 (amv-…)" */
  readonly label: string;
  /** The version's name ("V3"; empty when not known): orders versions created in the same second. */
  readonly name: string;
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

/** A version of a model's plan: `reason` says why it is kept; none: it is deleted. */
export interface PlannedVersion {
  readonly version: CleanUpCandidate;
  readonly reason?: KeepReason;
}

export interface ModelPlan {
  readonly modelSetId: string;
  /** Every version of the model, newest first (unknown times last). */
  readonly versions: readonly PlannedVersion[];
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

/** The reason a version is kept whatever the rule (the date rules also keep a version of unknown time), or undefined. */
export function protectedReason(v: CleanUpCandidate): KeepReason | undefined {
  if (v.services.length > 0) {
    return { kind: 'service', services: v.services };
  }
  if (v.exporting) {
    return { kind: 'exporting' };
  }
  return v.status === 'Creating' ? { kind: 'creating' } : undefined;
}

/** Whether a version is kept whatever the rule says (in addition to what the rule keeps). */
export function keptAnyway(reason: KeepReason): boolean {
  return reason.kind === 'service' || reason.kind === 'exporting' || reason.kind === 'creating' || reason.kind === 'unknownDate';
}

/**
 * Newest first: the later creation time, then (created in the same second, as Qianfan's whole
 * seconds often are) the higher version name in natural order (V20 before V10 before V9). Never by
 * ID: an ID says nothing of age. An unknown time last; equal names keep the order they came in.
 */
export function newestFirst(a: CleanUpCandidate, b: CleanUpCandidate): number {
  const ta = a.createdAt ?? -Infinity;
  const tb = b.createdAt ?? -Infinity;
  return ta !== tb ? (tb > ta ? 1 : -1) : naturalOrder({ label: b.name, id: '' }, { label: a.name, id: '' });
}

/** Why the rule keeps a version whatever it says, before ranking: protected, or a date rule without a date. */
function keptBeforeRule(rule: CleanUpRule, v: CleanUpCandidate): KeepReason | undefined {
  return protectedReason(v) ?? (rule.kind !== 'failed' && v.createdAt === undefined ? { kind: 'unknownDate' } : undefined);
}

/**
 * What the rule says of one version that nothing protects: undefined to delete it, else why it is
 * kept. `rank`: its place among the versions the rule may delete, newest first (0 the newest).
 */
function ruleReason(rule: CleanUpRule, v: CleanUpCandidate, rank: number, now: number): KeepReason | undefined {
  switch (rule.kind) {
    case 'keepNewest':
      return rank < rule.count ? { kind: 'newest', count: rule.count } : undefined;
    case 'olderThan':
      return now - (v.createdAt ?? now) > rule.days * DAY_MS ? undefined : { kind: 'recent', days: rule.days };
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
    const planned: PlannedVersion[] = [];
    let rank = 0; // counts only the versions the rule may delete: what is kept anyway is kept in addition
    for (const v of ordered) {
      const reason = keptBeforeRule(rule, v) ?? ruleReason(rule, v, rank++, now);
      if (reason) {
        keep.push({ version: v, reason });
      } else {
        remove.push(v);
      }
      planned.push(reason ? { version: v, reason } : { version: v });
    }
    removeCount += remove.length;
    models.push({ modelSetId, versions: planned, remove, keep });
  }
  return { models, removeCount };
}

/** The models whose every listed version the plan would delete (ask again, naming them). */
export function emptiedModels(plan: CleanUpPlan): string[] {
  return plan.models.filter((m) => m.keep.length === 0).map((m) => m.modelSetId); // a model of the plan has a version at least
}

/**
 * Counts the versions of a clean-up as their reads land (answered, failed or found gone), not as
 * they are asked for: asking marks them loading, which is no read.
 */
export class ReadCount {
  private readonly left: Set<string>;
  readonly total: number;
  private done_ = 0;

  constructor(modelIds: readonly string[]) {
    this.left = new Set(modelIds);
    this.total = this.left.size;
  }

  get done(): number {
    return this.done_;
  }

  /** `changed`: versions whose state changed; `read(id)`: whether it has an answer now (and is not loading). Returns how many landed now. */
  landed(changed: readonly string[], read: (modelId: string) => boolean): number {
    let n = 0;
    for (const id of changed) {
      if (this.left.has(id) && read(id)) {
        this.left.delete(id);
        n++;
      }
    }
    this.done_ += n;
    return n;
  }
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
