// The audit log: every tool call and decision, redacted, hash-chained and append-only in SQLite
// (security invariants 5 and 7). Reads for the admin page, verification and JSONL export for a SIEM.

import type Database from "better-sqlite3";
import { ErrorCodes, VigilError } from "../core/errors.ts";
import { entryFields, GENESIS_HASH, HASHED_COLUMNS, hashFields, type RawAuditRow } from "./audit-hash.ts";
import { Redactor } from "./redact.ts";
import { type VerifyOptions, type VerifyResult, verifyChain } from "./verify-chain.ts";

/** Where a call came from. */
export const AUDIT_SOURCES = ["chat", "schedule", "incident", "guard", "system"] as const;
export type AuditSource = (typeof AUDIT_SOURCES)[number];

/** What happened; the listed values are the ones Vigil writes, others are kept as given. */
export type AuditDecision =
  | "allow"
  | "needs-approval"
  | "deny"
  | "approved"
  | "denied"
  | "expired"
  | "revoked"
  | "executed"
  | "failed"
  | "info"
  | (string & {});

/** What a caller appends. Arguments, reason, result summary and details are redacted before storage. */
export interface AuditRecord {
  /** Who caused it: a user id, `scheduler`, `guard`, `incident:<id>`. */
  actor: string;
  /** Default `system`. */
  source?: AuditSource;
  operator?: string;
  tool?: string;
  arguments?: unknown;
  decision: AuditDecision;
  reason?: string;
  grantId?: string;
  resultSummary?: string;
  platform?: string;
  conversation?: string;
  thread?: string;
  permission?: string;
  resource?: string;
  risk?: string;
  argsHash?: string;
  /** Anything else worth keeping; unknown top-level fields of a record land here too. */
  details?: Record<string, unknown>;
}

/** One stored record. */
export interface AuditEntry {
  seq: number;
  time: string;
  actor: string;
  source: string;
  operator: string | null;
  tool: string | null;
  arguments: unknown;
  decision: string;
  reason: string | null;
  grantId: string | null;
  resultSummary: string | null;
  platform: string | null;
  conversation: string | null;
  thread: string | null;
  permission: string | null;
  resource: string | null;
  risk: string | null;
  argsHash: string | null;
  details: unknown;
  prevHash: string;
  hash: string;
}

/** Filters for {@link AuditLog.query}; results come newest first. */
export interface AuditQuery {
  since?: Date | string | number;
  until?: Date | string | number;
  actor?: string;
  tool?: string;
  decision?: string;
  operator?: string;
  source?: string;
  conversation?: string;
  /** Page size; default 100, at most 1000. */
  limit?: number;
  /** Only records older than this seq (the previous page's last seq). */
  beforeSeq?: number;
}

/** Anything JSONL can be written to: a file stream, process.stdout, an HTTP response. */
export interface JsonlSink {
  write(chunk: string): boolean;
  once(event: "drain", listener: () => void): unknown;
}

export interface AuditLogOptions {
  db: Database.Database;
  /** Default: a Redactor with every detector on. */
  redactor?: { redact(text: string): { text: string }; redactValue(value: unknown): unknown };
  now?: () => Date;
  /** Longest string kept in arguments, reason and result summary, after redaction. Default 4096. */
  maxFieldChars?: number;
}

const KNOWN_FIELDS = new Set<string>([
  "actor",
  "source",
  "operator",
  "tool",
  "arguments",
  "decision",
  "reason",
  "grantId",
  "resultSummary",
  "platform",
  "conversation",
  "thread",
  "permission",
  "resource",
  "risk",
  "argsHash",
  "details",
]);
const SOURCES = new Set<string>(AUDIT_SOURCES);
const COLUMNS = [...HASHED_COLUMNS, "prev_hash", "hash"].join(", ");
// Arguments larger than this (after redaction and string cuts) are stored as a preview only.
const MAX_ARGUMENTS_JSON = 64 * 1024;

/** The append-only, hash-chained audit log over the `audit_log` table (migration 0010). */
export class AuditLog {
  readonly #db: Database.Database;
  readonly #redactor: NonNullable<AuditLogOptions["redactor"]>;
  readonly #now: () => Date;
  readonly #maxField: number;
  readonly #head: Database.Statement;
  readonly #highest: Database.Statement;
  readonly #insert: Database.Statement;
  readonly #firstFrom: Database.Statement;
  readonly #tail: Database.Statement;
  readonly #appendTx: (fields: (string | number | null)[]) => { seq: number; prevHash: string; hash: string };
  readonly #queries = new Map<string, Database.Statement>();

