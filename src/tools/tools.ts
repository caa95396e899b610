/**
 * The extension's actions as language-model tools (agent mode): each a thin call into what the
 * commands do, acting on the active profile only, answering in short text in the user's language.
 * The keys never reach a result; an error is a result that says what went wrong, never a throw.
 * One file per tool (listTool, describeTool, deploymentsTool, exportTool, downloadTool, deleteTool)
 * beside what they share (common.ts); what a tool deletes or exports is logged "(asked by a chat tool)".
 */
import { type Services } from '../commands/services';
import { type QianfanTool, type ToolOptions, DEFAULT_TOOL_OPTIONS } from './common';
import { deleteTool } from './deleteTool';
import { deploymentsTool } from './deploymentsTool';
import { describeTool } from './describeTool';
import { downloadTool } from './downloadTool';
import { exportTool } from './exportTool';
import { listTool } from './listTool';

export { BY_CHAT_TOOL, DEFAULT_TOOL_OPTIONS, TOOL_NAMES, type QianfanTool, type ToolOptions, failureResult } from './common';

/** The six tools on these services. */
export function createTools(s: Services, options: ToolOptions = DEFAULT_TOOL_OPTIONS): QianfanTool[] {
  return [listTool(s), describeTool(s), deploymentsTool(s), exportTool(s, options), downloadTool(s), deleteTool(s)];
}
