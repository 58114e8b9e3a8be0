// shell.exec: argument arrays, confinement to the working directory, a scrubbed environment,
// timeouts that kill the whole process group, and capped output (invariant 6).

import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { ErrorCodes, VigilError } from "../../core/errors.ts";
import { waitFor } from "../../testing/wait-for.ts";
import type { ToolContext } from "../tool.ts";
import { shellExecTool } from "./shell-exec.ts";

describe("shell.exec", () => {
  let base: string;
  let wd: string;
  const ctx = (signal = new AbortController().signal): ToolContext => ({ signal, workingDirectory: wd });

  before(() => {
    base = mkdtempSync(path.join(tmpdir(), "vigil-shell-"));
    wd = path.join(base, "work");
    mkdirSync(wd);
    writeFileSync(path.join(base, "outside.txt"), "OUTSIDE");
    writeFileSync(path.join(wd, "inside.txt"), "INSIDE");
    symlinkSync(path.join(base, "outside.txt"), path.join(wd, "link-out"));
    writeFileSync(path.join(base, "evil.sh"), "#!/bin/sh\necho evil\n", { mode: 0o755 });
    writeFileSync(path.join(wd, "hello.sh"), '#!/bin/sh\necho hello "$1"\n', { mode: 0o755 });
    chmodSync(path.join(wd, "hello.sh"), 0o755);
  });

  after(() => rmSync(base, { recursive: true, force: true }));

  const tool = () => shellExecTool({ workingDirectory: wd, maxOutputBytes: 1000 });
  const run = (
    command: string,
    args: string[] = [],
    extra: Record<string, unknown> = {},
    signal?: AbortSignal,
  ) => {
    const t = tool();
    return t.run(t.parseArgs({ command, args, ...extra }), ctx(signal));
  };
  const denied = (err: unknown) => err instanceof VigilError && err.code === ErrorCodes.POLICY_DENIED;

  it("declares exec permission and a shell resource", () => {
    const t = tool();
    const args = t.parseArgs({ command: "ls", args: ["-l"] });
    assert.equal(t.permission(args), "exec");
    assert.equal(t.resource(args), `shell:${wd}:ls`);
  });

  it("runs in the working directory with arguments passed literally", async () => {
    const r = await run("cat", ["inside.txt"]);
    assert.equal(r.ok, true, r.output);
    assert.equal(r.output, "INSIDE");
    // No shell: metacharacters are plain bytes of one argument.
    const echo = await run("echo", ["$HOME; rm -rf / | `id` *"]);
    assert.equal(echo.output, "$HOME; rm -rf / | `id` *\n");
    const pwd = await run("pwd");
    assert.equal(pwd.output, `${wd}\n`);
  });

  it("passes only PATH, HOME and LANG; a secret in the parent is not visible", async () => {
    process.env.VIGIL_TEST_SECRET = "s3cr3t-value";
    try {
      const r = await run("env");
      assert.equal(r.ok, true);
      assert.doesNotMatch(r.output, /s3cr3t-value|VIGIL_TEST_SECRET/);
      const names = r.output
        .trim()
        .split("\n")
        .map((l) => l.split("=")[0])
        .sort();
      assert.deepEqual(names, ["HOME", "LANG", "PATH"]);
      assert.match(r.output, new RegExp(`^HOME=${wd}$`, "m"));
    } finally {
      delete process.env.VIGIL_TEST_SECRET;
    }
  });

  it("runs a program inside the working directory by relative path", async () => {
    const r = await run("./hello.sh", ["there"]);
    assert.equal(r.output, "hello there\n");
  });

  const refusals: [string, string, string[]][] = [
    ["a program path outside", "../evil.sh", []],
    ["an absolute program path outside", "/bin/sh", []],
    ["an absolute file argument outside", "cat", ["/etc/passwd"]],
    ["a dot-dot file argument", "cat", ["../outside.txt"]],
    ["a symlink argument pointing out", "cat", ["link-out"]],
    ["an --opt=/outside argument", "ls", ["--directory=/etc"]],
    ["a NUL byte in an argument", "echo", ["a\0b"]],
  ];
  for (const [what, command, args] of refusals) {
    it(`refuses ${what}`, async () => {
      await assert.rejects(run(command, args), denied);
    });
  }

  it("says what to fix for an unknown command", async () => {
    await assert.rejects(run("no-such-command-vigil"), /was not found on \/usr\/local\/sbin/);
  });

  it("looks commands up on the fixed PATH, not the caller's", async () => {
    const bin = path.join(base, "bin");
    mkdirSync(bin);
    writeFileSync(path.join(bin, "vigil-planted"), "#!/bin/sh\necho planted\n", { mode: 0o755 });
    const saved = process.env.PATH;
    process.env.PATH = `${bin}:${saved}`;
    try {
      await assert.rejects(run("vigil-planted"), /was not found/);
    } finally {
      process.env.PATH = saved;
    }
  });

  it("reports the exit code", async () => {
    const r = await run("sh", ["-c", "exit 4"]);
    assert.equal(r.ok, false);
    assert.match(r.output, /\[exit code 4\]/);
  });

  it("kills the whole process group on timeout", async () => {
    const pidFile = path.join(wd, "child.pid");
    const started = Date.now();
    // The grandchild ignores its parent's death; only a group kill stops it.
    const r = await run("sh", ["-c", "sleep 60 & echo $! > child.pid; wait"], { timeoutMs: 300 });
    assert.equal(r.ok, false);
    assert.match(r.output, /timed out after 300 ms/);
    assert.ok(Date.now() - started < 5000);
    const pid = Number(readFileSync(pidFile, "utf8"));
    await waitFor(() => !alive(pid), { timeoutMs: 3000, what: "the grandchild to die" });
  });

  it("stops when the call is aborted", async () => {
    const ac = new AbortController();
    const pending = run("sleep", ["60"], {}, ac.signal);
    setImmediate(() => ac.abort());
    const r = await pending;
    assert.equal(r.ok, false);
    assert.match(r.output, /stopped/);
  });

  it("caps the output with a note", async () => {
    const r = await run("seq", ["1", "100000"]);
    assert.equal(r.ok, true);
    assert.match(r.output, /output truncated: showed 1000 of 588895 bytes/);
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    // A zombie still answers signal 0; read its state.
    return !readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.startsWith("Z");
  } catch {
    return false;
  }
}
