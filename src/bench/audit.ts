// Bench: sustained audit appends per second with redaction (target ≥ 20,000), `audit verify` records
// per second (target ≥ 200,000), and the redactor's precision and recall on the labelled corpus.
// Run: node src/bench/audit.ts   (or `npm run bench -- audit` once run.ts lists it)

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  AuditLog,
  type AuditRecord,
  buildRedactionCorpus,
  Redactor,
  scoreRedaction,
} from "../audit/index.ts";
import { applyMigrations, loadMigrations } from "../store/migrate.ts";
import { openDatabase } from "../store/open-database.ts";

const APPENDS = 50_000;
const VERIFY_ROWS = 250_000;

// Realistic calls: mostly clean arguments, some carrying a secret or PII the redactor must catch.
function record(i: number): AuditRecord {
  const host = `web-${i % 40}.prod.internal`;
  const args: unknown[] = [
    { host, command: "systemctl status api --no-pager", timeoutMs: 30_000 },
    { container: `api-${i % 12}`, action: "restart", reason: "oom killed" },
    { path: `/srv/app/logs/app-${i % 30}.log`, lines: 200 },
    { url: `postgres://app:Pw${i}xYz!@db-${i % 3}:5432/app`, query: "select count(*) from jobs" },
    { env: { LOG_LEVEL: "info", API_TOKEN: `tok_${i}abcdefGHIJKL${i}` }, image: "ghcr.io/acme/api:1.4.2" },
  ];
  return {
    actor: `U0${i % 17}`,
    source: i % 10 === 0 ? "schedule" : "chat",
    operator: i % 2 === 0 ? "web-bot" : "db-bot",
    tool: ["ssh.exec", "docker.container", "fs.read", "shell.run", "docker.run"][i % 5],
    arguments: args[i % args.length],
    decision: i % 7 === 0 ? "needs-approval" : "allow",
    reason: i % 7 === 0 ? "exec above ceiling read" : "within ceiling",
    resultSummary: i % 9 === 0 ? `notified ops-${i % 5}@example.com; exit 0` : "exit 0, 12 lines",
    platform: "slack",
    conversation: "C0OPS",
    thread: `1714000000.${String(i).padStart(6, "0")}`,
    permission: "exec",
    resource: `ssh:${host}`,
    risk: "medium",
  };
}

/** Runs the audit bench on a temp file database (WAL); returns figures, prints nothing. */
export async function benchAudit(): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), "vigil-bench-audit-"));
  const mine = loadMigrations().filter((m) => m.name.startsWith("0010-"));
  try {
    // Sustained appends, each its own durable transaction (WAL, synchronous=NORMAL as the store opens it).
    const db = openDatabase(join(dir, "audit.db"));
    applyMigrations(db, mine);
    const log = new AuditLog({ db, redactor: new Redactor() });
    for (let i = 0; i < 2_000; i++) log.append(record(i)); // warm the JIT and the page cache
    const t0 = performance.now();
    for (let i = 0; i < APPENDS; i++) log.append(record(i));
    const appendMs = performance.now() - t0;

    // Fill to VERIFY_ROWS quickly (batched), then time a full verify.
    const batch = db.transaction((from: number, to: number) => {
      for (let i = from; i < to; i++) log.append(record(i));
    });
    let rows = APPENDS + 2_000;
    while (rows < VERIFY_ROWS) {
      const to = Math.min(VERIFY_ROWS, rows + 10_000);
      batch(rows, to);
      rows = to;
    }
    const t1 = performance.now();
    const v = log.verify();
    const verifyMs = performance.now() - t1;
    if (!v.ok) throw new Error(`bench log failed to verify: ${JSON.stringify(v.problems.slice(0, 3))}`);
    // The bench is only meaningful if redaction really ran on the way in.
    if (JSON.stringify(log.get(4)).includes("Pw3xYz")) throw new Error("bench: a password reached the log");
    db.close();

    // The same appends without file I/O (CPU cost of redaction, hashing and SQLite alone), and batched.
    const mem = openDatabase(":memory:");
    applyMigrations(mem, mine);
    const memLog = new AuditLog({ db: mem });
    for (let i = 0; i < 2_000; i++) memLog.append(record(i));
    const tm = performance.now();
    for (let i = 0; i < 20_000; i++) memLog.append(record(i));
    const memMs = performance.now() - tm;
    mem.close();
    const batchedDb = openDatabase(join(dir, "audit-batched.db"));
    applyMigrations(batchedDb, mine);
    const batchedLog = new AuditLog({ db: batchedDb });
    const tb = performance.now();
    for (let i = 0; i < 20_000; i += 100) {
      batchedLog.appendMany(Array.from({ length: 100 }, (_, k) => record(i + k)));
    }
    const batchedMs = performance.now() - tb;
    batchedDb.close();

    // For scale: appends when every commit is fsynced (synchronous=FULL).
    const full = openDatabase(join(dir, "audit-full.db"));
    full.pragma("synchronous = FULL");
    applyMigrations(full, mine);
    const fullLog = new AuditLog({ db: full });
    const t2 = performance.now();
    for (let i = 0; i < 2_000; i++) fullLog.append(record(i));
    const fullMs = performance.now() - t2;
    full.close();

    // The redactor alone, and its quality on the labelled corpus.
    const redactor = new Redactor();
    const corpus = buildRedactionCorpus();
    const texts = corpus.map((e) => e.text);
    let scanned = 0;
    const t3 = performance.now();
    while (performance.now() - t3 < 1_000) {
      for (const t of texts) redactor.redact(t);
      scanned += texts.length;
    }
    const redactMs = performance.now() - t3;
    const score = scoreRedaction(redactor, corpus);

    return {
      appends: APPENDS,
      appends_per_s: Math.round((APPENDS / appendMs) * 1000),
      append_mean_us: Math.round((appendMs / APPENDS) * 1000 * 10) / 10,
      appends_per_s_sync_full: Math.round((2_000 / fullMs) * 1000),
      appends_per_s_in_memory: Math.round((20_000 / memMs) * 1000),
      appends_per_s_batched_100: Math.round((20_000 / batchedMs) * 1000),
      verify_records: v.checked,
      verify_records_per_s: Math.round((v.checked / verifyMs) * 1000),
      redact_lines_per_s: Math.round((scanned / redactMs) * 1000),
      redaction_precision: Math.round(score.precision * 10_000) / 10_000,
      redaction_recall: Math.round(score.recall * 10_000) / 10_000,
      redaction_kind_accuracy: Math.round(score.kindAccuracy * 10_000) / 10_000,
      corpus_secrets: score.secrets,
      corpus_negative_samples: score.negativeSamples,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  process.stdout.write(`${JSON.stringify({ bench: "audit", ...(await benchAudit()) })}\n`);
}
