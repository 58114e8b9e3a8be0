// The `mcp` chat command against a real hub, store and server-everything over stdio: admins add a
// server and its tools appear, the server survives a restart, schema changes are flagged and
// approved by admins only, and every change is audited.

import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import pino from "pino";
import { AuditLog } from "../../audit/index.ts";
import type { InboundMessage } from "../../core/chat-adapter.ts";
import { ChatHub } from "../../core/chat-hub.ts";
import { commandRouter } from "../../core/router.ts";
import { openStore, type Store } from "../../store/index.ts";
import { freePort } from "../../testing/free-port.ts";
import { RecordingAdapter } from "../../testing/recording-adapter.ts";
import { tempDir } from "../../testing/temp-dir.ts";
import { mcpAddConfig, mcpCommands, splitWords } from "./mcp-commands.ts";
import { McpHub } from "./mcp-hub.ts";
import { McpSchemaStore } from "./mcp-schema-store.ts";
import { loadMcpServers, McpServerRepository } from "./mcp-server-repository.ts";

const EVERYTHING = "@modelcontextprotocol/server-everything";
const ADMIN = "U_ADMIN";

describe("mcp add arguments", () => {
  it("reads a command, a URL or an npm package", () => {
    assert.deepEqual(mcpAddConfig("fs", splitWords(`/usr/bin/node "my server.js" --root /tmp`)), {
      name: "fs",
      command: "/usr/bin/node",
      args: ["my server.js", "--root", "/tmp"],
    });
    assert.deepEqual(mcpAddConfig("web", ["<https://mcp.example.com/mcp|mcp.example.com/mcp>"]), {
      name: "web",
      url: "https://mcp.example.com/mcp",
    });
    assert.deepEqual(mcpAddConfig("ev", ["npm:@scope/pkg", "stdio"]), {
      name: "ev",
      package: "@scope/pkg",
      args: ["stdio"],
    });
  });

  it("says what to fix", () => {
    assert.throws(() => mcpAddConfig("x", []), /give a command, a URL or npm:<package> after x/);
    assert.throws(() => mcpAddConfig("x", ["ftp://host/mcp"]), /not an http\(s\) URL/);
    assert.throws(() => mcpAddConfig("bad.name", ["cmd"]), /name: use letters, digits, - and _/);
    assert.throws(() => mcpAddConfig("x", ["npm:"]), /package/);
  });
});

