/**
 * The view's filter: words matched (all of them, case ignored) against a version's model name,
 * version name, ID, model ID and base model, and `status:Ready`-style terms (any of them). One
 * store with a change event; the tree draws only what matches.
 */
import { Emitter } from './events';

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

/** Parses "news status:Ready status:fail"; undefined for nothing to filter by. */
export function parseFilter(text: string): ViewFilter | undefined {
  const words: string[] = [];
  const statuses: string[] = [];
  for (const term of text.trim().toLowerCase().split(/\s+/)) {
    const status = /^status:(.+)$/.exec(term);
    if (status) {
      statuses.push(status[1]);
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
