/** The one error boundary: every command runs through it. */
import * as vscode from 'vscode';
import { reportError } from './notify';
import { type Services } from './services';

export function registerCommand(context: vscode.ExtensionContext, services: Services, id: string, handler: (...args: unknown[]) => unknown): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await handler(...args);
      } catch (error) {
        reportError(services, id, error);
        return undefined;
      }
    }),
  );
}
