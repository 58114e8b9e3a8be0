// The Operator: a scoped agent with its own system prompt, model, tools, permission ceiling,
// trust mode and working directory. One zod schema validates YAML files and admin edits alike.

import { join } from "node:path";
import { z } from "zod";
import { PERMISSION_LEVELS, type PermissionLevel } from "../policy/permission.ts";
import { TRUST_MODES, type TrustMode } from "../policy/trust.ts";

/** Which model an operator talks to: a configured provider and a model id on it. */
export interface ModelRef {
  readonly provider: string;
  readonly model: string;
}

export interface Operator {
  readonly name: string;
  readonly description: string;
  /** Always the first message of the model's context. */
  readonly systemPrompt: string;
  /** Absent: the operator works only through direct tool use until a model is set. */
  readonly model?: ModelRef;
  /** Tool names or globs (`docker.*`, `mcp.everything.*`). */
  readonly tools: readonly string[];
  /** Hard limit: no call above it runs, whatever anyone approves. */
  readonly ceiling: PermissionLevel;
  readonly trust: TrustMode;
  /** Absolute; filesystem and shell tools are confined to it. */
  readonly workingDirectory: string;
}

export const OPERATOR_NAME = /^[a-z][a-z0-9_-]{0,31}$/;

/** `provider/model` (the model id may contain more slashes) or `{ provider, model }`. */
export const modelRefSchema = z.union(
  [
    z
      .string()
      .regex(
        /^[A-Za-z0-9][A-Za-z0-9_-]*\/.+$/,
        "write the model as provider/model-id, e.g. openai/gpt-4o-mini",
      )
      .transform((s): ModelRef => {
        const slash = s.indexOf("/");
        return { provider: s.slice(0, slash), model: s.slice(slash + 1) };
      }),
    z.strictObject({ provider: z.string().min(1), model: z.string().min(1) }),
  ],
  { error: "write the model as provider/model-id (e.g. openai/gpt-4o-mini) or { provider, model }" },
);

const toolPattern = z
  .string()
  .regex(/^[A-Za-z0-9_*][A-Za-z0-9_.*-]*$/, "a tool name or glob such as docker.list or docker.*");

/** The fields of an operator as written in YAML or sent by an admin. */
export const operatorFieldsSchema = z.strictObject({
  name: z
    .string()
    .regex(OPERATOR_NAME, "use 1-32 lowercase letters, digits, - and _, starting with a letter"),
  description: z.string().min(1, "describe what this operator is for; routing reads it"),
  systemPrompt: z.string().min(1, "give the operator a system prompt"),
  model: modelRefSchema.optional(),
  tools: z.array(toolPattern).default([]),
  ceiling: z.enum(PERMISSION_LEVELS),
  trust: z.enum(TRUST_MODES).default("strict"),
  workingDirectory: z
    .string()
    .refine((p) => p.startsWith("/"), "use an absolute path")
    .optional(),
});

export type OperatorFields = z.input<typeof operatorFieldsSchema>;

/** Validates fields and fills the defaults; the working directory defaults to `<data>/work/<name>`. */
export function parseOperator(raw: unknown, dataDir: string): Operator {
  const f = operatorFieldsSchema.parse(raw);
  return {
    name: f.name,
    description: f.description.trim(),
    systemPrompt: f.systemPrompt.trim(),
    ...(f.model ? { model: f.model } : {}),
    tools: f.tools,
    ceiling: f.ceiling,
    trust: f.trust,
    workingDirectory: f.workingDirectory ?? join(dataDir, "work", f.name),
  };
}

/** `provider/model`, as shown to people. */
export function formatModelRef(ref: ModelRef | undefined): string {
  return ref ? `${ref.provider}/${ref.model}` : "(none)";
}

/** zod issues as `field: message; …`, for errors that name the bad field. */
export function describeZodError(err: z.ZodError): string {
  return err.issues
    .map((i) => {
      const keys = i.code === "unrecognized_keys" ? ` (${i.keys.join(", ")})` : "";
      return `${i.path.length > 0 ? i.path.map(String).join(".") : "(top level)"}: ${i.message}${keys}`;
    })
    .join("; ");
}
