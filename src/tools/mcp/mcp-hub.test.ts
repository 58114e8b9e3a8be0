import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { waitFor } from "../../testing/wait-for.ts";
import { McpHub } from "./mcp-hub.ts";

describe("McpHub", () => {
  it("explains a server that cannot start when added by command", async () => {
    const hub = new McpHub();
    await assert.rejects(
      hub.add({ name: "broken", command: "/nonexistent/vigil-mcp-server" }),
      /cannot start or reach mcp server broken/,
    );
    assert.equal(hub.connection("broken"), undefined);
    await hub.close();
  });

  it("starts despite a broken configured server and keeps retrying it with backoff", async () => {
    const warnings: string[] = [];
    const errors: string[] = [];
    const log = {
      info() {},
      debug() {},
      warn: (_o: object, msg?: string) => warnings.push(msg ?? ""),
      error: (_o: object, msg?: string) => errors.push(msg ?? ""),
    };
    const hub = new McpHub({
      servers: [{ name: "broken", command: "/nonexistent/vigil-mcp-server" }],
      log,
      reconnect: { initialDelayMs: 10, maxDelayMs: 40 },
    });
    await hub.start();
    assert.deepEqual(errors, ["mcp server did not start; retrying in the background"]);
    await waitFor(() => warnings.filter((w) => w === "mcp reconnect failed").length >= 3, {
      what: "three retries",
    });
    assert.notEqual(hub.connection("broken")?.status, "connected");
    assert.deepEqual(hub.tools(), []);
    await hub.close();
    assert.equal(hub.connection("broken"), undefined);
  });
});
