/**
 * The getting-started walkthrough's steps complete by state (`onContext:` completion events), not
 * by a command run: VS Code counts `onCommand:` only once its walkthrough service has started, so
 * keys set or a version tracked before the walkthrough was first opened would never tick a step.
 * Here: the context keys each step waits for, what they are for a given state, and the one flag
 * that is remembered (a delete, export or download was done once), which no store holds otherwise.
 */
import { type KeyValueStore } from './keyValueStore';

/** The context keys the walkthrough's steps complete on (package.json's `onContext:` events name them). */
export const WALKTHROUGH_KEYS = {
  /** Keys are set for the active profile. */
  keys: 'qianfan.hasCredentials',
  /** At least one version is tracked. */
  tracked: 'qianfan.hasTracked',
  /** A delete, an export or a download was done once (remembered). */
  acted: 'qianfan.hasActedOnVersion',
} as const;

/** Where the "acted on a version" flag is remembered (globalState: a small flag, for every profile). */
export const ACTED_KEY = 'qianfan.walkthrough.actedOnVersion';

export interface WalkthroughState {
  readonly hasCredentials: boolean;
  readonly trackedCount: number;
  readonly acted: boolean;
}

/** The value of each walkthrough context key in this state. */
export function walkthroughContext(state: WalkthroughState): Record<string, boolean> {
  return {
    [WALKTHROUGH_KEYS.keys]: state.hasCredentials,
    [WALKTHROUGH_KEYS.tracked]: state.trackedCount > 0,
    [WALKTHROUGH_KEYS.acted]: state.acted,
  };
}

/** The remembered flag: set once a delete, an export or a download was done. */
export class ActedFlag {
  constructor(private readonly store: KeyValueStore) {}

  get acted(): boolean {
    return this.store.get<boolean>(ACTED_KEY) === true;
  }

  /** Remembers it; true when this was the first time (the context key is to be set). */
  async mark(): Promise<boolean> {
    if (this.acted) {
      return false;
    }
    await this.store.update(ACTED_KEY, true);
    return true;
  }
}
