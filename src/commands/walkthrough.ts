/**
 * The walkthrough's context keys (its steps complete on them: `onContext:` in package.json): set
 * from the state at start and on each change of it, so a step ticks however and whenever its
 * state was reached, even before the walkthrough was first opened.
 */
import * as vscode from 'vscode';
import { WALKTHROUGH_KEYS, walkthroughContext } from '../core/state/walkthrough';
import { type Services } from './services';

/** Sets every walkthrough context key from the state now. */
export async function setWalkthroughContext(s: Pick<Services, 'acted' | 'tracked'>, hasCredentials: boolean): Promise<void> {
  const keys = walkthroughContext({ hasCredentials, trackedCount: s.tracked.view().length, acted: s.acted.acted });
  for (const [key, value] of Object.entries(keys)) {
    await vscode.commands.executeCommand('setContext', key, value);
  }
}

/** A delete, an export or a download was done: remembered, and the walkthrough's last step ticks. */
export async function markActed(s: Pick<Services, 'acted' | 'logger'>): Promise<void> {
  try {
    if (await s.acted.mark()) {
      await vscode.commands.executeCommand('setContext', WALKTHROUGH_KEYS.acted, true);
    }
  } catch (error) {
    s.logger.warn(`Could not remember that a version was acted on: ${String(error)}`);
  }
}
