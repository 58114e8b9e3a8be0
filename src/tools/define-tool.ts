// Builds a Tool from a zod object schema: the JSON Schema shown to models, argument parsing
// with errors that name the bad field, and the tool's own permission and resource rules.

import { z } from "zod";
import type { PermissionLevel } from "../policy/permission.ts";
import type { JsonSchema, Tool, ToolContext, ToolResult } from "./tool.ts";

export interface ToolDefinition<S extends z.ZodObject> {
  /** Dotted name, e.g. `docker.restart`. */
  readonly name: string;
  readonly description: string;
  /** Argument schema; unknown keys are refused so an approval's argument hash covers every key. */
  readonly schema: S;
  /** The permission this call needs, from its arguments alone (invariant 1). */
  readonly permission: (args: z.output<S>) => PermissionLevel;
  /** The resource this call touches, e.g. `fs:/srv/app/a.txt`. */
  readonly resource: (args: z.output<S>) => string;
  readonly run: (args: z.output<S>, ctx: ToolContext) => Promise<ToolResult>;
}

/** Turns a definition into a Tool. */
export function defineTool<S extends z.ZodObject>(def: ToolDefinition<S>): Tool<z.output<S>> {
  const schema = def.schema.strict();
  const inputSchema = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema;
  delete inputSchema.$schema;
  return {
    name: def.name,
    description: def.description,
    inputSchema,
    parseArgs(raw: unknown): z.output<S> {
      const parsed = schema.safeParse(raw ?? {});
      if (!parsed.success)
        throw new Error(`invalid arguments for ${def.name}: ${describeIssues(parsed.error)}`);
      return parsed.data as z.output<S>;
    },
    permission: def.permission,
    resource: def.resource,
    run: def.run,
  };
}

/** "`path`: expected string, received number; `mode`: expected one of …" */
function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const keys = issue.code === "unrecognized_keys" ? issue.keys : [];
      const where = issue.path.length > 0 ? issue.path.map(String).join(".") : "(arguments)";
      const what =
        keys.length > 0 ? `unknown field(s) ${keys.map((k) => `\`${k}\``).join(", ")}` : issue.message;
      return `\`${where}\`: ${what}`;
    })
    .join("; ");
}
