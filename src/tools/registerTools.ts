/**
 * Registers the chat tools where the running VS Code has the Language Model Tool API; elsewhere
 * (1.93) the extension works as before, and the log says why there are no tools.
 */
import * as vscode from 'vscode';
import { type Services } from '../commands/services';
import { describeError } from '../platform/logger';
import { type LanguageModelTool, type LmToolsApi, lmToolsApi } from './lmApi';
import { boundedAnswer } from './common';
import { type QianfanTool, type ToolOptions, DEFAULT_TOOL_OPTIONS, createTools, failureResult } from './tools';

export interface RegisteredTools {
  /** The tools as VS Code was given them, by name (empty where VS Code has no tools). */
  readonly tools: ReadonlyMap<string, LanguageModelTool<unknown>>;
  /** What the export tool waits for (read at each call); tests shorten it. */
  readonly options: ToolOptions;
}

/** An AbortSignal that fires with the token, and the listener's disposal. */
function signalOf(token: vscode.CancellationToken): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  if (token.isCancellationRequested) {
    controller.abort();
  }
  const listener = token.onCancellationRequested(() => controller.abort());
  return {
    signal: controller.signal,
    dispose: () => {
      listener.dispose();
    },
  };
}

/** The tool as VS Code calls it: text results, errors as results, the token as a signal. */
function asLanguageModelTool(s: Services, api: LmToolsApi, tool: QianfanTool): LanguageModelTool<unknown> {
  const prepare = tool.prepare?.bind(tool);
  return {
    async invoke(options, token) {
      const { signal, dispose } = signalOf(token);
      try {
        return api.textResult(boundedAnswer(await tool.run(options.input, signal)));
      } catch (error) {
        return api.textResult(failureResult(s, tool.name, error));
      } finally {
        dispose();
      }
    },
    ...(prepare && {
      async prepareInvocation(options, token) {
        const { signal, dispose } = signalOf(token);
        try {
          return await prepare(options.input, signal);
        } finally {
          dispose();
        }
      },
    }),
  };
}

export function registerTools(context: vscode.ExtensionContext, s: Services): RegisteredTools {
  const tools = new Map<string, LanguageModelTool<unknown>>();
  const registered: RegisteredTools = { tools, options: { ...DEFAULT_TOOL_OPTIONS } };
  const api = lmToolsApi();
  if (!api) {
    s.logger.info(`Chat tools: not offered (VS Code ${vscode.version} has no language model tool API)`);
    return registered;
  }
  const disposables: vscode.Disposable[] = [];
  try {
    for (const tool of createTools(s, registered.options)) {
      const lmTool = asLanguageModelTool(s, api, tool);
      disposables.push(api.registerTool(tool.name, lmTool));
      tools.set(tool.name, lmTool);
    }
  } catch (error) {
    // 1.93 has vscode.lm.registerTool behind a proposal: it throws
    for (const d of disposables) {
      d.dispose();
    }
    tools.clear();
    s.logger.info(`Chat tools: not offered (VS Code ${vscode.version} refused them: ${describeError(error)})`);
    return registered;
  }
  context.subscriptions.push(...disposables);
  s.logger.info(`Chat tools: ${[...tools.keys()].join(', ')}`);
  return registered;
}
