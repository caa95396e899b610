/**
 * What this window knows of each version's export (running, done with its file, failed), in one
 * store with a change event: the export watcher writes it, the tree and the commands read it.
 */
import { Emitter } from '../base/events';
import { type ExportFailure } from './exportTasks';
import { type ExportTask } from '../qianfan/model';

export type ExportState =
  { readonly status: 'Doing' } | { readonly status: 'Done'; readonly task: ExportTask } | { readonly status: 'Fail'; readonly failure: ExportFailure };

export class ExportStateStore {
  private readonly states = new Map<string, ExportState>();
  private readonly emitter = new Emitter<readonly string[]>();
  /** The versions whose export state changed. */
  readonly onDidChange = this.emitter.event;

  get(modelId: string): ExportState | undefined {
    return this.states.get(modelId);
  }

  /** The finished export's task, when there is one. */
  done(modelId: string): ExportTask | undefined {
    const state = this.states.get(modelId);
    return state?.status === 'Done' ? state.task : undefined;
  }

  set(modelId: string, state: ExportState): void {
    this.states.set(modelId, state);
    this.emitter.fire([modelId]);
  }

  delete(modelIds: readonly string[]): void {
    const gone = modelIds.filter((id) => this.states.delete(id));
    if (gone.length > 0) {
      this.emitter.fire(gone);
    }
  }

  clear(): void {
    this.delete([...this.states.keys()]);
  }

  dispose(): void {
    this.emitter.dispose();
  }
}

/**
 * A version's export: the one this window saw finish, else what Qianfan says now (after a reload,
 * or an export started elsewhere). Undefined when neither knows; `onError` hears why Qianfan did not answer.
 */
export async function exportOf(
  states: ExportStateStore,
  modelId: string,
  ask: (modelId: string) => Promise<ExportTask>,
  onError: (error: unknown) => void = () => undefined,
): Promise<ExportTask | undefined> {
  const done = states.done(modelId);
  if (done) {
    return done;
  }
  try {
    return await ask(modelId);
  } catch (error) {
    onError(error);
    return undefined;
  }
}
