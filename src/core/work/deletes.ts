/**
 * Deleting versions in bulk without ever saying "not sent" of a delete that was sent: a cancel
 * stops the deletes that have not gone on the wire yet (reported cancelled); a delete sent goes to
 * its end (its retries and its look whether the version is gone), so its outcome is the service's.
 */
import { cancelUntilSent } from '../base/sharedRequest';
import { type DeleteOptions, type DeleteResult } from '../qianfan/qianfanClient';
import { type ItemOutcome, runBatch } from './batch';

export interface DeleteClient {
  deleteModel(modelId: string, opts: DeleteOptions): Promise<DeleteResult>;
}

export interface DeletesOptions<T> {
  readonly concurrency: number;
  /** The user's cancel: stops what was not sent. */
  readonly signal?: AbortSignal;
  /** The version's model, when known (where to look whether it is gone). */
  modelSetIdOf?(target: T): string | undefined;
  readonly onSettled?: (outcome: ItemOutcome<T, DeleteResult>, done: number, total: number) => void;
}

/** DeleteModel for each target, at most `concurrency` at once; an outcome `cancelled` is one that was never sent. */
export function runDeletes<T extends { readonly modelId: string }>(
  targets: readonly T[],
  client: DeleteClient,
  options: DeletesOptions<T>,
): Promise<ItemOutcome<T, DeleteResult>[]> {
  return runBatch(
    targets,
    (t, signal) => cancelUntilSent(signal, (own, sent) => client.deleteModel(t.modelId, { signal: own, onSend: sent, modelSetId: options.modelSetIdOf?.(t) })),
    { concurrency: options.concurrency, signal: options.signal, onSettled: options.onSettled },
  );
}