  constructor(opts: AuditLogOptions) {
    this.#db = opts.db;
    this.#redactor = opts.redactor ?? new Redactor();
    this.#now = opts.now ?? (() => new Date());
    this.#maxField = opts.maxFieldChars ?? 4096;
    const table = this.#db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_log'")
      .get();
    if (table === undefined) {
      throw new VigilError(
        ErrorCodes.USAGE,
        "the audit_log table is missing: apply the store migrations (applyMigrations) before creating AuditLog",
      );
    }
    this.#head = this.#db.prepare("SELECT seq, hash, time FROM audit_log ORDER BY seq DESC LIMIT 1");
    this.#firstFrom = this.#db.prepare("SELECT seq, time FROM audit_log WHERE seq >= ? ORDER BY seq LIMIT 1");
    this.#highest = this.#db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'").pluck();
    // Head and high-water mark in one step: the append path runs this on every record.
    this.#tail = this.#db.prepare(
      `SELECT (SELECT seq FROM sqlite_sequence WHERE name = 'audit_log') AS highest, seq, hash, time
       FROM (SELECT 0 AS k) LEFT JOIN (SELECT seq, hash, time FROM audit_log ORDER BY seq DESC LIMIT 1)`,
    );
    this.#insert = this.#db.prepare(
      `INSERT INTO audit_log (${COLUMNS}) VALUES (${[...HASHED_COLUMNS, "prev_hash", "hash"].map(() => "?").join(", ")})`,
    );
    // Head read and insert in one IMMEDIATE transaction: another connection appending at the same time
    // waits instead of forking the chain.
    const tx = this.#db.transaction((fields: (string | number | null)[]) => {
      const tail = this.#tail.get() as {
        highest: number | null;
        seq: number | null;
        hash: string;
        time: string;
      };
      const head = tail.seq === null ? undefined : tail;
      // Never reuse a seq, even one cut from the end: the gap keeps the deletion visible to verify.
      const seq = Math.max(tail.seq ?? 0, tail.highest ?? 0) + 1;
      const prevHash = head?.hash ?? GENESIS_HASH;
      fields[0] = seq;
      // Time never goes backwards along seq (after a clock step back the previous time is recorded),
      // so time ranges map to seq ranges and the table needs no time index.
      if (head !== undefined && (fields[1] as string) < head.time) fields[1] = head.time;
      const hash = hashFields(prevHash, fields);
      this.#insert.run(...fields, prevHash, hash);
      return { seq, prevHash, hash };
    });
    this.#appendTx = tx.immediate;
  }

  /**
   * Appends one record, synchronously, redacting arguments, reason, result summary and details first.
   * Durable as the database's journal settings (WAL) make it once this returns.
   */
  append(record: AuditRecord): AuditEntry {
    if (typeof record.actor !== "string" || record.actor.length === 0) {
      throw new VigilError(ErrorCodes.USAGE, "an audit record needs an actor (who caused it)");
    }
    if (typeof record.decision !== "string" || record.decision.length === 0) {
      throw new VigilError(ErrorCodes.USAGE, "an audit record needs a decision (allow, deny, executed …)");
    }
    const source = record.source ?? "system";
    if (!SOURCES.has(source)) {
      throw new VigilError(
        ErrorCodes.USAGE,
        `audit source "${source}" is not one of ${AUDIT_SOURCES.join(", ")}`,
      );
    }
    let details: Record<string, unknown> | undefined = record.details;
    for (const key of Object.keys(record)) {
      if (!KNOWN_FIELDS.has(key)) {
        details = { ...details, [key]: (record as unknown as Record<string, unknown>)[key] };
      }
    }
    const args = record.arguments === undefined ? null : this.#redactJson(record.arguments);
    const extra = details === undefined ? null : this.#redactJson(details);
    const fields: (string | number | null)[] = [
      0,
      this.#now().toISOString(),
      record.actor,
      source,
      str(record.operator),
      str(record.tool),
      args?.json ?? null,
      record.decision,
      this.#redactText(record.reason),
      str(record.grantId),
      this.#redactText(record.resultSummary),
      str(record.platform),
      str(record.conversation),
      str(record.thread),
      str(record.permission),
      str(record.resource),
      str(record.risk),
      str(record.argsHash),
      extra?.json ?? null,
    ];
    const { prevHash, hash } = this.#appendTx(fields);
    // The transaction filled in seq and, after a clock step back, time.
    const entry = toEntry([...fields, prevHash, hash], false);
    entry.arguments = args?.value ?? null;
    entry.details = extra?.value ?? null;
    return entry;
  }

  /**
   * Appends several records in one transaction (one commit for the batch): for bursts such as a guard
   * storm. All or none are stored.
   */
  appendMany(records: readonly AuditRecord[]): AuditEntry[] {
    return this.#db.transaction(() => records.map((r) => this.append(r))).immediate();
  }

  /** The newest record's seq and hash; store it elsewhere to anchor a later {@link verify}. */
  head(): { seq: number; hash: string } | null {
    const h = this.#head.get() as { seq: number; hash: string } | undefined;
    return h === undefined ? null : { seq: h.seq, hash: h.hash };
  }

  /** One record by seq. */
  get(seq: number): AuditEntry | null {
    const row = this.#stmt(`SELECT ${COLUMNS} FROM audit_log WHERE seq = ?`).raw(true).get(seq) as
      | RawAuditRow
      | undefined;
    return row === undefined ? null : toEntry(row);
  }

  /** Records in ascending seq order, streamed from the database. */
  *iterate(opts: { fromSeq?: number } = {}): Generator<AuditEntry> {
    for (const row of this.#rawRows(opts.fromSeq ?? 0)) yield toEntry(row);
  }

  /**
   * Walks the whole chain and reports every edit, deletion, move or broken link with its seq.
   * Streams rows, so memory stays flat however long the log is.
   */
  verify(opts: Pick<VerifyOptions, "anchor" | "maxProblems"> = {}): VerifyResult {
    // Read in one transaction so concurrent appends cannot make a consistent log look cut short.
    return this.#db.transaction(() => {
      const highest = (this.#highest.get() as number | undefined) ?? 0;
      const rows = this.#stmt(`SELECT ${COLUMNS} FROM audit_log WHERE seq <= ? ORDER BY seq`)
        .raw(true)
        .iterate(highest) as IterableIterator<RawAuditRow>;
      return verifyChain(rows, { ...opts, highestSeqWritten: highest });
    })();
  }

  /** Records matching the filters, newest first, for the admin page. */
  query(q: AuditQuery = {}): AuditEntry[] {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (q.since !== undefined) {
      where.push("seq >= ?");
      params.push(this.#firstSeqAtOrAfter(isoTime(q.since)));
    }
    if (q.until !== undefined) {
      where.push("seq < ?");
      params.push(this.#firstSeqAtOrAfter(isoTime(q.until)));
    }
    for (const [col, v] of [
      ["actor", q.actor],
      ["tool", q.tool],
      ["decision", q.decision],
      ["operator", q.operator],
      ["source", q.source],
      ["conversation", q.conversation],
    ] as const) {
      if (v !== undefined) {
        where.push(`${col} = ?`);
        params.push(v);
      }
    }
    if (q.beforeSeq !== undefined) {
      where.push("seq < ?");
      params.push(q.beforeSeq);
    }
    const limit = Math.max(1, Math.min(1000, Math.floor(q.limit ?? 100)));
    const sql =
      `SELECT ${COLUMNS} FROM audit_log` +
      (where.length > 0 ? ` WHERE ${where.join(" AND ")}` : "") +
      " ORDER BY seq DESC LIMIT ?";
    const rows = this.#stmt(sql)
      .raw(true)
      .all(...params, limit) as RawAuditRow[];
    return rows.map((r) => toEntry(r));
  }

  /**
   * Writes every record as one JSON line (arguments and details as objects, with prevHash and hash so
   * a SIEM can re-check the chain with `hashFields(prevHash, entryFields(entry))`). Honours backpressure.
   * Returns the number of lines written.
   */
  async exportJsonl(out: JsonlSink, opts: { fromSeq?: number } = {}): Promise<number> {
    let n = 0;
    let buf = "";
    for (const row of this.#rawRows(opts.fromSeq ?? 0)) {
      buf += `${JSON.stringify(toEntry(row))}\n`;
      n++;
      if (buf.length >= 64 * 1024) {
        const ok = out.write(buf);
        buf = "";
        if (!ok) await new Promise<void>((resolve) => out.once("drain", resolve));
      }
    }
    if (buf.length > 0 && !out.write(buf)) await new Promise<void>((resolve) => out.once("drain", resolve));
    return n;
  }

  // Pages through rows by seq rather than holding one statement open: an export that waits on a slow
  // reader must not keep a read transaction (and the WAL) pinned, nor block appends on this connection.
  *#rawRows(fromSeq: number): Generator<RawAuditRow> {
    const page = this.#stmt(`SELECT ${COLUMNS} FROM audit_log WHERE seq > ? ORDER BY seq LIMIT 1000`).raw(
      true,
    );
    let after = fromSeq > 0 ? fromSeq - 1 : 0;
    for (;;) {
      const rows = page.all(after) as RawAuditRow[];
      if (rows.length === 0) return;
      for (const row of rows) yield row;
      after = rows[rows.length - 1][0] as number;
    }
  }

  // Smallest seq whose time is ≥ t (one past the last seq when none is): a binary search over the
  // rowid, valid because append keeps time non-decreasing along seq.
  #firstSeqAtOrAfter(t: string): number {
    const head = this.#head.get() as { seq: number; time: string } | undefined;
    if (head === undefined || head.time < t) return (head?.seq ?? 0) + 1;
    let lo = 1;
    let hi = head.seq;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      const row = this.#firstFrom.get(mid) as { seq: number; time: string };
      if (row.time >= t) hi = Math.min(mid, row.seq);
      else lo = row.seq + 1;
    }
    return lo;
  }

  #stmt(sql: string): Database.Statement {
    let s = this.#queries.get(sql);
    if (s === undefined) {
      s = this.#db.prepare(sql);
      this.#queries.set(sql, s);
    }
    return s;
  }

  #redactText(text: string | undefined): string | null {
    if (text === undefined || text === null) return null;
    return this.#cut(this.#redactor.redact(String(text)).text);
  }

  #redactJson(value: unknown): { json: string; value: unknown } {
    const redacted = this.#sortAndCut(this.#redactor.redactValue(value), 0) ?? null;
    const json = JSON.stringify(redacted);
    if (json.length <= MAX_ARGUMENTS_JSON) return { json, value: redacted };
    const preview = { preview: json.slice(0, this.#maxField), truncated: true };
    return { json: JSON.stringify(preview), value: preview };
  }

  // One walk that both sorts keys (canonical JSON, as canonicalJson does) and cuts long strings.
  #sortAndCut(value: unknown, depth: number): unknown {
    if (typeof value === "string") return this.#cut(value);
    if (value === null || typeof value !== "object") return value;
    if (depth > 64) return "[too deep]";
    const toJson = (value as { toJSON?: () => unknown }).toJSON;
    if (typeof toJson === "function") return this.#sortAndCut(toJson.call(value), depth + 1);
    if (Array.isArray(value)) return value.map((v) => this.#sortAndCut(v, depth + 1));
    const keys = Object.keys(value).sort();
    return Object.fromEntries(
      keys.map((k) => [k, this.#sortAndCut((value as Record<string, unknown>)[k], depth + 1)]),
    );
  }

  #cut(s: string): string {
    return s.length <= this.#maxField
      ? s
      : `${s.slice(0, this.#maxField)}…[${s.length - this.#maxField} more]`;
  }
}

function str(v: unknown): string | null {
  return v === undefined || v === null ? null : String(v);
}

function isoTime(t: Date | string | number): string {
  const d = t instanceof Date ? t : new Date(t);
  if (Number.isNaN(d.getTime())) {
    throw new VigilError(
      ErrorCodes.USAGE,
      `"${String(t)}" is not a time; use an ISO 8601 date like 2024-05-01T00:00:00Z`,
    );
  }
  return d.toISOString();
}

function parseJson(s: string | number | null): unknown {
  if (s === null) return null;
  try {
    return JSON.parse(String(s));
  } catch {
    // A row edited into invalid JSON still shows (verify reports it); never throw while reading.
    return String(s);
  }
}

function toEntry(r: RawAuditRow, parse = true): AuditEntry {
  return {
    seq: r[0] as number,
    time: r[1] as string,
    actor: r[2] as string,
    source: r[3] as string,
    operator: r[4] as string | null,
    tool: r[5] as string | null,
    arguments: parse ? parseJson(r[6]) : null,
    decision: r[7] as string,
    reason: r[8] as string | null,
    grantId: r[9] as string | null,
    resultSummary: r[10] as string | null,
    platform: r[11] as string | null,
    conversation: r[12] as string | null,
    thread: r[13] as string | null,
    permission: r[14] as string | null,
    resource: r[15] as string | null,
    risk: r[16] as string | null,
    argsHash: r[17] as string | null,
    details: parse ? parseJson(r[18]) : null,
    prevHash: r[19] as string,
    hash: r[20] as string,
  };
}

// Re-exported so callers need only this module to check a record by hand.
export { entryFields, hashFields };
