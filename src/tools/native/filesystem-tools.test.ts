// filesystem.read and filesystem.write through the Tool port: confined, capped, and with
// resources that name the real path the policy gate will see.

import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { ErrorCodes, VigilError } from "../../core/errors.ts";
import type { ToolContext } from "../tool.ts";
import { filesystemReadTool } from "./filesystem-read.ts";
import { filesystemWriteTool } from "./filesystem-write.ts";
import { nativeTools } from "./index.ts";

describe("filesystem tools", () => {
  let base: string;
  let wd: string;
  const ctx = (workingDirectory = wd): ToolContext => ({
    signal: new AbortController().signal,
    workingDirectory,
  });
  const denied = (err: unknown) => err instanceof VigilError && err.code === ErrorCodes.POLICY_DENIED;

  before(() => {
    base = mkdtempSync(path.join(tmpdir(), "vigil-fs-"));
    wd = path.join(base, "work");
    mkdirSync(path.join(wd, "logs"), { recursive: true });
    writeFileSync(path.join(base, "outside.txt"), "OUTSIDE");
    writeFileSync(path.join(wd, "notes.txt"), "hello notes");
    writeFileSync(path.join(wd, "big.txt"), "x".repeat(5000));
    writeFileSync(path.join(wd, "blob.bin"), Buffer.from([0, 1, 2, 3]));
    symlinkSync(path.join(base, "outside.txt"), path.join(wd, "link-out"));
    symlinkSync("notes.txt", path.join(wd, "alias.txt"));
  });

  after(() => rmSync(base, { recursive: true, force: true }));

  it("reads a file, with read permission and an fs:<realpath> resource", async () => {
    const t = filesystemReadTool({ workingDirectory: wd });
    const args = t.parseArgs({ path: "alias.txt" });
    assert.equal(t.permission(args), "read");
    assert.equal(t.resource(args), `fs:${path.join(wd, "notes.txt")}`);
    const r = await t.run(args, ctx());
    assert.equal(r.output, "hello notes");
  });

  it("names the outside path in the resource of an escape, and refuses to run it", async () => {
    const t = filesystemReadTool({ workingDirectory: wd });
    assert.equal(t.resource(t.parseArgs({ path: "../outside.txt" })), `fs:${path.join(base, "outside.txt")}`);
    await assert.rejects(t.run(t.parseArgs({ path: "../outside.txt" }), ctx()), denied);
    await assert.rejects(t.run(t.parseArgs({ path: "link-out" }), ctx()), denied);
    await assert.rejects(t.run(t.parseArgs({ path: "/etc/passwd" }), ctx()), denied);
  });

  it("caps a large file and marks binaries", async () => {
    const t = filesystemReadTool({ workingDirectory: wd, maxBytes: 100 });
    const r = await t.run(t.parseArgs({ path: "big.txt" }), ctx());
    assert.match(r.output, /^x{100}\n\[truncated: showed 100 of 5000 bytes\]$/);
    const b = await t.run(t.parseArgs({ path: "blob.bin" }), ctx());
    assert.equal(b.output, "[binary file, 4 bytes]");
  });

  it("lists a directory", async () => {
    const t = filesystemReadTool({ workingDirectory: wd });
    const r = await t.run(t.parseArgs({ path: "." }), ctx());
    assert.deepEqual(
      r.output.split("\n").sort(),
      ["alias.txt@", "big.txt", "blob.bin", "link-out@", "logs/", "notes.txt"].sort(),
    );
  });

  it("refuses a call for another working directory", async () => {
    const t = filesystemReadTool({ workingDirectory: wd });
    await assert.rejects(t.run(t.parseArgs({ path: "outside.txt" }), ctx(base)), /confined to/);
  });

  it("writes, appends and creates inside; write permission", async () => {
    const t = filesystemWriteTool({ workingDirectory: wd });
    const args = t.parseArgs({ path: "logs/out.txt", content: "one" });
    assert.equal(t.permission(args), "write");
    assert.equal(t.resource(args), `fs:${path.join(wd, "logs", "out.txt")}`);
    assert.match((await t.run(args, ctx())).output, /^created .*out\.txt \(3 bytes\)$/);
    await t.run(t.parseArgs({ path: "logs/out.txt", content: "-two", mode: "append" }), ctx());
    assert.equal(readFileSync(path.join(wd, "logs", "out.txt"), "utf8"), "one-two");
    await t.run(t.parseArgs({ path: "logs/out.txt", content: "z" }), ctx());
    assert.equal(readFileSync(path.join(wd, "logs", "out.txt"), "utf8"), "z");
    await assert.rejects(
      t.run(t.parseArgs({ path: "logs/out.txt", content: "z", mode: "create" }), ctx()),
      /already exists/,
    );
  });

  it("refuses writes that escape and leaves outside files alone", async () => {
    const t = filesystemWriteTool({ workingDirectory: wd });
    for (const p of [
      "../outside.txt",
      "link-out",
      path.join(base, "outside.txt"),
      ".",
      "logs/../../outside.txt",
    ]) {
      await assert.rejects(t.run(t.parseArgs({ path: p, content: "pwned" }), ctx()), denied, p);
    }
    assert.equal(readFileSync(path.join(base, "outside.txt"), "utf8"), "OUTSIDE");
  });

  it("refuses content over the cap", async () => {
    const t = filesystemWriteTool({ workingDirectory: wd, maxBytes: 10 });
    await assert.rejects(
      t.run(t.parseArgs({ path: "n.txt", content: "0123456789A" }), ctx()),
      /limit is 10 bytes/,
    );
  });

  it("nativeTools builds the local tools, and docker and ssh only with their collaborators", () => {
    assert.deepEqual(
      nativeTools({ workingDirectory: wd }).map((t) => t.name),
      ["filesystem.read", "filesystem.write", "shell.exec", "http.check"],
    );
  });
});
