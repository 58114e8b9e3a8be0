// The MCP client: servers as Vigil tools (`mcp.<server>.<tool>`), with pinned schemas.

export { checkJsonSchema } from "./check-json-schema.ts";
export type { Log } from "./log.ts";
export { McpHub, type McpHubOptions } from "./mcp-hub.ts";
export { McpSchemaStore, MemorySchemaPins, type SchemaPins } from "./mcp-schema-store.ts";
export { type McpServerConfig, mcpServerConfigSchema } from "./mcp-server-config.ts";
export {
  type McpConnectionStatus,
  McpServerConnection,
  type McpServerConnectionOptions,
  type ToolsChangedEvent,
  type ToolsChangedReason,
} from "./mcp-server-connection.ts";
export {
  annotationPermission,
  type McpTool,
  type McpToolAnnotations,
  mcpToolPermission,
} from "./mcp-tool.ts";
export { toolSchemaHash } from "./schema-hash.ts";
export { launchOf, localBin, scrubbedEnv } from "./server-launch.ts";
