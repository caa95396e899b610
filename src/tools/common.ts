/**
 * What the chat tools share: their names, their shape, reading their input, the keys check, the
 * versions a reference names, and a failure as a result. Each tool is in its own file beside this one.
 */
import * as vscode from 'vscode';
import { boundText, dataText } from '../core/base/chatText';
import { type DeploymentCheck } from '../core/qianfan/deployments';
import { isCancelled } from '../core/qianfan/errors';
import { type Target } from '../commands/selection';
import { type Services } from '../commands/services';
import { needsKeys, userMessage } from '../platform/errorMessages';
import { type PreparedToolInvocation } from './lmApi';
import { resolveAll, resolveVersion } from './resolve';
import { TOOL_NAMES } from '../core/work/toolNames';

/** Said in the log after what a chat tool asked for. */
export const BY_CHAT_TOOL = ' (asked by a chat tool)';

export { TOOL_NAMES };

/** One tool: what it does with its input (text for the model), and what it asks before it runs. */
export interface QianfanTool {
  readonly name: string;
  run(input: unknown, signal: AbortSignal): Promise<string>;
  prepare?(input: unknown, signal: AbortSignal): Promise<PreparedToolInvocation | undefined>;
}

export interface ToolOptions {
  /** How long the export tool waits for an export to finish before it answers that it is under way (read at each call). */
  exportWaitMs: number;
}

export const DEFAULT_TOOL_OPTIONS: ToolOptions = { exportWaitMs: 30_000 };

export function field(input: unknown, key: string): unknown {
  return typeof input === 'object' && input !== null ? (input as Record<string, unknown>)[key] : undefined;
}

export function textField(input: unknown, key: string): string | undefined {
  const v = field(input, key);
  return typeof v === 'string' ? v : undefined;
}

export function listField(input: unknown, key: string): string[] {
  const v = field(input, key);
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x.trim() !== '') : typeof v === 'string' && v.trim() ? [v] : [];
}

export function profileName(s: Services): string {
  return s.profiles.active.name;
}

export function keysHint(): string {
  return vscode.l10n.t('Run “Qianfan: Set Access Key…” to set them (the keys are never shown to chat).');
}

/** Why a tool that calls Qianfan cannot: no keys for the active profile. */
export async function missingKeys(s: Services): Promise<string | undefined> {
  if (await s.credentials.get()) {
    return undefined;
  }
  return vscode.l10n.t('No Qianfan access key is set for the profile “{0}”.', profileName(s)) + ' ' + keysHint();
}

/** The one version a tool acts on, named in its `version` input; or, as text for the chat, why there is none (no keys, no such version). */
export async function keyedVersion(s: Services, input: unknown): Promise<{ ok: true; target: Target } | { ok: false; text: string }> {
  const keys = await missingKeys(s);
  if (keys) {
    return { ok: false, text: keys };
  }
  const r = await resolveVersion(s, textField(input, 'version') ?? '');
  return r.ok ? { ok: true, target: r.target } : { ok: false, text: r.problem };
}

/** What went wrong, as a result: the user's message for it (never a stack, never a key). */
export function failureResult(s: Services, tool: string, error: unknown): string {
  if (isCancelled(error)) {
    return vscode.l10n.t('Stopped: it was cancelled.');
  }
  s.logger.error(`Chat tool ${tool} failed`, error);
  return vscode.l10n.t('{0} could not finish: {1}', tool, chatError(error)) + (needsKeys(error) ? ' ' + keysHint() : '');
}

/** The versions named, or why none can be acted on. */
export async function targetsOf(
  s: Services,
  references: readonly string[],
  signal?: AbortSignal,
  lookUp = false,
): Promise<{ targets: Target[]; problems: string[] }> {
  if (references.length === 0) {
    return { targets: [], problems: [vscode.l10n.t('No version was given.')] };
  }
  return resolveAll(s, references, lookUp, signal);
}

/** A version's "model / V3 (amv-…)" for an answer: its names from Qianfan as data (one line, Markdown escaped). */
export function chatLabel(t: Target): string {
  return dataText(t.label);
}

/** The versions with their labels as data, for text that goes to the chat (never to a command: that keeps the names as they are). */
export function chatTargets(targets: readonly Target[]): Target[] {
  return targets.map((t) => ({ ...t, label: chatLabel(t) }));
}

/** What the services check found, with the services' names and states as data. */
export function chatCheck(check: DeploymentCheck): DeploymentCheck {
  if (check.kind !== 'checked') {
    return check;
  }
  const running = new Map(
    [...check.running].map(([id, refs]) => [
      id,
      refs.map((r) => ({
        ...r,
        name: dataText(r.name),
        serviceId: dataText(r.serviceId),
        runStatus: r.runStatus === undefined ? undefined : dataText(r.runStatus),
      })),
    ]),
  );
  return { ...check, running };
}

/** An error's message for the user, as one line of data (a server's message may say anything). */
export function chatError(error: unknown): string {
  return dataText(userMessage(error));
}

/** The answer as the chat gets it: at most MAX_ANSWER_CHARS, cut at a line, saying how much was left off. */
export function boundedAnswer(text: string): string {
  const cut = boundText(text);
  return cut.linesLeftOff === 0 ? text : cut.text + '\n' + vscode.l10n.t('…and {0} more lines, left off: ask for less at a time.', cut.linesLeftOff);
}
