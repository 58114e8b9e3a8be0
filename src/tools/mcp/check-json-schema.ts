// A small JSON Schema check for tool arguments: types, required fields, enums, nested
// objects and array items. Enough to reject malformed model output by field name; the MCP
// server still validates fully.

import type { JsonSchema } from "../tool.ts";

const MAX_DEPTH = 16;

/** Throws an Error naming the first bad field (e.g. `args.path: expected string`). */
export function checkJsonSchema(value: unknown, schema: JsonSchema, path = "args", depth = 0): void {
  if (depth > MAX_DEPTH) return;
  const types = typeList(schema["type"]);
  if (types.length > 0 && !types.some((t) => hasType(value, t))) {
    throw new Error(`${path}: expected ${types.join(" or ")}, got ${describe(value)}`);
  }
  const allowed = schema["enum"];
  if (Array.isArray(allowed) && !allowed.some((a) => JSON.stringify(a) === JSON.stringify(value))) {
    throw new Error(`${path}: must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}`);
  }
  if (isObject(value)) {
    const required = schema["required"];
    if (Array.isArray(required)) {
      for (const key of required) {
        if (typeof key === "string" && !(key in value)) throw new Error(`${path}.${key}: required`);
      }
    }
    const properties = schema["properties"];
    if (isObject(properties)) {
      for (const [key, sub] of Object.entries(properties)) {
        if (key in value && isObject(sub)) checkJsonSchema(value[key], sub, `${path}.${key}`, depth + 1);
      }
      if (schema["additionalProperties"] === false) {
        const extra = Object.keys(value).find((key) => !(key in properties));
        if (extra !== undefined) throw new Error(`${path}.${extra}: not allowed`);
      }
    }
  }
  const items = schema["items"];
  if (Array.isArray(value) && isObject(items)) {
    for (const [i, item] of value.entries()) checkJsonSchema(item, items, `${path}[${i}]`, depth + 1);
  }
}

function typeList(type: unknown): string[] {
  if (typeof type === "string") return [type];
  if (Array.isArray(type)) return type.filter((t): t is string => typeof t === "string");
  return [];
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case "object":
      return isObject(value);
    case "array":
      return Array.isArray(value);
    case "string":
      return typeof value === "string";
    case "integer":
      return Number.isInteger(value);
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "boolean":
      return typeof value === "boolean";
    case "null":
      return value === null;
    default:
      return true;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}
