/**
 * The view's filter: words matched (all of them, case ignored) against a version's model name,
 * version name, ID, model ID and base model, and `status:Ready`-style terms (any of them). One
 * store with a change event; the tree draws only what matches.
 */
import { type Disposable, Emitter } from '../base/events';
import { type TrackedVersion } from './trackedVersions';
import { type LiveState, type VersionDetailsStore } from './versionDetails';

export interface ViewFilter {
  /** Lower-case words that must all appear. */
  readonly words: readonly string[];
  /** Lower-case statuses, any of which will do (empty: any status). */
  readonly statuses: readonly string[];
  /** What the user typed, for the view's description and the next edit. */
  readonly text: string;
}

/** What a version offers to be matched. */
export interface Matchable {
  readonly modelId: string;
  readonly modelSetId?: string;
  readonly modelSetName?: string;
  readonly name?: string;
  readonly baseModel?: string;
  readonly status?: string;
}

/**
 * The words a status may be typed in: Qianfan's own (`Fail`), and the ones the view shows
 * (Failed; 就绪, 创建中, 创建失败), so that a status is found by the word the user reads.
 */
const STATUS_WORDS: Record<string, string> = {
  failed: 'fail',
  failure: 'fail',
  就绪: 'ready',
  创建中: 'creating',
  创建失败: 'fail',
  失败: 'fail',
};

/** Parses "news status:Ready status:failed"; undefined for nothing to filter by. */
export function parseFilter(text: string): ViewFilter | undefined {
  const words: string[] = [];
  const statuses: string[] = [];
  for (const term of text.trim().toLowerCase().split(/\s+/)) {
    const status = /^status:(.+)$/.exec(term);
    if (status) {
      statuses.push(STATUS_WORDS[status[1]] ?? status[1]);
    } else if (term) {
      words.push(term);
    }
  }
  return words.length + statuses.length === 0 ? undefined : { words, statuses, text: text.trim().replace(/\s+/g, ' ') };
}

export function matches(filter: ViewFilter | undefined, v: Matchable): boolean {
  if (!filter) {
    return true;
  }
  if (filter.statuses.length > 0 && !filter.statuses.includes((v.status ?? 'unknown').toLowerCase())) {
    return false;
  }
  const haystack = [v.modelId, v.modelSetId, v.modelSetName, v.name, v.baseModel].filter(Boolean).join('\n').toLowerCase();
  return filter.words.every((w) => haystack.includes(w));
}

/** What a tracked version offers the filter: what Qianfan said of it in this session, else what was stored. */
export function matchable(t: TrackedVersion, live: LiveState | undefined): Matchable {
  const detail = live?.kind === 'loaded' ? live.detail : undefined;
  return { ...t, name: detail?.modelName || t.name, baseModel: detail?.model, status: detail?.status ?? t.status };
}

export interface FilteredViewDeps {
  readonly filter: { readonly filter: ViewFilter | undefined };
  readonly details: Pick<VersionDetailsStore, 'get' | 'onDidChange'>;
  readonly tracked: { get(modelId: string): TrackedVersion | undefined };
  /** Whether the view shows this version now. */
  shown(modelId: string): boolean;
}

/**
 * Tells (`outdated`) when what was learnt of versions changes what a filtered view shows: a
 * version shown that no longer matches (it became Ready under `status:creating`), or one left out
 * that now matches (under `status:ready`). Nothing is told while no filter is set.
 */
export function watchFilteredView(deps: FilteredViewDeps, outdated: () => void): Disposable {
  return deps.details.onDidChange((modelIds) => {
    const filter = deps.filter.filter;
    if (!filter) {
      return;
    }
    const changed = modelIds.some((id) => {
      const t = deps.tracked.get(id);
      return t !== undefined && matches(filter, matchable(t, deps.details.get(id))) !== deps.shown(id);
    });
    if (changed) {
      outdated();
    }
  });
}

export class ViewFilterStore {
  private current?: ViewFilter;
  private readonly emitter = new Emitter<ViewFilter | undefined>();
  readonly onDidChange = this.emitter.event;

  get filter(): ViewFilter | undefined {
    return this.current;
  }

  /** Sets the filter from what was typed ('' clears it). */
  set(text: string): void {
    const next = parseFilter(text);
    if (next?.text === this.current?.text) {
      return;
    }
    this.current = next;
    this.emitter.fire(next);
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
