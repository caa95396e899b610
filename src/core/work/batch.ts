/** Runs one task per item, at most `concurrency` at once, and reports every item's outcome. */
import { CancelledError, isCancelled } from '../qianfan/errors';

export type ItemOutcome<T, R> =
  { readonly item: T; readonly ok: true; readonly value: R } | { readonly item: T; readonly ok: false; readonly error: unknown; readonly cancelled: boolean };

export interface BatchOptions<T, R> {
  readonly concurrency: number;
  readonly signal?: AbortSignal;
  readonly onSettled?: (outcome: ItemOutcome<T, R>, done: number, total: number) => void;
}

/**
 * Results come back in the items' order. Items not started before a cancel are reported as cancelled.
 * Each item is settled (and reported to onSettled) exactly once; a throwing onSettled is ignored.
 */
export async function runBatch<T, R>(
  items: readonly T[],
  task: (item: T, signal?: AbortSignal) => Promise<R>,
  options: BatchOptions<T, R>,
): Promise<ItemOutcome<T, R>[]> {
  const outcomes = new Array<ItemOutcome<T, R>>(items.length);
  const limit = Math.max(1, Math.floor(options.concurrency));
  let next = 0;
  let done = 0;
  const settle = (index: number, outcome: ItemOutcome<T, R>) => {
    outcomes[index] = outcome;
    done++;
    try {
      options.onSettled?.(outcome, done, items.length);
    } catch {
      // a listener that throws (a progress already closed, say) changes no outcome and stops no item
    }
  };
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      const item = items[index];
      if (options.signal?.aborted) {
        settle(index, { item, ok: false, error: new CancelledError(), cancelled: true });
        continue;
      }
      let outcome: ItemOutcome<T, R>;
      try {
        outcome = { item, ok: true, value: await task(item, options.signal) };
      } catch (error) {
        outcome = { item, ok: false, error, cancelled: isCancelled(error) };
      }
      settle(index, outcome); // once, outside the task's try: what a listener does is not the task's outcome
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return outcomes;
}
