import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { McpHub } from "./mcp-hub.ts";
import { launchOf } from "./server-launch.ts";

const FILESYSTEM = "@modelcontextprotocol/server-filesystem";
const READ_ONLY = ["read_text_file", "list_directory", "get_file_info", "search_files"];
const WRITING = ["write_file", "edit_file", "move_file", "create_directory"];

describe("server-filesystem with a temp root", () => {
  const root = realpathSync(mkdtempSync(join(tmpdir(), "vigil-mcp-fs-")));
  const hub = new McpHub({ cwd: import.meta.dirname });
  const ctx = { signal: new AbortController().signal, workingDirectory: root };
  before(async () => {
    await Promise.all([
      hub.add({ name: "fs", package: FILESYSTEM, args: [root] }),
      hub.add({ name: "fsexec", package: FILESYSTEM, args: [root], permission: "exec" }),
      hub.add({
        name: "fsmixed",
        package: FILESYSTEM,
        args: [root],
        permission: "read",
        tools: { write_file: { permission: "read" }, list_directory: { permission: "elevate" } },
      }),
    ]);
  });
  after(async () => {
    await hub.close();
    rmSync(root, { recursive: true, force: true });
  });

  it("runs the locally installed bin with our node, not npx", () => {
    const launch = launchOf({ name: "fs", package: FILESYSTEM, args: [root] }, import.meta.dirname);
    assert.equal(launch.command, process.execPath);
    assert.match(launch.args[0], /server-filesystem[/\\]dist[/\\]index\.js$/);
    assert.equal(launch.args[1], root);
    const missing = launchOf({ name: "x", package: "@vigil-test/not-installed" }, import.meta.dirname);
    assert.deepEqual([missing.command, ...missing.args], ["npx", "-y", "@vigil-test/not-installed"]);
  });

  it("maps readOnlyHint tools to read and writing tools to write", () => {
    for (const name of READ_ONLY) assert.equal(hub.tool(`mcp.fs.${name}`)!.permission({}), "read", name);
    for (const name of WRITING) assert.equal(hub.tool(`mcp.fs.${name}`)!.permission({}), "write", name);
  });

  it("raises every tool to the server's configured level", () => {
    const tools = hub.tools().filter((t) => t.server === "fsexec");
    assert.ok(tools.length >= READ_ONLY.length + WRITING.length);
    for (const t of tools) assert.equal(t.permission({}), "exec", t.name);
  });

  it("never lets a config level lower what the annotations say; a per-tool level may raise", () => {
    assert.equal(hub.tool("mcp.fsmixed.write_file")!.permission({}), "write");
    assert.equal(hub.tool("mcp.fsmixed.read_text_file")!.permission({}), "read");
    assert.equal(hub.tool("mcp.fsmixed.list_directory")!.permission({}), "elevate");
  });

  it("writes and reads a file inside the root through the Tool objects", async () => {
    const write = hub.tool("mcp.fs.write_file")!;
    const path = join(root, "note.txt");
    const written = await write.run(write.parseArgs({ path, content: "hello from vigil" }), ctx);
    assert.equal(written.ok, true, written.output);
    assert.equal(readFileSync(path, "utf8"), "hello from vigil");
    const read = hub.tool("mcp.fs.read_text_file")!;
    assert.equal((await read.run(read.parseArgs({ path }), ctx)).output, "hello from vigil");
    assert.equal(read.resource({ path }), "mcp:fs/read_text_file");
  });

  it("reports a tool error from the server as ok: false", async () => {
    const read = hub.tool("mcp.fs.read_text_file")!;
    const outside = await read.run({ path: "/etc/hostname" }, ctx);
    assert.equal(outside.ok, false);
    assert.match(outside.output, /denied|outside|not allowed/i);
  });
});
