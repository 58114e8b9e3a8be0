// JSON schemas shared by the admin API routes, for the OpenAPI document at /docs. Requests are
// validated by our own code (clear messages, no silent stripping), so these only describe.

import type { FastifySchemaCompiler } from "fastify";
import { AUDIT_SOURCES } from "../audit/index.ts";
import { PERMISSION_LEVELS } from "../policy/permission.ts";
import { TRUST_MODES } from "../policy/trust.ts";

/** Route-level validator that accepts everything: the schema is documentation, the handler validates. */
export const describeOnly: FastifySchemaCompiler<unknown> = () => (value: unknown) => ({ value });

export const errorSchema = {
  type: "object",
  properties: { error: { type: "string" }, message: { type: "string" } },
  required: ["error", "message"],
} as const;

const nullableString = { type: ["string", "null"] } as const;

export const auditEntrySchema = {
  type: "object",
  properties: {
    seq: { type: "integer" },
    time: { type: "string", format: "date-time" },
    actor: { type: "string" },
    source: { type: "string" },
    operator: nullableString,
    tool: nullableString,
    arguments: { description: "The call's arguments, redacted" },
    decision: { type: "string" },
    reason: nullableString,
    grantId: nullableString,
    resultSummary: nullableString,
    platform: nullableString,
    conversation: nullableString,
    thread: nullableString,
    permission: nullableString,
    resource: nullableString,
    risk: nullableString,
    argsHash: nullableString,
    details: { description: "Anything else recorded, redacted" },
    prevHash: { type: "string" },
    hash: { type: "string" },
  },
  required: ["seq", "time", "actor", "source", "decision", "prevHash", "hash"],
} as const;

export const auditQuerySchema = {
  type: "object",
  properties: {
    since: { type: "string", description: "ISO time or epoch ms; records at or after it" },
    until: { type: "string", description: "ISO time or epoch ms; records before it" },
    actor: { type: "string" },
    tool: { type: "string" },
    decision: { type: "string", description: "allow, needs-approval, deny, approved, executed, failed …" },
    operator: { type: "string" },
    source: { type: "string", enum: [...AUDIT_SOURCES] },
    conversation: { type: "string" },
    limit: { type: "integer", minimum: 1, maximum: 1000, default: 100 },
    beforeSeq: { type: "integer", minimum: 1, description: "The previous page's nextBeforeSeq" },
  },
  additionalProperties: false,
} as const;

export const verifyResultSchema = {
  type: "object",
  properties: {
    ok: { type: "boolean" },
    checked: { type: "integer" },
    lastSeq: { type: "integer" },
    problems: {
      type: "array",
      items: {
        type: "object",
        properties: {
          seq: { type: "integer" },
          kind: { type: "string", enum: ["edited", "missing", "reordered", "broken-chain"] },
          detail: { type: "string" },
        },
      },
    },
  },
  required: ["ok", "checked", "lastSeq", "problems"],
} as const;

const modelRefSchema = {
  type: "object",
  properties: { provider: { type: "string" }, model: { type: "string" } },
  required: ["provider", "model"],
} as const;

export const operatorSchema = {
  type: "object",
  properties: {
    name: { type: "string" },
    description: { type: "string" },
    systemPrompt: { type: "string" },
    model: modelRefSchema,
    tools: { type: "array", items: { type: "string" } },
    ceiling: { type: "string", enum: [...PERMISSION_LEVELS] },
    trust: { type: "string", enum: [...TRUST_MODES] },
    workingDirectory: { type: "string" },
    edited: { type: "boolean", description: "An admin edit is layered over the configuration file" },
  },
  required: [
    "name",
    "description",
    "systemPrompt",
    "tools",
    "ceiling",
    "trust",
    "workingDirectory",
    "edited",
  ],
} as const;

export const operatorPatchSchema = {
  type: "object",
  description: "Only the fields to change",
  properties: {
    description: { type: "string" },
    systemPrompt: { type: "string" },
    model: {
      description: "provider/model-id, { provider, model }, or null to remove",
      oneOf: [{ type: "string" }, modelRefSchema, { type: "null" }],
    },
    tools: { type: "array", items: { type: "string" } },
    ceiling: { type: "string", enum: [...PERMISSION_LEVELS] },
    trust: { type: "string", enum: [...TRUST_MODES] },
    workingDirectory: { type: "string", description: "Absolute path" },
  },
  additionalProperties: false,
} as const;

export const operatorNameParams = {
  type: "object",
  properties: { name: { type: "string" } },
  required: ["name"],
} as const;
