// One live MCP server: connects over stdio or streamable HTTP, discovers its tools as
// Vigil Tools, rescans on command and on `notifications/tools/list_changed`, pins schema
// hashes, and reconnects with backoff when the server goes away.

import { pathToFileURL } from "node:url";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { ToolContext, ToolResult } from "../tool.ts";
import { type Log, silentLog } from "./log.ts";
import type { SchemaPins } from "./mcp-schema-store.ts";
import { MemorySchemaPins } from "./mcp-schema-store.ts";
import type { McpServerConfig } from "./mcp-server-config.ts";
import { createMcpTool, type McpTool, type McpToolAnnotations } from "./mcp-tool.ts";
import { toolSchemaHash } from "./schema-hash.ts";
import { launchOf } from "./server-launch.ts";

export type McpConnectionStatus = "idle" | "connecting" | "connected" | "reconnecting" | "closed";
export type ToolsChangedReason = "connect" | "rescan" | "list_changed" | "reconnect";

export interface ToolsChangedEvent {
  readonly server: string;
  readonly reason: ToolsChangedReason;
  readonly tools: readonly McpTool[];
}

export interface McpServerConnectionOptions {
  readonly config: McpServerConfig;
  readonly pins?: SchemaPins;
  readonly log?: Log;
  /** Where relative paths and package lookups start (defaults to the process cwd). */
  readonly cwd?: string;
  readonly reconnect?: { readonly initialDelayMs?: number; readonly maxDelayMs?: number };
}

const DEFAULT_CALL_TIMEOUT_MS = 300_000;
const MAX_TOOL_PAGES = 100;

export class McpServerConnection {
  readonly config: McpServerConfig;
  readonly #pins: SchemaPins;
  readonly #log: Log;
  readonly #cwd: string | undefined;
  readonly #initialDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #listeners = new Set<(event: ToolsChangedEvent) => void>();
  #client: Client | undefined;
  #transport: StdioClientTransport | StreamableHTTPClientTransport | undefined;
  #status: McpConnectionStatus = "idle";
  #tools: readonly McpTool[] = [];
  #attempt = 0;
  #timer: NodeJS.Timeout | undefined;
  #scanChain: Promise<unknown> = Promise.resolve();
  #queuedScan: Promise<readonly McpTool[]> | undefined;

  constructor(options: McpServerConnectionOptions) {
    this.config = options.config;
    this.#pins = options.pins ?? new MemorySchemaPins();
    this.#log = options.log ?? silentLog;
    this.#cwd = options.cwd;
    this.#initialDelayMs = options.reconnect?.initialDelayMs ?? 250;
    this.#maxDelayMs = options.reconnect?.maxDelayMs ?? 30_000;
  }

  get name(): string {
    return this.config.name;
  }

  get status(): McpConnectionStatus {
    return this.#status;
  }

  get tools(): readonly McpTool[] {
    return this.#tools;
  }

  /** The stdio child's pid while connected (for tests and `mcp list`). */
  get pid(): number | undefined {
    const transport = this.#transport;
    return transport && "pid" in transport ? (transport.pid ?? undefined) : undefined;
  }

