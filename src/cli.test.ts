import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { freePort } from "./testing/free-port.ts";
import { runCli } from "./testing/run-cli.ts";
import { tempDir } from "./testing/temp-dir.ts";
import { waitFor } from "./testing/wait-for.ts";

const CLI = join(import.meta.dirname, "cli.ts");

describe("vigil command", () => {
  it("answers help and ping from piped input and exits at end of input", async () => {
    using dir = tempDir();
    const res = await runCli(
      ["chat"],
      { VIGIL_DATA_DIR: dir.path },
      "help\nping\nstatsu\nplease restart nginx\n",
    );
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /`ping`: check that I am listening/);
    assert.match(res.stdout, /^pong$/m);
    assert.match(res.stdout, /I don't know the command `statsu`\. Did you mean `status`\?/);
    assert.match(
      res.stdout,
      /No model is configured for this[\s\S]*`run docker\.list all=true`/,
      "free text explains how to configure a model",
    );
    assert.match(res.stderr, /generated its secret in .*secret\.key/);
    assert.match(res.stderr, /Admin token \(shown once, stored hashed\): vgl_/);
    const again = await runCli(["chat"], { VIGIL_DATA_DIR: dir.path }, "ping\n");
    assert.doesNotMatch(again.stderr, /Admin token/, "the admin token is printed only once");
  });

  it("prints help and rejects unknown commands", async () => {
    using dir = tempDir();
    const help = await runCli(["--help"], { VIGIL_DATA_DIR: dir.path });
    assert.equal(help.code, 0);
    assert.match(help.stdout, /vigil start/);
    const bad = await runCli(["launch"], { VIGIL_DATA_DIR: dir.path });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /unknown command "launch"/);
  });

  it("fails at start on malformed config with the field's path and no stack trace", async () => {
    using dir = tempDir();
    writeFileSync(join(dir.path, "vigil.yaml"), "server:\n  port: lots\n");
    const res = await runCli(["chat"], { VIGIL_DATA_DIR: dir.path }, "ping\n");
    assert.equal(res.code, 1);
    assert.match(res.stderr, /server\.port \(in .*vigil\.yaml\): expected a port number/);
    assert.doesNotMatch(res.stderr, /\n\s+at /);
  });

  it("refuses a corrupt database with a clear error and leaves the file as it was", async () => {
    using dir = tempDir();
    const db = join(dir.path, "vigil.db");
    writeFileSync(db, "garbage ".repeat(1000));
    const res = await runCli(["chat"], { VIGIL_DATA_DIR: dir.path }, "ping\n");
    assert.equal(res.code, 1);
    assert.match(res.stderr, /vigil\.db is damaged or is not a Vigil database/);
    assert.equal(readFileSync(db, "utf8"), "garbage ".repeat(1000));
  });

  it("refuses to start with a secret that does not match the data", async () => {
    using dir = tempDir();
    assert.equal((await runCli(["chat"], { VIGIL_DATA_DIR: dir.path }, "ping\n")).code, 0);
    const res = await runCli(
      ["chat"],
      { VIGIL_DATA_DIR: dir.path, VIGIL_SECRET: "some-other-secret-entirely" },
      "ping\n",
    );
    assert.equal(res.code, 1);
    assert.match(res.stderr, /VIGIL_SECRET does not decrypt the data/);
  });

  it("starts the service with no config and serves /healthz", async () => {
    using dir = tempDir();
    const port = await freePort();
    const child = spawn(process.execPath, [CLI, "start"], {
      env: { PATH: process.env.PATH, HOME: dir.path, VIGIL_DATA_DIR: dir.path, VIGIL_PORT: String(port) },
      stdio: "ignore",
    });
    try {
      const body = await waitFor(
        async () => {
          try {
            const res = await fetch(`http://127.0.0.1:${port}/healthz`);
            return res.status === 200 ? ((await res.json()) as { status: string }) : undefined;
          } catch {
            return undefined;
          }
        },
        { timeoutMs: 15_000, intervalMs: 50, what: "/healthz" },
      );
      assert.equal(body.status, "ok");
    } finally {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      assert.equal(await exited, 0);
    }
  });
});
