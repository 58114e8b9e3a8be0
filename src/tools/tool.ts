// The Tool port: every capability an operator can use (native or MCP) has this shape.
// A tool derives the permission a call needs and the resource it touches from its
// arguments alone, so the policy gate never depends on model output (invariant 1).

import type { PermissionLevel } from "../policy/permission.ts";

export type JsonSchema = Record<string, unknown>;

export interface ToolContext {
  /** Aborted by the Stop button or a timeout; tools must stop their work when it fires. */
  readonly signal: AbortSignal;
  /** The operator's working directory; filesystem and shell tools are confined to it. */
  readonly workingDirectory: string;
}

export interface ToolResult {
  readonly ok: boolean;
  /** Human-readable output, untrusted: the caller redacts it before it goes anywhere. */
  readonly output: string;
  /** Structured result when the tool has one. */
  readonly data?: unknown;
}

export interface Tool<Args = Record<string, unknown>> {
  /** Dotted name, e.g. `docker.restart`, `mcp.everything.echo`. */
  readonly name: string;
  readonly description: string;
  /** JSON Schema of the arguments, shown to models and used by `/vigil run`. */
  readonly inputSchema: JsonSchema;
  /** Validates raw arguments; throws an Error naming the bad field. */
  parseArgs(raw: unknown): Args;
  /** The permission this exact call needs. */
  permission(args: Args): PermissionLevel;
  /** The resource this call touches, e.g. `docker:container/web`, `ssh:deploy@10.0.0.5:22`, `fs:/srv/app/a.txt`. */
  resource(args: Args): string;
  run(args: Args, ctx: ToolContext): Promise<ToolResult>;
}
