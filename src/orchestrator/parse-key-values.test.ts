import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Operator } from "../operators/operator.ts";
import { KeyValueError, parseKeyValues } from "./parse-key-values.ts";
import { matchesToolPattern, ToolRegistry } from "./tool-registry.ts";

describe("key=value arguments", () => {
  it("keeps strings and parses JSON values", () => {
    assert.deepEqual(
      parseKeyValues(
        `all=true name=web tail=50 cmd="ls -la" ids=[1, 2] opts={"a": 1} v=1.2.3 q='x y' n=null`,
      ),
      {
        all: true,
        name: "web",
        tail: 50,
        cmd: "ls -la",
        ids: [1, 2],
        opts: { a: 1 },
        v: "1.2.3",
        q: "x y",
        n: null,
      },
    );
    assert.deepEqual(parseKeyValues(""), {});
  });

  it("refuses words without =, repeated keys, prototype keys and unclosed quotes", () => {
    assert.throws(() => parseKeyValues("web"), KeyValueError);
    assert.throws(() => parseKeyValues("a=1 a=2"), /twice/);
    assert.throws(() => parseKeyValues("__proto__=1"), KeyValueError);
    assert.throws(() => parseKeyValues('cmd="ls'), /unclosed/);
  });
});

describe("tool registry", () => {
  const tool = (name: string, level: "read" | "write" = "read") => ({
    name,
    description: name,
    inputSchema: { type: "object" },
    parseArgs: (raw: unknown) => raw as Record<string, unknown>,
    permission: () => level,
    resource: () => name,
    run: async () => ({ ok: true, output: "" }),
  });
  const op = (tools: string[], ceiling: Operator["ceiling"] = "read"): Operator => ({
    name: "o",
    description: "d",
    systemPrompt: "p",
    tools,
    ceiling,
    trust: "strict",
    workingDirectory: "/w",
  });

  it("matches names and globs", () => {
    assert.ok(matchesToolPattern("docker.*", "docker.list"));
    assert.ok(matchesToolPattern("mcp.everything.*", "mcp.everything.echo"));
    assert.ok(!matchesToolPattern("docker.*", "dockerx.list"));
    assert.ok(!matchesToolPattern("docker.list", "docker.logs"));
  });

  it("offers an operator its assigned tools, leaving out MCP tools above its ceiling", () => {
    const reg = new ToolRegistry()
      .register(tool("docker.list"))
      .register(tool("docker.restart"))
      .register(tool("shell.exec"))
      .registerMcp(tool("mcp.fs.read_file", "read"))
      .registerMcp(tool("mcp.fs.write_file", "write"));
    assert.deepEqual(
      reg.specsFor(op(["docker.*", "mcp.*"])).map((t) => t.name),
      ["docker.list", "docker.restart", "mcp.fs.read_file"],
    );
    assert.deepEqual(
      reg.forOperator(op(["mcp.*"], "write")).map((t) => t.name),
      ["mcp.fs.read_file", "mcp.fs.write_file"],
    );
  });

  it("gives an operator its own instance of a tool built for its working directory", () => {
    const shared = tool("filesystem.read");
    const mine = tool("filesystem.read");
    const reg = new ToolRegistry().register(shared).register(mine, { operator: "o" });
    assert.equal(reg.get("filesystem.read", "o"), mine);
    assert.equal(reg.get("filesystem.read", "other"), shared);
    assert.equal(reg.forOperator(op(["filesystem.*"]))[0], mine);
    reg.clearOperator("o");
    assert.equal(reg.get("filesystem.read", "o"), shared);
  });
});
