// MCP tools take the same path as native ones: server-everything and server-filesystem,
// configured in vigil.yaml, called from chat through the policy gate and the audit log.

import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { stringify } from "yaml";
import { startConsoleSession } from "../testing/console-session.ts";
import { tempDir } from "../testing/temp-dir.ts";
import { waitFor } from "../testing/wait-for.ts";

describe("MCP tools through the gate", () => {
  it("runs read-only tools, asks for approval for writes, refuses above the ceiling, and audits each", async () => {
    using dir = tempDir();
    const root = join(dir.path, "shared");
    mkdirSync(root);
    writeFileSync(join(root, "motd.txt"), "hello from the MCP root\n");
    const operators = join(dir.path, "operators");
    mkdirSync(operators);
    writeFileSync(
      join(operators, "mcpops.yaml"),
      stringify({
        name: "mcpops",
        description: "Uses MCP tools that change things",
        systemPrompt: "You use MCP tools.",
        tools: ["mcp.*"],
        ceiling: "write",
        trust: "strict",
      }),
    );
    const configPath = join(dir.path, "vigil.yaml");
    writeFileSync(
      configPath,
      stringify({
        operators: { dir: operators },
        mcp: {
          servers: [
            { name: "everything", package: "@modelcontextprotocol/server-everything", args: ["stdio"] },
            { name: "files", package: "@modelcontextprotocol/server-filesystem", args: [root] },
          ],
        },
      }),
    );
    const session = await startConsoleSession({
      VIGIL_DATA_DIR: dir.path,
      VIGIL_CONFIG: configPath,
      HOME: dir.path,
      USER: "ops",
    });
    const { vigil, say } = session;
    try {
      // The servers connect in the background; ask until both are up.
      await waitFor(
        async () => {
          const reply = await say("mcp list", /MCP servers/);
          return /everything: connected/.test(reply) && /files: connected/.test(reply);
        },
        { what: "both MCP servers connected", timeoutMs: 30_000, intervalMs: 200 },
      );

      // A read-only filesystem tool runs for the read-only observer.
      await say(
        `run @observer mcp.files.read_text_file path=${join(root, "motd.txt")}`,
        /hello from the MCP root/,
      );

      // A write tool is above the observer's ceiling: refused, nothing written.
      await say(
        `run @observer mcp.files.write_file path=${join(root, "x.txt")} content=nope`,
        /needs write|ceiling/i,
      );

      // The same write through an operator allowed to write waits for an approver.
      await say(
        `run @mcpops mcp.files.write_file path=${join(root, "y.txt")} content=later`,
        /Approve mcp\.files\.write_file\?/,
      );
      assert.throws(() => readFileSync(join(root, "y.txt")), "nothing is written before approval");

      const entries = vigil.audit.query({ limit: 100 });
      const byTool = (t: string) => entries.filter((e) => e.tool === t).map((e) => e.decision);
      assert.ok(byTool("mcp.files.read_text_file").includes("executed"));
      assert.ok(byTool("mcp.files.write_file").includes("deny"));
      assert.ok(byTool("mcp.files.write_file").includes("needs-approval"));
      assert.ok(vigil.audit.verify().ok);
    } finally {
      await session.close();
    }
  });
});
