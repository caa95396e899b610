/**
 * What this window has learnt of each tracked version since it started (its details, that the
 * service no longer knows it, or why it could not be loaded), which versions are being loaded,
 * and a problem that stops all loading (keys missing or refused). One store with change events:
 * the loader writes it; the tree, the poller and the commands read it.
 * What was known before this window started is in the tracked list (last status and its time).
 */
import { Emitter } from '../base/events';
import { type ModelVersionDetail } from '../qianfan/model';

export type LiveState =
  | { readonly kind: 'loaded'; readonly detail: ModelVersionDetail; readonly at: number }
  | { readonly kind: 'missing'; readonly at: number }
  | { readonly kind: 'error'; readonly error: unknown; readonly at: number };

export class VersionDetailsStore {
  private readonly states = new Map<string, LiveState>();
  private readonly loading = new Set<string>();
  private problem_: unknown;
  private readonly emitter = new Emitter<readonly string[]>();
  private readonly problemEmitter = new Emitter<void>();
  /** The versions whose state or loading changed. */
  readonly onDidChange = this.emitter.event;
  /** The problem that stops loading appeared or went away. */
  readonly onDidChangeProblem = this.problemEmitter.event;

  get(modelId: string): LiveState | undefined {
    return this.states.get(modelId);
  }

  /** The status Qianfan gave in this session, when it did. */
  liveStatus(modelId: string): string | undefined {
    const state = this.states.get(modelId);
    return state?.kind === 'loaded' ? state.detail.status : undefined;
  }

  isLoading(modelId: string): boolean {
    return this.loading.has(modelId);
  }

  set(modelId: string, state: LiveState): void {
    this.states.set(modelId, state);
    this.loading.delete(modelId);
    this.emitter.fire([modelId]);
  }

  setLoading(modelIds: readonly string[], loading: boolean): void {
    const changed = modelIds.filter((id) => (loading ? !this.loading.has(id) && !!this.loading.add(id) : this.loading.delete(id)));
    if (changed.length > 0) {
      this.emitter.fire(changed);
    }
  }

  /** Forgets what was learnt of these versions (untracked, deleted, or to be loaded anew). */
  forget(modelIds: readonly string[]): void {
    const changed = modelIds.filter((id) => this.states.delete(id));
    if (changed.length > 0) {
      this.emitter.fire(changed);
    }
  }

  /** Forgets everything, the stop included (another profile: nothing learnt holds for it). */
  clear(): void {
    this.forget([...this.states.keys()]);
    this.setProblem(undefined);
  }

  get problem(): unknown {
    return this.problem_;
  }

  setProblem(problem: unknown): void {
    if (problem === this.problem_) {
      return;
    }
    this.problem_ = problem;
    this.problemEmitter.fire();
  }

  dispose(): void {
    this.emitter.dispose();
    this.problemEmitter.dispose();
  }
}
