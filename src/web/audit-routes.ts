// Audit log on the admin server: GET /api/audit (filtered, paged), GET /api/audit/verify and the
// /audit page. Reads only; appending happens in the policy gate.

import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { AuditEntry, AuditQuery, VerifyResult } from "../audit/index.ts";
import {
  auditEntrySchema,
  auditQuerySchema,
  describeOnly,
  errorSchema,
  verifyResultSchema,
} from "./api-schemas.ts";
import { auditPage } from "./audit-page.ts";
import type { NavLink } from "./html.ts";
import { parseAuditQuery } from "./parse-audit-query.ts";

/** What the audit routes read; `AuditLog` fits. */
export interface AuditReader {
  query(q: AuditQuery): AuditEntry[];
  verify(): VerifyResult;
}

export interface AuditRoutesOptions {
  audit: AuditReader;
  requireAdmin: (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
  isAdmin: (req: FastifyRequest) => boolean;
  nav: readonly NavLink[];
}

/** One page of records and, when older ones match, the seq to pass as beforeSeq for the next page. */
export function auditPageOf(
  audit: AuditReader,
  q: AuditQuery,
): { entries: AuditEntry[]; nextBeforeSeq: number | null } {
  const entries = audit.query(q);
  const last = entries.at(-1);
  // Ask for one more record rather than guess from a full page, so "older" never leads nowhere.
  const more = last !== undefined && audit.query({ ...q, beforeSeq: last.seq, limit: 1 }).length > 0;
  return { entries, nextBeforeSeq: more && last ? last.seq : null };
}

export function registerAuditRoutes(app: FastifyInstance, opts: AuditRoutesOptions): void {
  const { audit, requireAdmin, isAdmin, nav } = opts;

  app.get(
    "/api/audit",
    {
      preHandler: requireAdmin,
      validatorCompiler: describeOnly,
      schema: {
        summary: "Audit records matching the filters, newest first",
        description:
          "Page with limit and beforeSeq: pass the previous answer's nextBeforeSeq; it is null on the last page.",
        tags: ["audit"],
        security: [{ adminToken: [] }],
        querystring: auditQuerySchema,
        response: {
          200: {
            type: "object",
            properties: {
              entries: { type: "array", items: auditEntrySchema },
              nextBeforeSeq: { type: ["integer", "null"] },
            },
            required: ["entries", "nextBeforeSeq"],
          },
          400: errorSchema,
          401: errorSchema,
        },
      },
    },
    async (req, reply) => {
      const parsed = parseAuditQuery(req.query as Record<string, unknown>);
      if (!parsed.ok) return reply.code(400).send({ error: "bad_request", message: parsed.message });
      return auditPageOf(audit, parsed.query);
    },
  );

  app.get(
    "/api/audit/verify",
    {
      preHandler: requireAdmin,
      schema: {
        summary: "Walk the hash chain and report every edit, deletion or move",
        tags: ["audit"],
        security: [{ adminToken: [] }],
        response: { 200: verifyResultSchema, 401: errorSchema },
      },
    },
    async () => audit.verify(),
  );

  app.get("/audit", { schema: { hide: true } }, async (req, reply) => {
    if (!isAdmin(req)) return reply.redirect("/login", 303);
    const raw = req.query as Record<string, unknown>;
    const filters = Object.fromEntries(
      Object.entries(raw).filter((kv): kv is [string, string] => typeof kv[1] === "string"),
    );
    const parsed = parseAuditQuery(raw);
    const verify = audit.verify();
    if (!parsed.ok) {
      return reply
        .code(400)
        .type("text/html")
        .send(auditPage({ filters, entries: [], verify, nextBeforeSeq: null, error: parsed.message, nav }));
    }
    const { entries, nextBeforeSeq } = auditPageOf(audit, parsed.query);
    return reply.type("text/html").send(auditPage({ filters, entries, verify, nextBeforeSeq, nav }));
  });
}
