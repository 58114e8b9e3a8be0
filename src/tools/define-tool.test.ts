// defineTool: JSON Schema for models, argument errors that name the field and what is allowed.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z } from "zod";
import { defineTool } from "./define-tool.ts";

const tool = defineTool({
  name: "test.echo",
  description: "echoes",
  schema: z.object({
    path: z.string().min(1).describe("a file"),
    mode: z.enum(["overwrite", "append"]).default("overwrite"),
    lines: z.number().int().max(5).optional(),
  }),
  permission: (a) => (a.mode === "append" ? "write" : "read"),
  resource: (a) => `fs:${a.path}`,
  run: async (a) => ({ ok: true, output: a.path }),
});

describe("defineTool", () => {
  it("publishes an input JSON Schema without extra keys", () => {
    const s = tool.inputSchema as { type: string; properties: Record<string, unknown>; required: string[] };
    assert.equal(s.type, "object");
    assert.deepEqual(Object.keys(s.properties).sort(), ["lines", "mode", "path"]);
    assert.deepEqual(s.required, ["path"]);
    assert.equal((tool.inputSchema as { additionalProperties: unknown }).additionalProperties, false);
  });

  it("parses valid arguments and applies defaults", () => {
    assert.deepEqual(tool.parseArgs({ path: "a" }), { path: "a", mode: "overwrite" });
    assert.equal(tool.permission(tool.parseArgs({ path: "a", mode: "append" })), "write");
    assert.equal(tool.resource(tool.parseArgs({ path: "a" })), "fs:a");
  });

  it("names the bad field and what is allowed", () => {
    assert.throws(() => tool.parseArgs({ path: 3 }), /`path`: .*expected string/);
    assert.throws(() => tool.parseArgs({ path: "a", mode: "x" }), /`mode`: .*"overwrite"\|"append"/);
    assert.throws(() => tool.parseArgs({ path: "a", lines: 9 }), /`lines`: .*5/);
    assert.throws(() => tool.parseArgs({ path: "a", sneaky: 1 }), /unknown field\(s\) `sneaky`/);
    assert.throws(() => tool.parseArgs("nope"), /invalid arguments for test\.echo/);
  });
});
