// Turns one tool a server offers into a Vigil Tool named `mcp.<server>.<tool>`. Its
// permission comes from our config and the tool's annotations (the higher wins), never
// from the model; a tool whose schema changed since approval refuses to run.

import { type PermissionLevel, permissionRank } from "../../policy/permission.ts";
import type { JsonSchema, Tool, ToolContext, ToolResult } from "../tool.ts";
import { checkJsonSchema } from "./check-json-schema.ts";
import type { McpServerConfig } from "./mcp-server-config.ts";

/** The MCP tool annotations we read (all are hints from the server, so they only ever raise). */
export interface McpToolAnnotations {
  readonly readOnlyHint?: boolean;
  readonly destructiveHint?: boolean;
  readonly idempotentHint?: boolean;
  readonly openWorldHint?: boolean;
}

export interface McpToolDescriptor {
  readonly name: string;
  readonly description?: string | undefined;
  readonly inputSchema: JsonSchema;
  readonly annotations?: McpToolAnnotations | undefined;
}

/** A Tool backed by an MCP server, with what the schema pinning needs. */
export interface McpTool extends Tool<Record<string, unknown>> {
  readonly server: string;
  /** The tool's own name on its server. */
  readonly mcpName: string;
  readonly schemaHash: string;
  readonly annotations: McpToolAnnotations | undefined;
  /** True while the schema differs from the approved one; run() refuses until it is approved. */
  readonly needsReapproval: boolean;
}

/** What a tool needs from its connection. */
export interface McpToolBackend {
  call(tool: string, args: Record<string, unknown>, ctx: ToolContext): Promise<ToolResult>;
  needsReapproval(tool: string, hash: string): boolean;
}

/** Read-only tools need read; anything else (destructive or not) writes. */
export function annotationPermission(annotations: McpToolAnnotations | undefined): PermissionLevel {
  return annotations?.readOnlyHint === true ? "read" : "write";
}

/** The higher of the configured level (per tool, else per server) and the annotations' level. */
export function mcpToolPermission(
  config: Pick<McpServerConfig, "permission" | "tools">,
  tool: string,
  annotations: McpToolAnnotations | undefined,
): PermissionLevel {
  const fromAnnotations = annotationPermission(annotations);
  const configured = config.tools?.[tool]?.permission ?? config.permission;
  if (configured === undefined) return fromAnnotations;
  return permissionRank(configured) > permissionRank(fromAnnotations) ? configured : fromAnnotations;
}

export function createMcpTool(
  config: McpServerConfig,
  descriptor: McpToolDescriptor,
  schemaHash: string,
  backend: McpToolBackend,
): McpTool {
  const name = `mcp.${config.name}.${descriptor.name}`;
  const level = mcpToolPermission(config, descriptor.name, descriptor.annotations);
  const resource = `mcp:${config.name}/${descriptor.name}`;
  return {
    name,
    description: descriptor.description ?? "",
    inputSchema: descriptor.inputSchema,
    server: config.name,
    mcpName: descriptor.name,
    schemaHash,
    annotations: descriptor.annotations,
    get needsReapproval() {
      return backend.needsReapproval(descriptor.name, schemaHash);
    },
    parseArgs(raw: unknown): Record<string, unknown> {
      const args = raw === undefined || raw === null ? {} : raw;
      checkJsonSchema(args, { ...descriptor.inputSchema, type: "object" });
      return args as Record<string, unknown>;
    },
    permission: () => level,
    resource: () => resource,
    async run(args, ctx) {
      if (backend.needsReapproval(descriptor.name, schemaHash)) {
        return {
          ok: false,
          output: `the schema of ${name} changed since it was approved; an admin must approve it again before it runs`,
        };
      }
      return backend.call(descriptor.name, args, ctx);
    },
  };
}
