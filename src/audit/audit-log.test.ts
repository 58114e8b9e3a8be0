// The audit log on a real SQLite file: appends chain, redaction happens before storage, the
// triggers refuse edits, and verify finds tampering done behind Vigil's back with a raw connection.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { after, before, beforeEach, describe, it } from "node:test";
import Database from "better-sqlite3";
import { applyMigrations, loadMigrations } from "../store/migrate.ts";
import { openDatabase } from "../store/open-database.ts";
import { AuditLog, type AuditRecord, entryFields, GENESIS_HASH, hashFields } from "./index.ts";

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), "vigil-audit-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function freshLog(now?: () => Date): { log: AuditLog; db: Database.Database; path: string } {
  const path = join(dir, `audit-${++n}.db`);
  const db = openDatabase(path);
  // Only this unit's migration, so other units' work in progress cannot break these tests.
  applyMigrations(
    db,
    loadMigrations().filter((m) => m.name.startsWith("0010-")),
  );
  return { log: new AuditLog({ db, now }), db, path };
}

function call(i: number, extra: Partial<AuditRecord> = {}): AuditRecord {
  return {
    actor: `U${i % 3}`,
    source: "chat",
    operator: i % 2 === 0 ? "web-bot" : "db-bot",
    tool: i % 2 === 0 ? "docker.restart" : "ssh.exec",
    arguments: { host: `web-${i}`, command: "uptime" },
    decision: i % 4 === 0 ? "deny" : "allow",
    reason: "within ceiling",
    platform: "slack",
    conversation: "C1",
    thread: `T${i}`,
    ...extra,
  };
}

/** A second connection that does what an attacker with file access would: drop the triggers first. */
function tamper(path: string, change: string | ((raw: Database.Database) => void)): void {
  const raw = new Database(path);
  try {
    raw.exec("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;");
    if (typeof change === "string") raw.exec(change);
    else change(raw);
  } finally {
    raw.close();
  }
}

