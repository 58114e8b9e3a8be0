// Configuration of one MCP server (vigil.yaml `mcp.servers[]` or an admin command): how to
// reach it and the permission floor its tools get.

import { z } from "zod";
import { PERMISSION_LEVELS } from "../../policy/permission.ts";

const permission = z.enum(PERMISSION_LEVELS);

export const mcpServerConfigSchema = z
  .object({
    /** Part of every tool name (`mcp.<name>.<tool>`), so no dots. */
    name: z.string().regex(/^[a-zA-Z0-9_-]+$/, "use letters, digits, - and _"),
    /** stdio: the program and its arguments (an argument array, never a shell string). */
    command: z.string().min(1).optional(),
    args: z.array(z.string()).optional(),
    /** Streamable HTTP endpoint. */
    url: z.url().optional(),
    /** HTTP headers for `url` servers (e.g. an Authorization header). */
    headers: z.record(z.string(), z.string()).optional(),
    /** An npm package: a locally installed bin is used first, else `npx -y <package>`. */
    package: z.string().min(1).optional(),
    /** Extra environment for stdio servers; nothing else of Vigil's environment is passed on. */
    env: z.record(z.string(), z.string()).optional(),
    cwd: z.string().optional(),
    /** Directories offered to the server as MCP roots. */
    roots: z.array(z.string()).optional(),
    /** The least permission any tool of this server needs; annotations may raise it, never lower it. */
    permission: permission.optional(),
    /** Per-tool override of `permission`. */
    tools: z.record(z.string(), z.object({ permission: permission.optional() })).optional(),
    /** Longest a single tool call may take. */
    timeoutMs: z.number().int().positive().optional(),
  })
  .superRefine((value, ctx) => {
    const ways = [value.command, value.url, value.package].filter((w) => w !== undefined).length;
    if (ways !== 1) {
      ctx.addIssue({
        code: "custom",
        path: [],
        message: `mcp server ${value.name}: give exactly one of command, url or package`,
      });
    }
  });

export type McpServerConfig = z.input<typeof mcpServerConfigSchema>;
