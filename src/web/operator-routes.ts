// Operators on the admin API: list, show, edit (validated by the operator schema) and reset to
// the configuration file. Edits through this API are attributed to "admin-api".

import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { type Operator, OperatorEditError, type OperatorPatch } from "../operators/index.ts";
import {
  describeOnly,
  errorSchema,
  operatorNameParams,
  operatorPatchSchema,
  operatorSchema,
} from "./api-schemas.ts";

/** What the operator routes use; `OperatorRepository` fits. */
export interface OperatorStore {
  list(): Operator[];
  get(name: string): Operator | undefined;
  set(name: string, patch: OperatorPatch, updatedBy: string): Operator;
  reset(name: string, updatedBy?: string): boolean;
  isEdited(name: string): boolean;
}

export interface OperatorRoutesOptions {
  operators: OperatorStore;
  requireAdmin: (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
}

/** Who an edit through the JSON API is recorded as. */
export const ADMIN_API_EDITOR = "admin-api";

const EDITABLE = [
  "description",
  "systemPrompt",
  "model",
  "tools",
  "ceiling",
  "trust",
  "workingDirectory",
] as const;
const EDITABLE_SET = new Set<string>(EDITABLE);

export function registerOperatorRoutes(app: FastifyInstance, opts: OperatorRoutesOptions): void {
  const { operators, requireAdmin } = opts;
  const view = (op: Operator) => ({ ...op, edited: operators.isEdited(op.name) });
  const notFound = (reply: FastifyReply, name: string) =>
    reply.code(404).send({
      error: "not_found",
      message: `there is no operator "${name}"; GET /api/operators lists them`,
    });
  const common = { tags: ["operators"], security: [{ adminToken: [] }] };

  app.get(
    "/api/operators",
    {
      preHandler: requireAdmin,
      schema: {
        ...common,
        summary: "Every operator, with admin edits applied",
        response: { 200: { type: "array", items: operatorSchema }, 401: errorSchema },
      },
    },
    async () => operators.list().map(view),
  );

  app.get(
    "/api/operators/:name",
    {
      preHandler: requireAdmin,
      schema: {
        ...common,
        summary: "One operator",
        params: operatorNameParams,
        response: { 200: operatorSchema, 401: errorSchema, 404: errorSchema },
      },
    },
    async (req, reply) => {
      const { name } = req.params as { name: string };
      const op = operators.get(name);
      return op ? view(op) : notFound(reply, name);
    },
  );

  app.put(
    "/api/operators/:name",
    {
      preHandler: requireAdmin,
      validatorCompiler: describeOnly,
      schema: {
        ...common,
        summary: "Change some fields of an operator",
        description:
          "The edit is stored over the configuration file and survives restarts; DELETE …/overrides undoes it.",
        params: operatorNameParams,
        body: operatorPatchSchema,
        response: { 200: operatorSchema, 400: errorSchema, 401: errorSchema, 404: errorSchema },
      },
    },
    async (req, reply) => {
      const { name } = req.params as { name: string };
      const op = operators.get(name);
      if (!op) return notFound(reply, name);
      const patch = toPatch(req.body);
      if (typeof patch === "string") return reply.code(400).send({ error: "bad_request", message: patch });
      try {
        return view(operators.set(op.name, patch, ADMIN_API_EDITOR));
      } catch (err) {
        if (err instanceof OperatorEditError) {
          return reply.code(400).send({ error: "bad_request", message: err.message });
        }
        throw err;
      }
    },
  );

  app.delete(
    "/api/operators/:name/overrides",
    {
      preHandler: requireAdmin,
      schema: {
        ...common,
        summary: "Drop the admin edits: back to the configuration file",
        description: "An operator that exists only through admin edits is removed.",
        params: operatorNameParams,
        response: {
          200: {
            type: "object",
            properties: {
              reset: { type: "boolean", description: "False when there were no edits" },
              operator: { ...operatorSchema, description: "As it now is; absent when it was removed" },
            },
            required: ["reset"],
          },
          401: errorSchema,
          404: errorSchema,
        },
      },
    },
    async (req, reply) => {
      const { name } = req.params as { name: string };
      const op = operators.get(name);
      if (!op) return notFound(reply, name);
      const reset = operators.reset(op.name, ADMIN_API_EDITOR);
      const now = operators.get(op.name);
      return now ? { reset, operator: view(now) } : { reset };
    },
  );
}

/** The body as a patch, or a message naming what is wrong with it. */
function toPatch(body: unknown): OperatorPatch | string {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    return `send a JSON object with the fields to change (${EDITABLE.join(", ")}) and content-type application/json`;
  }
  const entries = Object.entries(body);
  for (const [key] of entries) {
    if (key === "name") return "name: an operator cannot be renamed; create a new one in config/operators";
    if (!EDITABLE_SET.has(key)) return `${key}: not an operator field; change ${EDITABLE.join(", ")}`;
  }
  if (entries.length === 0) return `nothing to change: send one or more of ${EDITABLE.join(", ")}`;
  return body as OperatorPatch;
}
