/**
 * `qianfan-models mcp`: the six tools over MCP (stdio), with their input schemas and
 * readOnlyHint / destructiveHint annotations. Keys and endpoint from the environment, as the
 * command line takes them; the state (pending exports, partial downloads) in the same file.
 * Every answer is text; a failure is an answer with isError, never a key nor a signed URL.
 */
import { setMaxListeners } from 'events';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';
import { boundText } from '../core/base/chatText';
import { Redactor } from '../core/base/redact';
import { clientFor, endpointFrom, keysFrom } from '../node/environment';
import { JsonStateFile, stateFileFor, stateFolder } from '../node/jsonStateFile';
import { failureText } from './text';
import { TOOL_NAMES, type ToolAnswer, type ToolDeps, deleteTool, deploymentsTool, describeTool, downloadTool, exportTool, listTool } from './tools';

const VERSION_TEXT = 'A version: its ID (amv-…), or "model / version" (e.g. "customer-support-zh / V2") as qianfan_listModelVersions lists it.';

type Answer = { content: { type: 'text'; text: string }[]; isError?: boolean };

/** The answer cut at a line within its bound, saying how much it left off. */
function bounds(text: string): string {
  const b = boundText(text);
  return b.linesLeftOff > 0 ? `${b.text}\n…and ${b.linesLeftOff} more lines left off.` : b.text;
}

/**
 * A call's answer: `run` gets the call's signal, which every request of a batch listens to (so
 * Node's listener warning, at 10, would print on stderr for nothing).
 */
function answer(d: ToolDeps, signal: AbortSignal, run: (signal: AbortSignal) => Promise<ToolAnswer>): Promise<Answer> {
  setMaxListeners(0, signal);
  return run(signal).then(
    (a) => ({ content: [{ type: 'text' as const, text: d.redactor.redactString(bounds(a.text)) }], ...(a.isError ? { isError: true } : {}) }),
    (error: unknown) => ({ content: [{ type: 'text' as const, text: `It could not finish: ${failureText(error, d.redactor)}` }], isError: true }),
  );
}

