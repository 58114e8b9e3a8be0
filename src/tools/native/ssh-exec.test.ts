// ssh.exec against a real private OpenSSH server: runs commands, pins the host key on first
// use, refuses a changed key with both fingerprints (invariant 8), times out, caps output.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import Database from "better-sqlite3";
import { ErrorCodes, VigilError } from "../../core/errors.ts";
import { applyMigrations } from "../../store/migrate.ts";
import { type PrivateSshd, sshdUnavailable, startSshd } from "../../testing/sshd.ts";
import type { ToolContext } from "../tool.ts";
import { HostKeyStore } from "./host-key-store.ts";
import { type SshExecTool, sshExecTool } from "./ssh-exec.ts";

const skip = sshdUnavailable();
const ctx = (): ToolContext => ({ signal: new AbortController().signal, workingDirectory: tmpdir() });

describe("ssh.exec", { skip }, () => {
  let sshd: PrivateSshd;
  let dir: string;
  let db: Database.Database;
  let store: HostKeyStore;
  let tool: SshExecTool;
  const warnings: object[] = [];

  before(async () => {
    sshd = await startSshd();
    dir = mkdtempSync(path.join(tmpdir(), "vigil-ssh-test-"));
    db = new Database(path.join(dir, "vigil.db"));
    applyMigrations(db);
    store = new HostKeyStore({ db });
    tool = sshExecTool({
      hostKeys: store,
      credentials: ({ host, port }) =>
        host === sshd.host && port === sshd.port ? { privateKey: sshd.clientPrivateKey } : undefined,
      maxOutputBytes: 1000,
      log: { info: () => {}, warn: (o) => warnings.push(o) },
    });
  });

  after(async () => {
    await sshd?.stop();
    db?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const call = (command: string, extra: Record<string, unknown> = {}) =>
    tool.run(tool.parseArgs({ host: sshd.host, port: sshd.port, user: sshd.user, command, ...extra }), ctx());

  it("declares exec permission and an ssh resource", () => {
    const args = tool.parseArgs({ host: "127.0.0.1", port: 2222, user: "deploy", command: "uptime" });
    assert.equal(tool.permission(args), "exec");
    assert.equal(tool.resource(args), "ssh:deploy@127.0.0.1:2222");
  });

  it("runs a command and pins the host key on first use", async () => {
    assert.equal(store.get(sshd.host, sshd.port), undefined);
    const r = await call("echo hello-from-sshd; echo err >&2");
    assert.equal(r.ok, true, r.output);
    assert.match(r.output, /hello-from-sshd/);
    assert.match(r.output, /err/);
    const pin = store.get(sshd.host, sshd.port);
    assert.equal(pin?.fingerprint, sshd.hostKeyFingerprint());
    assert.equal(pin?.keyType, "ssh-ed25519");
  });

  it("reports a non-zero exit code", async () => {
    const r = await call("exit 3");
    assert.equal(r.ok, false);
    assert.match(r.output, /exit code 3/);
  });

  it("caps the output", async () => {
    const r = await call("seq 1 5000");
    assert.match(r.output, /output truncated: showed 1000 of \d+ bytes/);
    assert.ok(r.output.length < 1200);
  });

  it("times out a long command", async () => {
    const started = Date.now();
    const r = await call("sleep 30", { timeoutMs: 500 });
    assert.equal(r.ok, false);
    assert.match(r.output, /timed out after 500 ms/);
    assert.ok(Date.now() - started < 10_000);
  });

  it("says what to fix when no credentials are configured", async () => {
    await assert.rejects(
      tool.run(tool.parseArgs({ host: "127.0.0.2", port: 22, user: "x", command: "true" }), ctx()),
      /no SSH credentials are configured for x@127\.0\.0\.2:22/,
    );
  });

  it("refuses a changed host key, shows both fingerprints, and connects again after forget", async () => {
    const pinned = store.get(sshd.host, sshd.port)!.fingerprint;
    await sshd.rotateHostKey();
    const offered = sshd.hostKeyFingerprint();
    assert.notEqual(offered, pinned);
    const target = `${sshd.host}:${sshd.port}`;
    await assert.rejects(call("echo should-not-run"), (err: unknown) => {
      assert.ok(err instanceof VigilError);
      assert.equal(err.code, ErrorCodes.POLICY_DENIED);
      assert.equal(
        err.message,
        `host key for ${target} changed: pinned ${pinned}, offered ${offered} — if the change is expected, run \`vigil ssh forget ${target}\``,
      );
      return true;
    });
    assert.equal(store.get(sshd.host, sshd.port)?.fingerprint, pinned, "the pin must not move");
    assert.deepEqual(warnings.at(-1), { target, pinned, offered });

    assert.equal(tool.forget(sshd.host, sshd.port), true);
    const r = await call("echo after-forget");
    assert.equal(r.ok, true, r.output);
    assert.equal(store.get(sshd.host, sshd.port)?.fingerprint, offered);
  });

  it("reports an unreachable host as a failed call", async () => {
    const closed = sshExecTool({
      hostKeys: store,
      credentials: () => ({ password: "x" }),
      connectTimeoutMs: 2000,
    });
    // Port 1 on loopback: nothing listens there.
    const r = await closed.run(
      closed.parseArgs({ host: "127.0.0.1", port: 1, user: "x", command: "true" }),
      ctx(),
    );
    assert.equal(r.ok, false);
    assert.match(r.output, /could not connect to 127\.0\.0\.1:1: ECONNREFUSED/);
  });
});
