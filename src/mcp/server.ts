/** The MCP server (work in progress). */
export async function serveStdio(_options: { endpoint?: string; env: NodeJS.ProcessEnv; version: string }): Promise<void> {
  await Promise.resolve();
}
