// How an audit row is hashed: sha256 over the previous row's hash and the canonical JSON of the
// row's fields in a fixed order. Exported so an exported JSONL file can be checked outside Vigil.

import { hash } from "node:crypto";
import { canonicalJson } from "../core/canonical-json.ts";
import type { AuditEntry } from "./audit-log.ts";

/** prev_hash of the first record. */
export const GENESIS_HASH = "0".repeat(64);

/** Column order of the hashed fields; `prev_hash` and `hash` follow them in every raw row. */
export const HASHED_COLUMNS = [
  "seq",
  "time",
  "actor",
  "source",
  "operator",
  "tool",
  "arguments",
  "decision",
  "reason",
  "grant_id",
  "result_summary",
  "platform",
  "conversation",
  "thread",
  "permission",
  "resource",
  "risk",
  "args_hash",
  "details",
] as const;

/** One stored row as the database returns it with `.raw()`: the hashed columns, then prev_hash, hash. */
export type RawAuditRow = (string | number | null)[];

export const PREV_HASH_INDEX = HASHED_COLUMNS.length;
export const HASH_INDEX = HASHED_COLUMNS.length + 1;

/** sha256(prevHash + JSON of the hashed fields), hex. Only the first HASHED_COLUMNS.length values count. */
export function hashFields(prevHash: string, fields: readonly (string | number | null)[]): string {
  const own = fields.length === HASHED_COLUMNS.length ? fields : fields.slice(0, HASHED_COLUMNS.length);
  // One-shot hash: several times cheaper than createHash().update().digest() for short input.
  return hash("sha256", prevHash + JSON.stringify(own), "hex");
}

/** The fields of an exported entry (camelCase, arguments/details parsed) in hashing order. */
export function entryFields(e: Omit<AuditEntry, "prevHash" | "hash">): (string | number | null)[] {
  return [
    e.seq,
    e.time,
    e.actor,
    e.source,
    e.operator,
    e.tool,
    e.arguments === null || e.arguments === undefined ? null : canonicalJson(e.arguments),
    e.decision,
    e.reason,
    e.grantId,
    e.resultSummary,
    e.platform,
    e.conversation,
    e.thread,
    e.permission,
    e.resource,
    e.risk,
    e.argsHash,
    e.details === null || e.details === undefined ? null : canonicalJson(e.details),
  ];
}
