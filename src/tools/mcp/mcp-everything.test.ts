import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { waitFor } from "../../testing/wait-for.ts";
import { McpHub } from "./mcp-hub.ts";
import type { ToolsChangedEvent } from "./mcp-server-connection.ts";
import type { McpTool } from "./mcp-tool.ts";
import { localBin } from "./server-launch.ts";

const EVERYTHING = "@modelcontextprotocol/server-everything";
const ctx = (signal = new AbortController().signal) => ({ signal, workingDirectory: tmpdir() });

function tool(hub: McpHub, name: string): McpTool {
  const found = hub.tool(name);
  assert.ok(found, `tool ${name} is listed`);
  return found;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("server-everything over stdio", () => {
  const hub = new McpHub({ cwd: import.meta.dirname, reconnect: { initialDelayMs: 50, maxDelayMs: 500 } });
  const events: ToolsChangedEvent[] = [];
  before(async () => {
    process.env["VIGIL_TEST_PARENT_SECRET"] = "do-not-leak";
    hub.onToolsChanged((event) => events.push(event));
    await hub.start();
    await hub.add({
      name: "everything",
      package: EVERYTHING,
      args: ["stdio"],
      env: { VIGIL_MCP_EXTRA: "given" },
      timeoutMs: 60_000,
    });
  });
  after(async () => {
    delete process.env["VIGIL_TEST_PARENT_SECRET"];
    await hub.close();
  });

  it("lists the server's tools as mcp.<server>.<tool> with their schemas", () => {
    const names = hub.tools().map((t) => t.name);
    for (const expected of ["mcp.everything.echo", "mcp.everything.get-sum", "mcp.everything.get-env"]) {
      assert.ok(names.includes(expected), `${expected} in ${names.join(", ")}`);
    }
    const echo = tool(hub, "mcp.everything.echo");
    assert.deepEqual((echo.inputSchema as { required: string[] }).required, ["message"]);
    assert.equal(echo.resource({ message: "x" }), "mcp:everything/echo");
    assert.equal(events[0]?.reason, "connect");
  });

  it("calls echo and get-sum through the Tool objects", async () => {
    const echo = tool(hub, "mcp.everything.echo");
    const echoed = await echo.run(echo.parseArgs({ message: "hello vigil" }), ctx());
    assert.deepEqual({ ok: echoed.ok, output: echoed.output }, { ok: true, output: "Echo: hello vigil" });
    const sum = tool(hub, "mcp.everything.get-sum");
    const added = await sum.run(sum.parseArgs({ a: 2, b: 40 }), ctx());
    assert.equal(added.ok, true);
    assert.match(added.output, /\b42\b/);
  });

  it("rejects malformed arguments by field name before calling the server", () => {
    const sum = tool(hub, "mcp.everything.get-sum");
    assert.throws(() => sum.parseArgs({ a: 2 }), /args\.b: required/);
    assert.throws(() => sum.parseArgs({ a: "2", b: 3 }), /args\.a: expected number, got string/);
    assert.throws(() => sum.parseArgs("{}"), /args: expected object/);
  });

  it("maps annotations to permissions: read-only tools need read, others write", () => {
    assert.equal(tool(hub, "mcp.everything.get-env").permission({}), "read");
    assert.equal(tool(hub, "mcp.everything.echo").permission({ message: "x" }), "read");
    assert.equal(tool(hub, "mcp.everything.toggle-simulated-logging").permission({}), "write");
  });

  it("stops a long-running tool when the signal aborts, and the server keeps working", async () => {
    const long = tool(hub, "mcp.everything.trigger-long-running-operation");
    const controller = new AbortController();
    const started = Date.now();
    const pending = long.run(long.parseArgs({ duration: 30, steps: 30 }), ctx(controller.signal));
    setImmediate(() => controller.abort());
    const result = await pending;
    assert.equal(result.ok, false);
    assert.match(result.output, /stopped before it finished/);
    assert.ok(Date.now() - started < 5000, "did not wait for the 30 s operation");
    const echo = tool(hub, "mcp.everything.echo");
    assert.equal((await echo.run({ message: "still here" }, ctx())).output, "Echo: still here");
  });

  it("gives the server a scrubbed environment: no parent secrets, only what was configured", async () => {
    const getEnv = tool(hub, "mcp.everything.get-env");
    const result = await getEnv.run({}, ctx());
    const env = JSON.parse(result.output) as Record<string, string>;
    assert.equal(env["VIGIL_MCP_EXTRA"], "given");
    assert.equal(env["PATH"], process.env["PATH"]);
    assert.equal(env["VIGIL_TEST_PARENT_SECRET"], undefined);
    const unexpected = Object.keys(env).filter(
      (k) => !["PATH", "HOME", "LANG", "VIGIL_MCP_EXTRA"].includes(k),
    );
    assert.deepEqual(unexpected, []);
  });

  it("rescans on command", async () => {
    const before = events.length;
    const tools = await hub.rescan("everything");
    assert.ok(tools.some((t) => t.name === "mcp.everything.echo"));
    assert.ok(events.slice(before).some((e) => e.reason === "rescan"));
  });

  it("reconnects with backoff when the server process dies", async () => {
    const connection = hub.connection("everything")!;
    const oldPid = connection.pid!;
    const seen = events.length;
    process.kill(oldPid, "SIGKILL");
    await waitFor(
      () => connection.status === "connected" && connection.pid !== oldPid && connection.pid !== undefined,
      {
        timeoutMs: 10_000,
        what: "the server to be restarted",
      },
    );
    // The server may also announce list_changed after it restarts; the reconnect scan must be there.
    assert.ok(events.slice(seen).some((e) => e.reason === "reconnect"));
    const echo = tool(hub, "mcp.everything.echo");
    assert.equal((await echo.run({ message: "back" }, ctx())).output, "Echo: back");
  });

  it("kills the child on close", async () => {
    const extra = new McpHub({ cwd: import.meta.dirname });
    const connection = await extra.add({ name: "short", package: EVERYTHING, args: ["stdio"] });
    const pid = connection.pid!;
    await extra.close();
    await waitFor(
      () => {
        try {
          process.kill(pid, 0);
          return false;
        } catch {
          return true;
        }
      },
      { what: "the child to exit" },
    );
    assert.equal(connection.status, "closed");
  });
});

describe("server-everything: tools/list_changed", () => {
  const root = mkdtempSync(join(tmpdir(), "vigil-mcp-roots-"));
  const hub = new McpHub({ cwd: import.meta.dirname });
  after(async () => {
    await hub.close();
    rmSync(root, { recursive: true, force: true });
  });

  it("rescans when the server announces a changed tool list", async () => {
    const events: ToolsChangedEvent[] = [];
    hub.onToolsChanged((event) => events.push(event));
    // Offering roots makes the server register get-roots-list after initialization and announce it.
    await hub.add({ name: "ev", package: EVERYTHING, args: ["stdio"], roots: [root] });
    await waitFor(() => events.some((e) => e.reason === "list_changed"), { what: "a list_changed rescan" });
    assert.ok(hub.tool("mcp.ev.get-roots-list"), "the newly registered tool is listed");
    const roots = await hub.tool("mcp.ev.get-roots-list")!.run({}, ctx());
    assert.match(roots.output, new RegExp(root.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
  });
});

describe("server-everything over streamable HTTP", () => {
  let child: ChildProcess;
  let port: number;
  const hub = new McpHub();
  before(async () => {
    port = await freePort();
    const bin = localBin(EVERYTHING, import.meta.dirname)!;
    child = spawn(
      process.execPath,
      ["--import", join(import.meta.dirname, "testing", "loopback-only.ts"), bin, "streamableHttp"],
      { env: { PATH: process.env["PATH"] ?? "", PORT: String(port) }, stdio: ["ignore", "ignore", "pipe"] },
    );
    let stderr = "";
    child.stderr!.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    await waitFor(() => stderr.includes(`listening on port ${port}`), {
      timeoutMs: 15_000,
      what: "the HTTP server",
    });
    await hub.add({ name: "web", url: `http://127.0.0.1:${port}/mcp` });
  });
  after(async () => {
    await hub.close();
    child.kill("SIGKILL");
  });

  it("lists and calls tools over HTTP", async () => {
    assert.ok(hub.tool("mcp.web.get-sum"));
    const echo = tool(hub, "mcp.web.echo");
    assert.equal((await echo.run({ message: "over http" }, ctx())).output, "Echo: over http");
    const sum = tool(hub, "mcp.web.get-sum");
    assert.match((await sum.run({ a: 1, b: 2 }, ctx())).output, /\b3\b/);
  });

  it("refuses a second server with the same name and a config with two transports", async () => {
    await assert.rejects(hub.add({ name: "web", url: `http://127.0.0.1:${port}/mcp` }), /already exists/);
    await assert.rejects(
      hub.add({ name: "two", url: `http://127.0.0.1:${port}/mcp`, command: "x" }),
      /exactly one of/,
    );
  });
});
