// The fingerprint of a tool as the model and the policy see it: name, description, input
// schema and annotations. A change to any of them (a poisoned description, a dropped
// readOnlyHint) makes the tool need approval again.

import { createHash } from "node:crypto";

export function toolSchemaHash(tool: {
  name: string;
  description?: string | undefined;
  inputSchema: unknown;
  annotations?: unknown;
}): string {
  const canonical = canonicalJson({
    name: tool.name,
    description: tool.description ?? "",
    inputSchema: tool.inputSchema,
    annotations: tool.annotations ?? {},
  });
  return createHash("sha256").update(canonical).digest("hex");
}

/** JSON with object keys sorted, so equal schemas hash equal whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
