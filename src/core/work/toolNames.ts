/**
 * The names of the six tools a language model may call, the same through every door: the chat
 * tools (src/tools), the MCP server (src/mcp) and the manifest's languageModelTools.
 */
export const TOOL_NAMES = {
  list: 'qianfan_listModelVersions',
  describe: 'qianfan_describeModelVersion',
  deployments: 'qianfan_findDeployments',
  export: 'qianfan_exportModelVersion',
  download: 'qianfan_downloadExport',
  delete: 'qianfan_deleteModelVersions',
} as const;
