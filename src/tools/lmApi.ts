/**
 * The few parts of VS Code's Language Model Tool API the tools use, declared here: @types/vscode
 * is 1.93, which lacks them. The API is looked for at run time (lmToolsApi): on 1.93 `vscode.lm`
 * has a `registerTool` behind a proposal that throws, so it is tried, never assumed.
 */
import * as vscode from 'vscode';

export interface ToolConfirmationMessages {
  readonly title: string;
  readonly message: string | vscode.MarkdownString;
}

/** What prepareInvocation returns: a progress message, and a confirmation the user must accept. */
export interface PreparedToolInvocation {
  readonly invocationMessage?: string | vscode.MarkdownString;
  readonly confirmationMessages?: ToolConfirmationMessages;
}

export interface ToolPrepareOptions<T> {
  readonly input: T;
}

export interface ToolInvocationOptions<T> {
  readonly input: T;
  readonly toolInvocationToken?: unknown;
}

export interface ToolTextPart {
  readonly value: string;
}

export interface ToolResult {
  readonly content: readonly unknown[];
}

/** A tool as vscode.lm.registerTool takes it. */
export interface LanguageModelTool<T> {
  invoke(options: ToolInvocationOptions<T>, token: vscode.CancellationToken): Promise<ToolResult>;
  prepareInvocation?(options: ToolPrepareOptions<T>, token: vscode.CancellationToken): Promise<PreparedToolInvocation | undefined>;
}

/** What the running VS Code offers for tools, when it does. */
export interface LmToolsApi {
  readonly registerTool: <T>(name: string, tool: LanguageModelTool<T>) => vscode.Disposable;
  /** A result made of one text part (VS Code accepts only its own part classes). */
  readonly textResult: (text: string) => ToolResult;
}

interface LmRuntime {
  readonly lm?: { readonly registerTool?: unknown };
  readonly LanguageModelToolResult?: unknown;
  readonly LanguageModelTextPart?: unknown;
}

type ResultClass = new (content: ToolTextPart[]) => ToolResult;
type TextPartClass = new (value: string) => ToolTextPart;
type RegisterTool = (name: string, tool: LanguageModelTool<never>) => vscode.Disposable;

/** The tool API of the running VS Code, or undefined where it has none (it may still refuse a registration). */
export function lmToolsApi(runtime: LmRuntime = vscode as unknown as LmRuntime): LmToolsApi | undefined {
  const lm = runtime.lm;
  const register = lm?.registerTool;
  const Result = runtime.LanguageModelToolResult;
  const TextPart = runtime.LanguageModelTextPart;
  if (typeof register !== 'function' || typeof Result !== 'function' || typeof TextPart !== 'function') {
    return undefined;
  }
  return {
    registerTool: <T>(name: string, tool: LanguageModelTool<T>) => (register as RegisterTool).call(lm, name, tool),
    textResult: (text) => new (Result as ResultClass)([new (TextPart as TextPartClass)(text)]),
  };
}

/** The text of a tool result (its text parts, joined). */
export function resultText(result: ToolResult): string {
  return result.content
    .map((part) => (typeof part === 'object' && part !== null && typeof (part as Partial<ToolTextPart>).value === 'string' ? (part as ToolTextPart).value : ''))
    .join('');
}
