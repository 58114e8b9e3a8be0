// Turns the query string of /api/audit and /audit into an AuditQuery, or a message that says
// which parameter is wrong and what to send instead.

import { AUDIT_SOURCES, type AuditQuery } from "../audit/index.ts";

/** Parameters the audit API and page accept. */
export const AUDIT_QUERY_PARAMS = [
  "since",
  "until",
  "actor",
  "tool",
  "decision",
  "operator",
  "source",
  "conversation",
  "limit",
  "beforeSeq",
] as const;

const TEXT_FILTERS = ["actor", "tool", "decision", "operator", "source", "conversation"] as const;
const KNOWN = new Set<string>(AUDIT_QUERY_PARAMS);
const SOURCES = new Set<string>(AUDIT_SOURCES);

export type ParsedAuditQuery = { ok: true; query: AuditQuery } | { ok: false; message: string };

/**
 * Validates raw query parameters (strings, or arrays when repeated). Empty values count as absent,
 * so a submitted filter form with blank fields means "no filter".
 */
export function parseAuditQuery(raw: Record<string, unknown>, defaultLimit = 100): ParsedAuditQuery {
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!KNOWN.has(key)) {
      return fail(`unknown parameter "${key}"; the audit log filters by ${AUDIT_QUERY_PARAMS.join(", ")}`);
    }
    if (typeof value !== "string") return fail(`${key} must be given once`);
    if (value.trim() !== "") values[key] = value.trim();
  }

  const query: AuditQuery = { limit: defaultLimit };
  for (const key of TEXT_FILTERS) {
    const v = values[key];
    if (v === undefined) continue;
    if (v.length > 500) return fail(`${key} is too long (at most 500 characters)`);
    query[key] = v;
  }
  if (query.source !== undefined && !SOURCES.has(query.source)) {
    return fail(`source must be one of ${AUDIT_SOURCES.join(", ")}`);
  }
  for (const key of ["since", "until"] as const) {
    const v = values[key];
    if (v === undefined) continue;
    const t = parseTime(v);
    if (t === undefined) {
      return fail(`${key} must be an ISO time or epoch ms, e.g. 2024-05-01T00:00:00Z or 1714521600000`);
    }
    query[key] = t;
  }
  if (query.since instanceof Date && query.until instanceof Date && query.since >= query.until) {
    return fail("since must be earlier than until");
  }
  if (values.limit !== undefined) {
    const n = positiveInt(values.limit);
    if (n === undefined || n > 1000) return fail("limit must be a whole number from 1 to 1000");
    query.limit = n;
  }
  if (values.beforeSeq !== undefined) {
    const n = positiveInt(values.beforeSeq);
    if (n === undefined) return fail("beforeSeq must be a record number (a whole number from 1)");
    query.beforeSeq = n;
  }
  return { ok: true, query };
}

function fail(message: string): ParsedAuditQuery {
  return { ok: false, message };
}

function positiveInt(s: string): number | undefined {
  if (!/^\d{1,15}$/.test(s)) return undefined;
  const n = Number(s);
  return n >= 1 ? n : undefined;
}

// Digits are epoch milliseconds; anything else must start like an ISO date, so "yesterday" or
// "5/1" are refused rather than parsed by the engine's lenient Date rules.
function parseTime(s: string): Date | undefined {
  const d = /^\d{1,15}$/.test(s)
    ? new Date(Number(s))
    : /^\d{4}-\d{2}-\d{2}(?:[T ]|$)/.test(s)
      ? new Date(s)
      : undefined;
  return d === undefined || Number.isNaN(d.getTime()) ? undefined : d;
}
