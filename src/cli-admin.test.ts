import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import Database from "better-sqlite3";
import { AuditLog } from "./audit/index.ts";
import { openStore } from "./store/index.ts";
import { runCli } from "./testing/run-cli.ts";
import { tempDir } from "./testing/temp-dir.ts";
import { HostKeyStore } from "./tools/native/host-key-store.ts";

/** A data dir initialised by a first run, with `n` audit records. */
async function installation(dir: string, n: number): Promise<string> {
  assert.equal((await runCli(["chat"], { VIGIL_DATA_DIR: dir }, "ping\n")).code, 0);
  const dbPath = join(dir, "vigil.db");
  const store = openStore(dbPath);
  const audit = new AuditLog({ db: store.db });
  for (let i = 0; i < n; i++)
    audit.append({
      actor: "ana",
      source: "chat",
      tool: "docker.restart",
      arguments: { container: `web-${i}` },
      decision: "executed",
    });
  store.close();
  return dbPath;
}

describe("vigil audit", () => {
  it("verifies an intact log and exports it as JSON lines", async () => {
    using dir = tempDir();
    await installation(dir.path, 5);
    const verify = await runCli(["audit", "verify"], { VIGIL_DATA_DIR: dir.path });
    assert.equal(verify.code, 0, verify.stderr);
    assert.match(verify.stdout, /audit log intact: 5 records/);
    const exported = await runCli(["audit", "export", "--jsonl"], { VIGIL_DATA_DIR: dir.path });
    assert.equal(exported.code, 0);
    const lines = exported.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    assert.equal(lines.length, 5);
    assert.deepEqual(lines[2].arguments, { container: "web-2" });
    assert.match(lines[4].hash, /^[0-9a-f]{64}$/);
    assert.equal(
      (await runCli(["audit", "export"], { VIGIL_DATA_DIR: dir.path })).code,
      1,
      "a format is required",
    );
  });

  it("reports a row edited behind Vigil's back, and where", async () => {
    using dir = tempDir();
    const dbPath = await installation(dir.path, 4);
    const raw = new Database(dbPath);
    const triggers = raw
      .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'")
      .all() as { name: string }[];
    assert.ok(triggers.length >= 2, "append-only triggers exist");
    for (const t of triggers) raw.exec(`DROP TRIGGER ${t.name}`);
    raw.prepare("UPDATE audit_log SET decision = 'denied' WHERE seq = 3").run();
    raw.close();
    const verify = await runCli(["audit", "verify"], { VIGIL_DATA_DIR: dir.path });
    assert.equal(verify.code, 1);
    assert.match(verify.stdout, /TAMPERED/);
    assert.match(verify.stdout, /record 3: edited/);
  });
});

describe("vigil secrets rotate", () => {
  it("re-encrypts stored data under a new secret; the old one no longer opens it", async () => {
    using dir = tempDir();
    await installation(dir.path, 0);
    const oldSecret = readFileSync(join(dir.path, "secret.key"), "utf8").trim();
    const rotated = await runCli(["secrets", "rotate"], { VIGIL_DATA_DIR: dir.path });
    assert.equal(rotated.code, 0, rotated.stderr);
    assert.match(rotated.stdout, /re-encrypted [1-9]\d* stored values/);
    const newSecret = readFileSync(join(dir.path, "secret.key"), "utf8").trim();
    assert.notEqual(newSecret, oldSecret);
    assert.equal(
      (await runCli(["chat"], { VIGIL_DATA_DIR: dir.path }, "ping\n")).code,
      0,
      "the new secret opens the data",
    );
    const withOld = await runCli(["chat"], { VIGIL_DATA_DIR: dir.path, VIGIL_SECRET: oldSecret }, "ping\n");
    assert.equal(withOld.code, 1);
    assert.match(withOld.stderr, /VIGIL_SECRET does not decrypt/);
  });
});

describe("vigil ssh forget", () => {
  it("forgets a pinned host key, audits it, and says when none was pinned", async () => {
    using dir = tempDir();
    const dbPath = await installation(dir.path, 0);
    const store = openStore(dbPath);
    new HostKeyStore({ db: store.db }).pinIfAbsent("10.0.0.5", 2222, Buffer.from("a-host-key-blob"));
    store.close();

    const forgot = await runCli(["ssh", "forget", "10.0.0.5:2222"], { VIGIL_DATA_DIR: dir.path });
    assert.equal(forgot.code, 0, forgot.stderr);
    assert.match(forgot.stdout, /forgot the pinned host key for 10\.0\.0\.5:2222/);
    const again = await runCli(["ssh", "forget", "10.0.0.5:2222"], { VIGIL_DATA_DIR: dir.path });
    assert.equal(again.code, 1);
    assert.match(again.stdout, /no host key is pinned/);
    const bad = await runCli(["ssh", "forget", "10.0.0.5"], { VIGIL_DATA_DIR: dir.path });
    assert.match(bad.stderr, /use vigil ssh forget HOST:PORT/);

    const check = openStore(dbPath);
    const reasons = new AuditLog({ db: check.db }).query({ tool: "ssh.exec" }).map((e) => e.reason);
    check.close();
    assert.ok(reasons.includes("pinned host key for 10.0.0.5:2222 forgotten"));
  });
});