describe("audit log", () => {
  let log: AuditLog;
  let db: Database.Database;
  let path: string;
  beforeEach(() => {
    ({ log, db, path } = freshLog());
  });

  it("chains appends and verifies an untouched log", () => {
    const first = log.append(call(1));
    const second = log.append(call(2));
    assert.equal(first.seq, 1);
    assert.equal(first.prevHash, GENESIS_HASH);
    assert.equal(second.prevHash, first.hash);
    assert.equal(hashFields(second.prevHash, entryFields(second)), second.hash);
    for (let i = 3; i <= 50; i++) log.append(call(i));
    const r = log.verify();
    assert.deepEqual(r, { ok: true, checked: 50, lastSeq: 50, problems: [] });
    assert.deepEqual(log.head(), { seq: 50, hash: log.get(50)!.hash });
  });

  it("refuses UPDATE and DELETE through a normal connection", () => {
    log.append(call(1));
    assert.throws(
      () => db.prepare("UPDATE audit_log SET decision = 'allow'").run(),
      /audit log is append-only/,
    );
    assert.throws(() => db.prepare("DELETE FROM audit_log WHERE seq = 1").run(), /audit log is append-only/);
    const other = new Database(path);
    try {
      assert.throws(() => other.exec("DELETE FROM audit_log"), /audit log is append-only/);
    } finally {
      other.close();
    }
    assert.equal(log.verify().ok, true);
  });

  it("finds a row edited behind Vigil's back", () => {
    for (let i = 1; i <= 10; i++) log.append(call(i));
    tamper(path, "UPDATE audit_log SET decision = 'allow', reason = 'looked fine' WHERE seq = 4");
    const r = log.verify();
    assert.equal(r.ok, false);
    assert.deepEqual(
      r.problems.map((p) => [p.seq, p.kind]),
      [[4, "edited"]],
    );
  });

  it("finds a row edited with its hash recomputed, at the next link", () => {
    for (let i = 1; i <= 10; i++) log.append(call(i));
    const e = log.get(6)!;
    const forged = { ...e, decision: "approved" };
    const hash = hashFields(e.prevHash, entryFields(forged));
    tamper(path, `UPDATE audit_log SET decision = 'approved', hash = '${hash}' WHERE seq = 6`);
    const r = log.verify();
    assert.deepEqual(
      r.problems.map((p) => [p.seq, p.kind]),
      [[7, "broken-chain"]],
    );
    assert.match(r.problems[0].detail, /record 6 was rewritten/);
  });

  it("finds a row deleted from the middle and rows cut from the end", () => {
    for (let i = 1; i <= 10; i++) log.append(call(i));
    tamper(path, "DELETE FROM audit_log WHERE seq = 5; DELETE FROM audit_log WHERE seq >= 9");
    const r = log.verify();
    assert.deepEqual(
      r.problems.map((p) => [p.seq, p.kind]),
      [
        [5, "missing"],
        [9, "missing"],
      ],
    );
    assert.match(r.problems[1].detail, /records 9–10 are missing from the end/);
    // A later append does not reuse the deleted seqs, so the evidence stays.
    assert.equal(log.append(call(11)).seq, 11);
    assert.deepEqual(
      log.verify().problems.map((p) => [p.seq, p.kind]),
      [
        [5, "missing"],
        [9, "missing"],
      ],
    );
  });

  it("finds two rows whose content was swapped", () => {
    for (let i = 1; i <= 10; i++) log.append(call(i));
    // Swap every field except seq and the hashes between records 3 and 8.
    const cols = ["time", "actor", "operator", "tool", "arguments", "decision", "reason", "thread"];
    tamper(path, (raw) => {
      const read = raw.prepare(`SELECT ${cols.join(", ")} FROM audit_log WHERE seq = ?`);
      const write = raw.prepare(
        `UPDATE audit_log SET ${cols.map((c) => `${c} = @${c}`).join(", ")} WHERE seq = @seq`,
      );
      const a = read.get(3) as Record<string, unknown>;
      const b = read.get(8) as Record<string, unknown>;
      write.run({ ...b, seq: 3 });
      write.run({ ...a, seq: 8 });
    });
    assert.equal(log.get(3)!.thread, "T8");
    const r = log.verify();
    assert.deepEqual(
      r.problems.map((p) => [p.seq, p.kind, p.detail]),
      [
        [3, "reordered", "record 3 holds the content written as record 8"],
        [8, "reordered", "record 8 holds the content written as record 3"],
      ],
    );
  });

  it("finds whole rows (hashes included) moved to other positions", () => {
    for (let i = 1; i <= 6; i++) log.append(call(i));
    tamper(
      path,
      "UPDATE audit_log SET seq = -2 WHERE seq = 2; UPDATE audit_log SET seq = 2 WHERE seq = 5; UPDATE audit_log SET seq = 5 WHERE seq = -2;",
    );
    const r = log.verify();
    assert.deepEqual(
      r.problems.map((p) => [p.seq, p.kind]),
      [
        [2, "reordered"],
        [5, "reordered"],
      ],
    );
  });

  it("appends a batch in one transaction, all or none", () => {
    log.append(call(1));
    const batch = log.appendMany([call(2), call(3), call(4)]);
    assert.deepEqual(
      batch.map((e) => e.seq),
      [2, 3, 4],
    );
    assert.throws(() => log.appendMany([call(5), { actor: "", decision: "allow" }]), /needs an actor/);
    assert.equal(log.head()!.seq, 4);
    assert.equal(log.verify().ok, true);
  });

  it("keeps time non-decreasing when the clock steps back", () => {
    const times = ["2024-05-01T10:00:00.000Z", "2024-05-01T09:59:00.000Z", "2024-05-01T10:01:00.000Z"];
    let i = 0;
    ({ log } = freshLog(() => new Date(times[i++])));
    const e = [log.append(call(1)), log.append(call(2)), log.append(call(3))];
    assert.deepEqual(
      e.map((x) => x.time),
      [times[0], times[0], times[2]],
    );
    assert.equal(log.verify().ok, true);
  });

  it("keeps one chain when two connections append to the same file", () => {
    const db2 = openDatabase(path);
    try {
      const log2 = new AuditLog({ db: db2 });
      for (let i = 1; i <= 20; i++) (i % 2 === 0 ? log : log2).append(call(i));
      assert.deepEqual(log2.verify(), { ok: true, checked: 20, lastSeq: 20, problems: [] });
    } finally {
      db2.close();
    }
  });

  it("detects a rewrite of the whole chain against an anchor kept elsewhere", () => {
    for (let i = 1; i <= 5; i++) log.append(call(i));
    const anchor = log.head()!;
    assert.equal(log.verify({ anchor }).ok, true);
    // Rewrite record 5 and recompute its hash: the chain alone looks intact.
    const e = log.get(5)!;
    const hash = hashFields(e.prevHash, entryFields({ ...e, actor: "someone-else" }));
    tamper(path, `UPDATE audit_log SET actor = 'someone-else', hash = '${hash}' WHERE seq = 5`);
    assert.equal(log.verify().ok, true);
    const r = log.verify({ anchor });
    assert.deepEqual(
      r.problems.map((p) => [p.seq, p.kind]),
      [[5, "edited"]],
    );
  });

  it("redacts arguments, reason, result summary and extra fields before storing them", () => {
    const token = `ghp_${"aB3".repeat(12)}`;
    log.append(
      call(1, {
        arguments: {
          url: "postgres://app:Hunter2hunter2@db:5432/app",
          headers: { Authorization: "Bearer x" },
          n: 1,
        },
        reason: `user pasted ${token}`,
        resultSummary: "mail sent to jane.roe@example.com",
        details: { apiKey: "abc" },
      }),
    );
    const raw = db
      .prepare("SELECT arguments, reason, result_summary, details FROM audit_log")
      .get() as Record<string, string>;
    const all = JSON.stringify(raw);
    for (const secret of ["Hunter2hunter2", "Bearer x", token, "jane.roe@example.com", '"abc"']) {
      assert.ok(!all.includes(secret), `${secret} reached the database: ${all}`);
    }
    assert.deepEqual(JSON.parse(raw.arguments), {
      url: "postgres://app:[REDACTED:url-password]@db:5432/app",
      headers: { Authorization: "[REDACTED:secret]" },
      n: 1,
    });
    assert.equal(raw.reason, "user pasted [REDACTED:github-token]");
    assert.equal(log.verify().ok, true);
  });

  it("keeps unknown record fields in details and cuts huge strings", () => {
    const e = log.append({
      actor: "ana",
      decision: "allow",
      kind: "tool-call",
      arguments: { body: "x".repeat(10_000) },
    } as AuditRecord);
    assert.equal(e.source, "system");
    assert.deepEqual(e.details, { kind: "tool-call" });
    assert.ok((e.arguments as { body: string }).body.length < 4200);
    assert.equal(log.verify().ok, true);
  });

  it("says to migrate when the table is missing", () => {
    const empty = new Database(":memory:");
    assert.throws(() => new AuditLog({ db: empty }), /apply the store migrations/);
    empty.close();
  });

  it("rejects records without an actor, a decision or a known source", () => {
    assert.throws(() => log.append({ actor: "", decision: "allow" }), /needs an actor/);
    assert.throws(() => log.append({ actor: "a", decision: "" }), /needs a decision/);
    assert.throws(
      () => log.append({ actor: "a", decision: "allow", source: "email" as never }),
      /not one of/,
    );
  });

  it("filters and pages queries newest first", () => {
    let t = Date.parse("2024-05-01T00:00:00Z");
    ({ log } = freshLog(() => {
      t += 60_000;
      return new Date(t);
    }));
    for (let i = 1; i <= 40; i++) log.append(call(i));
    assert.deepEqual(
      log.query({ actor: "U1", limit: 3 }).map((e) => e.seq),
      [40, 37, 34],
    );
    assert.deepEqual(
      log.query({ actor: "U1", limit: 3, beforeSeq: 34 }).map((e) => e.seq),
      [31, 28, 25],
    );
    assert.ok(
      log
        .query({ tool: "ssh.exec", decision: "allow" })
        .every((e) => e.tool === "ssh.exec" && e.decision === "allow"),
    );
    assert.equal(log.query({ operator: "db-bot" }).length, 20);
    assert.deepEqual(
      log.query({ since: "2024-05-01T00:10:00Z", until: new Date("2024-05-01T00:13:00Z") }).map((e) => e.seq),
      [12, 11, 10],
    );
    assert.throws(() => log.query({ since: "yesterday" }), /not a time/);
  });

  it("exports JSONL lines that parse and re-check against their hashes", async () => {
    for (let i = 1; i <= 1500; i++) log.append(call(i));
    const out = new PassThrough({ highWaterMark: 1024 });
    let text = "";
    out.on("data", (c: Buffer) => {
      text += c.toString("utf8");
    });
    const count = await log.exportJsonl(out);
    out.end();
    const lines = text.trimEnd().split("\n");
    assert.equal(count, 1500);
    assert.equal(lines.length, 1500);
    let prev = GENESIS_HASH;
    for (const line of lines) {
      const e = JSON.parse(line);
      assert.equal(e.prevHash, prev);
      assert.equal(hashFields(e.prevHash, entryFields(e)), e.hash);
      prev = e.hash;
    }
    assert.deepEqual(
      [...log.iterate({ fromSeq: 1499 })].map((e) => e.seq),
      [1499, 1500],
    );
  });
});