  /** Calls `listener` whenever the tool list is (re)read. Returns an unsubscribe function. */
  onToolsChanged(listener: (event: ToolsChangedEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Connects and discovers the tools. Throws when the server cannot be started or reached. */
  async connect(): Promise<void> {
    if (this.#status === "closed") throw new Error(`mcp server ${this.name} is closed`);
    await this.#open("connect");
  }

  /** Keeps trying to connect in the background (used when the first connect failed). */
  retryLater(): void {
    if (this.#status !== "closed") this.#scheduleReconnect();
  }

  /** Re-reads the tool list now. Concurrent requests share one queued scan. */
  rescan(reason: ToolsChangedReason = "rescan"): Promise<readonly McpTool[]> {
    if (this.#queuedScan !== undefined) return this.#queuedScan;
    const scan = this.#scanChain.then(() => {
      this.#queuedScan = undefined;
      return this.#scan(reason);
    });
    this.#queuedScan = scan;
    this.#scanChain = scan.catch(() => undefined);
    return scan;
  }

  /** The approved schema is now the current one. */
  approveSchema(tool: McpTool, by?: string): void {
    this.#pins.approve(this.name, tool.mcpName, tool.schemaHash, by);
  }

  async close(): Promise<void> {
    this.#status = "closed";
    clearTimeout(this.#timer);
    const client = this.#client;
    this.#client = undefined;
    this.#transport = undefined;
    await client?.close();
  }

  async #open(reason: ToolsChangedReason): Promise<void> {
    this.#status = this.#status === "idle" ? "connecting" : this.#status;
    // The SDK is loaded with the first server: installations without MCP never pay its memory.
    const { Client } = await import("@modelcontextprotocol/sdk/client/index.js");
    const { ListRootsRequestSchema, ToolListChangedNotificationSchema } = await import(
      "@modelcontextprotocol/sdk/types.js"
    );
    const client = new Client(
      { name: "vigil", version: "0.1.0" },
      { capabilities: this.config.roots ? { roots: { listChanged: false } } : {} },
    );
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      this.rescan("list_changed").catch((err: unknown) =>
        this.#log.warn({ err, server: this.name }, "mcp rescan after list_changed failed"),
      );
    });
    if (this.config.roots) {
      const roots = this.config.roots.map((dir) => ({ uri: pathToFileURL(dir).href, name: dir }));
      client.setRequestHandler(ListRootsRequestSchema, () => ({ roots }));
    }
    const transport = await this.#newTransport();
    client.onclose = () => {
      if (this.#client !== client || this.#status === "closed") return;
      this.#log.warn({ server: this.name }, "mcp server went away; reconnecting");
      this.#client = undefined;
      this.#status = "reconnecting";
      this.#scheduleReconnect();
    };
    client.onerror = (err) => this.#log.debug({ err, server: this.name }, "mcp transport error");
    try {
      await client.connect(transport);
    } catch (err) {
      await client.close().catch(() => undefined);
      throw new Error(`cannot start or reach mcp server ${this.name}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    if (this.#status === "closed") {
      await client.close();
      return;
    }
    this.#client = client;
    this.#transport = transport;
    this.#attempt = 0;
    try {
      await this.rescan(reason);
    } catch (err) {
      this.#client = undefined;
      await client.close().catch(() => undefined);
      throw err;
    }
    // Connected only once the tools are known, so callers never see a server without tools.
    if (this.#client === client) this.#status = "connected";
  }

  async #newTransport(): Promise<StdioClientTransport | StreamableHTTPClientTransport> {
    if (this.config.url !== undefined) {
      const { StreamableHTTPClientTransport } = await import(
        "@modelcontextprotocol/sdk/client/streamableHttp.js"
      );
      return new StreamableHTTPClientTransport(new URL(this.config.url), {
        requestInit: { headers: this.config.headers ?? {} },
      });
    }
    const launch = launchOf(this.config, this.#cwd);
    const { StdioClientTransport } = await import("@modelcontextprotocol/sdk/client/stdio.js");
    const transport = new StdioClientTransport({
      command: launch.command,
      args: launch.args,
      env: launch.env,
      stderr: "pipe",
      ...(launch.cwd !== undefined ? { cwd: launch.cwd } : {}),
    });
    // Drain stderr so a chatty server never blocks on a full pipe.
    transport.stderr?.on("data", (chunk: Buffer) =>
      this.#log.debug({ server: this.name, stderr: chunk.toString("utf8").trimEnd() }, "mcp server stderr"),
    );
    return transport;
  }

  #scheduleReconnect(): void {
    clearTimeout(this.#timer);
    const delay = Math.min(this.#maxDelayMs, this.#initialDelayMs * 2 ** this.#attempt);
    this.#attempt++;
    this.#timer = setTimeout(() => {
      if (this.#status === "closed") return;
      this.#open("reconnect").catch((err: unknown) => {
        this.#log.warn({ err, server: this.name, retryInMs: delay * 2 }, "mcp reconnect failed");
        this.#scheduleReconnect();
      });
    }, delay);
    this.#timer.unref();
  }

  async #scan(reason: ToolsChangedReason): Promise<readonly McpTool[]> {
    const client = this.#client;
    if (client === undefined) throw new Error(`mcp server ${this.name} is not connected`);
    const tools: McpTool[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_TOOL_PAGES; page++) {
      const listed = await client.listTools(cursor !== undefined ? { cursor } : undefined);
      for (const tool of listed.tools) {
        const descriptor = {
          name: tool.name,
          description: tool.description,
          inputSchema: tool.inputSchema as Record<string, unknown>,
          annotations: tool.annotations as McpToolAnnotations | undefined,
        };
        const hash = toolSchemaHash(descriptor);
        const approved = this.#pins.observe(this.name, tool.name, hash);
        if (approved !== hash) {
          this.#log.warn(
            { server: this.name, tool: tool.name },
            "mcp tool schema changed since approval; it needs approval again",
          );
        }
        tools.push(createMcpTool(this.config, descriptor, hash, this.#backend));
      }
      cursor = listed.nextCursor;
      if (cursor === undefined) break;
    }
    this.#tools = tools;
    const event = { server: this.name, reason, tools };
    for (const listener of this.#listeners) listener(event);
    return tools;
  }

  readonly #backend = {
    needsReapproval: (tool: string, hash: string): boolean => this.#pins.approved(this.name, tool) !== hash,
    call: (tool: string, args: Record<string, unknown>, ctx: ToolContext): Promise<ToolResult> =>
      this.#call(tool, args, ctx),
  };

  async #call(tool: string, args: Record<string, unknown>, ctx: ToolContext): Promise<ToolResult> {
    const client = this.#client;
    if (client === undefined || this.#status !== "connected") {
      return {
        ok: false,
        output: `mcp server ${this.name} is not connected (${this.#status}); try again shortly`,
      };
    }
    try {
      const result = await client.callTool({ name: tool, arguments: args }, undefined, {
        signal: ctx.signal,
        timeout: this.config.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS,
      });
      const output = contentText(result.content);
      return {
        ok: result.isError !== true,
        output,
        ...(result.structuredContent !== undefined ? { data: result.structuredContent } : {}),
      };
    } catch (err) {
      if (ctx.signal.aborted)
        return { ok: false, output: `mcp.${this.name}.${tool} was stopped before it finished` };
      return { ok: false, output: `mcp.${this.name}.${tool} failed: ${(err as Error).message}` };
    }
  }
}

/** Text parts joined; other parts named so the reader knows they were there. */
function contentText(content: unknown): string {
  if (!Array.isArray(content)) return "";
  return content
    .map(
      (part: {
        type?: string;
        text?: string;
        mimeType?: string;
        uri?: string;
        resource?: { uri?: string; text?: string };
      }) => {
        switch (part.type) {
          case "text":
            return part.text ?? "";
          case "resource":
            return part.resource?.text ?? `[resource ${part.resource?.uri ?? ""}]`;
          case "resource_link":
            return `[resource ${part.uri ?? ""}]`;
          default:
            return `[${part.type ?? "content"}${part.mimeType ? ` ${part.mimeType}` : ""}]`;
        }
      },
    )
    .join("\n");
}