export function createServer(d: ToolDeps, version: string): McpServer {
  const server = new McpServer({ name: 'qianfan-models', version });
  const hints = (readOnly: boolean, destructive: boolean) => ({ readOnlyHint: readOnly, destructiveHint: destructive, openWorldHint: true });
  server.registerTool(
    TOOL_NAMES.list,
    {
      title: 'List Qianfan model versions',
      description: `Lists the model versions of the Baidu Qianfan account (every model, read from Qianfan): model, version name, ID (amv-…) and model ID (am-…); with status:… terms also each version's status. At most 200 versions per answer, with the count of the rest. The optional filter uses the extension view's syntax: words that must all appear in the model, version or IDs, and status:Ready / status:Creating / status:Failed terms.`,
      inputSchema: {
        filter: z
          .string()
          .max(500)
          .optional()
          .describe('Optional. Words to match (all of them, case ignored) and status:<Ready|Creating|Fail> terms (any of them), e.g. "news status:Ready".'),
      },
      annotations: hints(true, false),
    },
    (input, extra) => answer(d, extra.signal, (signal) => listTool(d, input, signal)),
  );
  server.registerTool(
    TOOL_NAMES.describe,
    {
      title: 'Describe a Qianfan model version',
      description:
        'Shows what Qianfan returns for one model version (status, version, model, base model, source, I/O mode, created and modified times, description, and its export: file, size, md5). Also accepts a model ID (am-…) for the model and its versions.',
      inputSchema: { version: z.string().min(1).max(300).describe(`${VERSION_TEXT} A model ID (am-…) describes the model.`) },
      annotations: hints(true, false),
    },
    (input, extra) => answer(d, extra.signal, (signal) => describeTool(d, input, signal)),
  );
  server.registerTool(
    TOOL_NAMES.deployments,
    {
      title: 'Find the services that run Qianfan model versions',
      description:
        "Finds which Qianfan services (deployments) run the given model versions, reading every page of the account's services. Use it before deleting versions, or to answer whether a version is in use. Says so when the key may not read services.",
      inputSchema: { versions: z.array(z.string().min(1).max(300)).min(1).max(200).describe('The versions: IDs (amv-…) or "model / version".') },
      annotations: hints(true, false),
    },
    (input, extra) => answer(d, extra.signal, (signal) => deploymentsTool(d, input, signal)),
  );
  server.registerTool(
    TOOL_NAMES.export,
    {
      title: 'Export a Qianfan model version',
      description:
        'Exports a Ready model version from Qianfan to a downloadable file, and follows the export. Never starts a second export while one runs: calling it again follows the same export. If a finished export exists it is reported instead of starting a new one, unless startNew is true. Answers with the file name, size and md5 when the export is done, or that it is under way (call again later).',
      inputSchema: {
        version: z.string().min(1).max(300).describe(VERSION_TEXT),
        startNew: z.boolean().optional().describe('Start a new export even if a finished one exists. Default false.'),
      },
      annotations: hints(false, false),
    },
    (input, extra) => answer(d, extra.signal, (signal) => exportTool(d, input, signal)),
  );
  server.registerTool(
    TOOL_NAMES.download,
    {
      title: 'Download the export of a Qianfan model version',
      description: `Downloads the finished export of a model version into the server's working folder (${d.root}) or a folder under it, verifying its size and md5; an interrupted download resumes. Export the version first with ${TOOL_NAMES.export}. Never replaces an existing file unless replace is true.`,
      inputSchema: {
        version: z.string().min(1).max(300).describe(VERSION_TEXT),
        folder: z.string().max(500).optional().describe('Optional. A folder under the working folder, relative to it (e.g. "models"); created if missing.'),
        replace: z.boolean().optional().describe('Replace a file of the same name. Default false.'),
      },
      annotations: { ...hints(false, false), idempotentHint: true },
    },
    (input, extra) => answer(d, extra.signal, (signal) => downloadTool(d, input, signal)),
  );
  server.registerTool(
    TOOL_NAMES.delete,
    {
      title: 'Delete Qianfan model versions',
      description:
        'Deletes model versions in Qianfan. This cannot be undone, and breaks any service that runs them. Only use it when the user asked to delete these versions. A version a service runs is refused unless the call names that service (its ID or name) in services, after the user agreed to break it; the answer says which services run what.',
      inputSchema: {
        versions: z.array(z.string().min(1).max(300)).min(1).max(200).describe('The versions to delete: IDs (amv-…) or "model / version".'),
        services: z
          .array(z.string().min(1).max(200))
          .max(200)
          .optional()
          .describe('Optional. Services (IDs or names) the user agreed to break: a version they run is deleted only when each is named here.'),
      },
      annotations: hints(false, true),
    },
    (input, extra) => answer(d, extra.signal, (signal) => deleteTool(d, input, signal)),
  );
  return server;
}

/** Serves the tools on stdin / stdout until the client closes them. */
export async function serveStdio(options: { endpoint?: string; env: NodeJS.ProcessEnv; version: string }): Promise<void> {
  const endpoint = endpointFrom(options.endpoint, options.env);
  const keys = keysFrom(options.env);
  const redactor = new Redactor();
  redactor.addSecret(keys.secretAccessKey);
  redactor.addSecret(keys.accessKeyId);
  const waitMs = Number(options.env.QIANFAN_MCP_EXPORT_WAIT_MS);
  const deps: ToolDeps = {
    client: clientFor(endpoint, keys, `qianfan-models-mcp/${options.version}`, options.env),
    state: new JsonStateFile(stateFileFor(stateFolder(options.env), endpoint)),
    redactor,
    root: process.cwd(),
    exportWaitMs: Number.isFinite(waitMs) && waitMs >= 0 ? waitMs : 30_000,
  };
  const server = createServer(deps, options.version);
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => (transport.onclose = resolve));
  await server.connect(transport);
  await closed;
}
