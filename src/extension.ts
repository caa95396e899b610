/** Wiring only: build the services, show the view, register the commands, run the start-up steps. */
import * as vscode from 'vscode';
import { type PollTiming } from './commands/exportWatcher';
import { registerCommands } from './commands/registerCommands';
import { registerFollowBeforeSwitch } from './commands/follow';
import { type Services, createServices, rememberedState } from './commands/services';
import { offerEnvironmentKeys, registerProfiles, reloadState } from './commands/profiles';
import { startUp } from './commands/startup';
import { registerView } from './commands/view';
import { type Prompts } from './platform/prompts';
import { type RegisteredTools, registerTools } from './tools/registerTools';

/** Returned from activate() only in extension test mode: nothing else can reach the services. */
export interface QianfanTestApi {
  readonly services: Services;
  readonly treeView: vscode.TreeView<unknown>;
  readonly realPrompts: Prompts;
  readonly logDirectory: string;
  /** The raw SecretStorage, to play "another window" in tests. */
  readonly secrets: vscode.SecretStorage;
  setPrompts(prompts: Prompts): void;
  /** What is remembered: globalState, and the lists in their files (by key). */
  globalStateDump(): Record<string, unknown>;
  /** The status bar item of the active profile. */
  readonly profileItem: vscode.StatusBarItem;
  /** The offer of QIANFAN_ACCESS_KEY / QIANFAN_SECRET_KEY, as activation makes it. */
  offerEnvironmentKeys(): Promise<void>;
  /** Forgets what this window learnt and runs the start-up steps, as a reload of the window would. */
  simulateReload(timing?: PollTiming): Promise<void>;
  /** The chat tools as registered (none where VS Code has no tool API). */
  readonly tools: RegisteredTools;
}

export function activate(context: vscode.ExtensionContext): QianfanTestApi | undefined {
  const started = performance.now();
  const services = createServices(context, started);
  const treeView = registerView(context, services);
  registerCommands(context, services);
  const profileItem = registerProfiles(context, services);
  registerFollowBeforeSwitch(context, services); // after registerProfiles: the last step before a switch
  const tools = registerTools(context, services);
  void startUp(services).then(() => offerEnvironmentKeys(services));
  const version = String((context.extension.packageJSON as { version?: unknown }).version);
  services.logger.info(`Qianfan Models ${version} activated in ${(performance.now() - started).toFixed(1)} ms (endpoint ${services.settings().endpoint})`);
  if (context.extensionMode !== vscode.ExtensionMode.Test) {
    return undefined;
  }
  const realPrompts = services.prompts;
  return {
    services,
    treeView,
    realPrompts,
    logDirectory: context.logUri.fsPath,
    secrets: context.secrets,
    setPrompts: (p) => (services.prompts = p),
    globalStateDump: () => rememberedState(context, services),
    simulateReload: (timing) => reloadState(services, timing),
    get profileItem() {
      return profileItem();
    },
    offerEnvironmentKeys: () => offerEnvironmentKeys(services),
    tools,
  };
}

export function deactivate(): void {}
