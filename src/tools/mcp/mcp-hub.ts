// All configured MCP servers behind one object: start them, list their tools, add or
// remove a server at runtime (admin command), rescan, approve changed schemas, close.

import type { Log } from "./log.ts";
import { silentLog } from "./log.ts";
import type { SchemaPins } from "./mcp-schema-store.ts";
import { MemorySchemaPins } from "./mcp-schema-store.ts";
import { type McpServerConfig, mcpServerConfigSchema } from "./mcp-server-config.ts";
import { McpServerConnection, type ToolsChangedEvent } from "./mcp-server-connection.ts";
import type { McpTool } from "./mcp-tool.ts";

export interface McpHubOptions {
  readonly servers?: readonly McpServerConfig[];
  /** Schema pins; pass `new McpSchemaStore({ db })` to keep them across restarts. */
  readonly pins?: SchemaPins;
  readonly log?: Log;
  readonly cwd?: string;
  readonly reconnect?: { readonly initialDelayMs?: number; readonly maxDelayMs?: number };
}

export class McpHub {
  readonly #connections = new Map<string, McpServerConnection>();
  readonly #listeners = new Set<(event: ToolsChangedEvent) => void>();
  readonly #options: McpHubOptions;
  readonly #pins: SchemaPins;
  readonly #log: Log;

  constructor(options: McpHubOptions = {}) {
    this.#options = options;
    this.#pins = options.pins ?? new MemorySchemaPins();
    this.#log = options.log ?? silentLog;
  }

  /** Connects every configured server. One that fails is logged and retried in the background. */
  async start(): Promise<void> {
    await Promise.all((this.#options.servers ?? []).map((config) => this.add(config, { retry: true })));
  }

  /** Adds and connects a server (vigil.yaml at start, or an admin command later). */
  async add(
    config: McpServerConfig,
    { retry = false }: { retry?: boolean } = {},
  ): Promise<McpServerConnection> {
    const parsed = mcpServerConfigSchema.parse(config);
    if (this.#connections.has(parsed.name))
      throw new Error(`an mcp server named ${parsed.name} already exists`);
    const connection = new McpServerConnection({
      config: parsed,
      pins: this.#pins,
      log: this.#log,
      ...(this.#options.cwd !== undefined ? { cwd: this.#options.cwd } : {}),
      ...(this.#options.reconnect !== undefined ? { reconnect: this.#options.reconnect } : {}),
    });
    connection.onToolsChanged((event) => {
      for (const listener of this.#listeners) listener(event);
    });
    this.#connections.set(parsed.name, connection);
    try {
      await connection.connect();
    } catch (err) {
      if (!retry) {
        this.#connections.delete(parsed.name);
        await connection.close();
        throw err;
      }
      this.#log.error({ err, server: parsed.name }, "mcp server did not start; retrying in the background");
      connection.retryLater();
    }
    return connection;
  }

  async remove(name: string): Promise<void> {
    const connection = this.#connections.get(name);
    this.#connections.delete(name);
    await connection?.close();
  }

  connection(name: string): McpServerConnection | undefined {
    return this.#connections.get(name);
  }

  /** Every tool of every server, as currently known. */
  tools(): McpTool[] {
    return [...this.#connections.values()].flatMap((c) => c.tools);
  }

  tool(name: string): McpTool | undefined {
    return this.tools().find((t) => t.name === name);
  }

  /** Re-reads one server's tools (the `mcp rescan NAME` chat command). */
  rescan(server: string): Promise<readonly McpTool[]> {
    const connection = this.#connections.get(server);
    if (connection === undefined) throw new Error(`no mcp server named ${server}`);
    return connection.rescan("rescan");
  }

  /** True when the tool's schema differs from the one approved for it. */
  schemaChanged(tool: McpTool): boolean {
    return this.#pins.approved(tool.server, tool.mcpName) !== tool.schemaHash;
  }

  approveSchema(tool: McpTool, by?: string): void {
    this.#pins.approve(tool.server, tool.mcpName, tool.schemaHash, by);
  }

  onToolsChanged(listener: (event: ToolsChangedEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async close(): Promise<void> {
    const all = [...this.#connections.values()];
    this.#connections.clear();
    await Promise.all(all.map((c) => c.close()));
  }
}