describe("mcp command", () => {
  const dir = tempDir();
  let store: Store;
  let audit: AuditLog;
  let chat: ChatHub;
  let mcp: McpHub;
  const slack = new RecordingAdapter("slack");
  const removed: string[] = [];
  let n = 0;

  /** A Vigil as main wires it: the hub starts from vigil.yaml's servers plus the stored ones. */
  async function bootMcp(): Promise<McpHub> {
    const hub = new McpHub({
      servers: loadMcpServers({ db: store.db }),
      pins: new McpSchemaStore({ db: store.db }),
      cwd: import.meta.dirname,
    });
    await hub.start();
    return hub;
  }

  function bootChat(hub: McpHub): ChatHub {
    const log = pino({ level: "silent" });
    const c = new ChatHub({ ...store, log });
    c.use(
      commandRouter({
        commands: mcpCommands({
          hub,
          servers: new McpServerRepository({ db: store.db }),
          isAdmin: (ctx) => ctx.event.user.id === ADMIN,
          canView: (ctx) => ctx.event.user.id !== "U_STRANGER",
          actorOf: (ctx) => (ctx.event.user.id === ADMIN ? "ada" : `slack:${ctx.event.user.id}`),
          audit,
          onRemoved: (server) => removed.push(server),
        }),
      }),
    );
    c.attach(slack);
    return c;
  }

  before(async () => {
    store = openStore(join(dir.path, "vigil.db"));
    audit = new AuditLog({ db: store.db });
    mcp = await bootMcp();
    chat = bootChat(mcp);
    await chat.start();
  });
  after(async () => {
    await chat.stop();
    await mcp.close();
    store.close();
    dir[Symbol.dispose]();
  });

  /** Sends `text` and returns every reply's text, joined. */
  async function say(user: string, text: string): Promise<string> {
    const before = slack.sent.length;
    const event: InboundMessage = {
      kind: "message",
      platform: "slack",
      conversation: "C1",
      user: { id: user },
      eventId: `e${++n}`,
      receivedAt: new Date(),
      messageId: `1.${n}`,
      text,
    };
    await slack.deliver(event);
    assert.ok(slack.sent.length > before, `a reply to "${text}"`);
    return slack.sent
      .slice(before)
      .map((m) => [m.card.title, m.card.markdown].join("\n"))
      .join("\n");
  }

  const lastAudit = () => audit.query({ limit: 1 })[0];

  it("refuses add, remove and approve to non-admins, and audits the attempt", async () => {
    assert.match(
      await say("U_BOB", `mcp add everything npm:${EVERYTHING} stdio`),
      /Only a Vigil admin may use `mcp add`/,
    );
    assert.equal(mcp.connection("everything"), undefined);
    assert.deepEqual([lastAudit().actor, lastAudit().decision], ["slack:U_BOB", "refused"]);
    assert.match(await say("U_BOB", "mcp remove everything"), /Only a Vigil admin/);
    assert.match(await say("U_STRANGER", "mcp list"), /You need a Vigil role/);
  });

  it("answers bad input with what to fix", async () => {
    assert.match(
      await say(ADMIN, "mcp add"),
      /Not added: give the server a name[\s\S]*mcp add <name> <command>/,
    );
    assert.match(await say(ADMIN, "mcp add web ftp://127.0.0.1/x"), /not an http\(s\) URL/);
    assert.match(await say(ADMIN, "mcp tools nosuch"), /There is no MCP server `nosuch`/);
    assert.match(await say(ADMIN, "mcp rescan"), /Usage: `mcp rescan <server>`/);
    assert.match(await say(ADMIN, "mcp frob"), /`mcp frob` is not a subcommand/);
    const port = await freePort();
    assert.match(
      await say(ADMIN, `mcp add down http://127.0.0.1:${port}/mcp`),
      /Not added: cannot start or reach mcp server down/,
    );
    assert.equal(mcp.connection("down"), undefined);
    assert.equal(
      new McpServerRepository({ db: store.db }).get("down"),
      undefined,
      "a failed add is not stored",
    );
  });

  it("adds a server by npm package; its tools appear, and it is audited and stored", async () => {
    const reply = await say(ADMIN, `mcp add everything npm:${EVERYTHING} stdio`);
    assert.match(reply, /Added MCP server `everything` with \d+ tools: .*`mcp\.everything\.echo`/);
    assert.ok(mcp.tool("mcp.everything.echo"));
    const entry = lastAudit();
    assert.deepEqual([entry.actor, entry.decision, entry.source], ["ada", "info", "chat"]);
    assert.match(
      entry.reason ?? "",
      /added mcp server everything \(npm:@modelcontextprotocol\/server-everything\)/,
    );
    assert.equal(new McpServerRepository({ db: store.db }).get("everything")?.addedBy, "ada");
    assert.match(await say(ADMIN, `mcp add everything npm:${EVERYTHING} stdio`), /already exists/);
    const list = await say("U_BOB", "mcp list");
    assert.match(list, /\*\*everything\*\*: connected, \d+ tools \(added by ada\)/);
    assert.match(await say("U_BOB", "mcp tools everything"), /`mcp\.everything\.echo` \(read\)/);
  });

  it("flags a changed schema on rescan and list; only an admin approves it", async () => {
    // As if the server had offered a different echo when it was approved.
    store.db
      .prepare("UPDATE mcp_tool_schemas SET approved_hash = ? WHERE server = 'everything' AND tool = 'echo'")
      .run("0".repeat(64));
    assert.match(
      await say("U_BOB", "mcp rescan everything"),
      /Rescanned `everything`: \d+ tools\. ⚠ Schema changed: `mcp\.everything\.echo`/,
    );
    assert.match(await say("U_BOB", "mcp list"), /⚠ schema changed: `mcp\.everything\.echo`/);
    assert.match(
      await say("U_BOB", "mcp approve mcp.everything.echo"),
      /Only a Vigil admin may use `mcp approve`/,
    );
    assert.equal(mcp.schemaChanged(mcp.tool("mcp.everything.echo")!), true);
    assert.match(
      await say(ADMIN, "mcp approve everything.echo"),
      /Approved the new schema of `mcp\.everything\.echo`/,
    );
    assert.equal(mcp.schemaChanged(mcp.tool("mcp.everything.echo")!), false);
    assert.deepEqual([lastAudit().decision, lastAudit().tool], ["approved", "mcp.everything.echo"]);
    assert.match(await say(ADMIN, "mcp approve mcp.everything.echo"), /already approved/);
    assert.doesNotMatch(await say("U_BOB", "mcp list"), /⚠/);
  });

  it("keeps an added server across a restart", async () => {
    await chat.stop();
    await mcp.close();
    mcp = await bootMcp();
    chat = bootChat(mcp);
    await chat.start();
    assert.equal(mcp.connection("everything")?.status, "connected");
    assert.ok(mcp.tool("mcp.everything.echo"));
    assert.match(await say("U_BOB", "mcp list"), /\*\*everything\*\*: connected/);
  });

  it("removes a server for good", async () => {
    assert.match(
      await say(ADMIN, "mcp remove everything"),
      /Removed MCP server `everything` and its \d+ tools/,
    );
    assert.equal(mcp.connection("everything"), undefined);
    assert.equal(mcp.tool("mcp.everything.echo"), undefined);
    assert.deepEqual(removed, ["everything"]);
    assert.equal(lastAudit().reason, "removed mcp server everything");
    assert.deepEqual(loadMcpServers({ db: store.db }), []);
    assert.match(await say(ADMIN, "mcp remove everything"), /There is no MCP server `everything`/);
  });

  it("lets vigil.yaml win over a stored server of the same name", () => {
    const repo = new McpServerRepository({ db: store.db });
    repo.add({ name: "both", command: "stored-cmd" }, "ada");
    const servers = loadMcpServers({ db: store.db, configured: [{ name: "both", command: "yaml-cmd" }] });
    assert.deepEqual(servers, [{ name: "both", command: "yaml-cmd" }]);
    assert.throws(
      () => repo.add({ name: "h", url: "https://x.example/mcp", headers: { a: "b" } }, "ada"),
      /vigil\.yaml/,
    );
    repo.remove("both");
  });
});
