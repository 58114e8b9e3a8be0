// The `mcp` chat command: list servers and their tools, rescan, approve a changed tool schema, and
// (admins) add or remove a server at runtime. Added servers are stored so they survive a restart.

import { createCard } from "../../core/card.ts";
import { type ChatContext, whereOf } from "../../core/chat-hub.ts";
import type { Command } from "../../core/router.ts";
import type { McpHub } from "./mcp-hub.ts";
import { type McpServerConfig, mcpServerConfigSchema } from "./mcp-server-config.ts";
import type { McpServerRepository } from "./mcp-server-repository.ts";
import type { McpTool } from "./mcp-tool.ts";

/** What the command writes to the audit log (AuditLog.append). */
export interface McpAuditSink {
  append(record: {
    actor: string;
    source: "chat";
    decision: string;
    reason: string;
    tool?: string;
    resource?: string;
    platform?: string;
    conversation?: string;
    thread?: string;
    details?: Record<string, unknown>;
  }): unknown;
}

export interface McpCommandsOptions {
  hub: Pick<
    McpHub,
    "add" | "remove" | "rescan" | "tools" | "tool" | "schemaChanged" | "approveSchema" | "connection"
  >;
  /** Where `mcp add` keeps servers (and `mcp remove` drops them). */
  servers: Pick<McpServerRepository, "add" | "get" | "list" | "remove">;
  /** vigil.yaml's servers: listed, never stored; removing one lasts until the next start. */
  configured?: readonly McpServerConfig[];
  isAdmin: (ctx: ChatContext) => boolean;
  /** Who may list servers and tools and rescan; default everyone. */
  canView?: (ctx: ChatContext) => boolean;
  /** The acting user's name for the audit log; default `<platform>:<user id>`. */
  actorOf?: (ctx: ChatContext) => string;
  audit: McpAuditSink;
  /** Called after a server is removed, with the tools it had (to drop them from the tool registry). */
  onRemoved?: (server: string, tools: readonly McpTool[]) => void;
}

export const MCP_USAGE = [
  "mcp list",
  "mcp tools <server>",
  "mcp rescan <server>",
  "mcp approve <tool>",
  "mcp add <name> <command> [args…]",
  "mcp add <name> <https-url>",
  "mcp add <name> npm:<package> [args…]",
  "mcp remove <name>",
] as const;

const USAGE_TEXT = `Usage:\n${MCP_USAGE.map((u) => `- \`${u}\``).join("\n")}\n\nAdding, removing and approving are for admins.`;

/** Splits on whitespace outside "double" or 'single' quotes; quotes are removed. */
export function splitWords(text: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, "$1") : (m[2] ?? m[3]));
  }
  return out;
}

/** A Slack-formatted link `<https://x|label>` or `<https://x>` → the bare URL. */
function bareUrl(word: string): string {
  return /^<(https?:\/\/[^|>]+)(?:\|[^>]*)?>$/.exec(word)?.[1] ?? word;
}

/** Turns `mcp add` words (after the name) into a server config; throws with what to fix. */
export function mcpAddConfig(name: string, words: readonly string[]): McpServerConfig {
  const [first, ...args] = words;
  if (first === undefined) throw new Error(`give a command, a URL or npm:<package> after ${name}`);
  const url = bareUrl(first);
  let config: McpServerConfig;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    if (!/^https?:\/\//i.test(url))
      throw new Error(`${url} is not an http(s) URL; streamable HTTP servers need one`);
    if (args.length > 0) throw new Error("a URL server takes no arguments");
    config = { name, url };
  } else if (first.startsWith("npm:")) {
    config = { name, package: first.slice(4), ...(args.length > 0 ? { args } : {}) };
  } else {
    config = { name, command: first, ...(args.length > 0 ? { args } : {}) };
  }
  const parsed = mcpServerConfigSchema.safeParse(config);
  if (!parsed.success) {
    throw new Error(
      parsed.error.issues
        .map((i) => `${i.path.length > 0 ? `${i.path.join(".")}: ` : ""}${i.message}`)
        .join("; "),
    );
  }
  return config;
}

/** The `mcp` command. */
export function mcpCommands(opts: McpCommandsOptions): Command[] {
  const { hub, servers, audit, isAdmin } = opts;
  const canView = opts.canView ?? (() => true);
  const actorOf = opts.actorOf ?? ((ctx: ChatContext) => `${ctx.event.platform}:${ctx.event.user.id}`);
  const configuredNames = new Set((opts.configured ?? []).map((c) => c.name));

  const record = (
    ctx: ChatContext,
    decision: string,
    reason: string,
    extra: { tool?: string; details?: Record<string, unknown> } = {},
  ) =>
    audit.append({
      actor: actorOf(ctx),
      source: "chat",
      decision,
      reason,
      ...whereOf(ctx),
      ...extra,
    });

  /** Every server name the hub may hold: vigil.yaml's, stored ones, and any with tools. */
  const serverNames = () =>
    [
      ...new Set([
        ...configuredNames,
        ...servers.list().map((s) => s.config.name),
        ...hub.tools().map((t) => t.server),
      ]),
    ].sort();

  const where = (c: McpServerConfig) =>
    c.url !== undefined
      ? c.url
      : c.package !== undefined
        ? `npm:${c.package}`
        : [c.command, ...(c.args ?? [])].join(" ");

  async function list(ctx: ChatContext) {
    const lines = serverNames().map((name) => {
      const connection = hub.connection(name);
      const tools = hub.tools().filter((t) => t.server === name);
      const changed = tools.filter((t) => hub.schemaChanged(t));
      const stored = servers.get(name);
      const source = configuredNames.has(name)
        ? "vigil.yaml"
        : stored
          ? `added by ${stored.addedBy}`
          : "runtime";
      const status = connection?.status ?? "removed";
      const flag =
        changed.length > 0
          ? ` ⚠ schema changed: ${changed.map((t) => `\`${t.name}\``).join(", ")} (\`mcp approve <tool>\`)`
          : "";
      const how = connection ? ` — ${where(connection.config)}` : "";
      return `- **${name}**: ${status}, ${tools.length} tool${tools.length === 1 ? "" : "s"} (${source})${how}${flag}`;
    });
    await ctx.reply(
      createCard({
        title: "MCP servers",
        markdown:
          lines.length > 0 ? lines.join("\n") : "No MCP servers. Admins add one with `mcp add <name> …`.",
      }),
    );
  }

  async function tools(ctx: ChatContext, server: string) {
    const connection = hub.connection(server);
    if (!connection) {
      await ctx.reply(noServer(server));
      return;
    }
    const own = hub.tools().filter((t) => t.server === server);
    const lines = own.map((t) => {
      const changed = hub.schemaChanged(t) ? " ⚠ schema changed, needs `mcp approve`" : "";
      const description = t.description.split("\n")[0].slice(0, 120);
      return `- \`${t.name}\` (${t.permission({})})${description ? `: ${description}` : ""}${changed}`;
    });
    await ctx.reply(
      createCard({
        title: `Tools of ${server}`,
        markdown: lines.length > 0 ? lines.join("\n") : `${server} offers no tools (${connection.status}).`,
      }),
    );
  }

  const noServer = (name: string) => {
    const names = serverNames().filter((n) => hub.connection(n));
    return `There is no MCP server \`${name}\`. Servers: ${names.map((n) => `\`${n}\``).join(", ") || "none"}.`;
  };

  const findTool = (name: string): McpTool | undefined =>
    hub.tool(name) ?? hub.tool(`mcp.${name}`) ?? hub.tools().find((t) => t.mcpName === name);

  async function approve(ctx: ChatContext, name: string) {
    const tool = findTool(name);
    if (!tool) {
      const changed = hub.tools().filter((t) => hub.schemaChanged(t));
      await ctx.reply(
        `There is no MCP tool \`${name}\`. ${changed.length > 0 ? `Changed tools: ${changed.map((t) => `\`${t.name}\``).join(", ")}.` : "No tool is waiting for approval."}`,
      );
      return;
    }
    if (!hub.schemaChanged(tool)) {
      await ctx.reply(`\`${tool.name}\`'s schema is already approved; nothing to do.`);
      return;
    }
    hub.approveSchema(tool, actorOf(ctx));
    record(ctx, "approved", `approved the changed schema of ${tool.name}`, {
      tool: tool.name,
      details: { command: "mcp approve", server: tool.server, schemaHash: tool.schemaHash },
    });
    await ctx.reply(`Approved the new schema of \`${tool.name}\`; it may run again.`);
  }

  async function add(ctx: ChatContext, words: string[]) {
    const [name, ...rest] = words;
    let config: McpServerConfig;
    try {
      if (name === undefined) throw new Error("give the server a name");
      config = mcpAddConfig(name, rest);
    } catch (err) {
      await ctx.reply(
        `Not added: ${(err as Error).message}.\nUsage: ${MCP_USAGE.slice(4, 7)
          .map((u) => `\`${u}\``)
          .join(", ")}.`,
      );
      return;
    }
    if (hub.connection(config.name) || servers.get(config.name) || configuredNames.has(config.name)) {
      await ctx.reply(
        `Not added: an MCP server named \`${config.name}\` already exists; \`mcp remove ${config.name}\` first, or pick another name.`,
      );
      return;
    }
    await ctx.reply(`Starting MCP server \`${config.name}\` (${where(config)})…`);
    try {
      await hub.add(config);
    } catch (err) {
      record(ctx, "failed", `mcp add ${config.name} failed: ${(err as Error).message}`, {
        details: { command: "mcp add", config },
      });
      await ctx.reply(
        `Not added: ${(err as Error).message}. Check the command, URL or package and try again.`,
      );
      return;
    }
    try {
      servers.add(config, actorOf(ctx));
    } catch (err) {
      await hub.remove(config.name);
      await ctx.reply(`Not added: ${(err as Error).message}.`);
      return;
    }
    const own = hub.tools().filter((t) => t.server === config.name);
    record(ctx, "info", `added mcp server ${config.name} (${where(config)}) with ${own.length} tools`, {
      details: { command: "mcp add", config, tools: own.map((t) => t.name) },
    });
    await ctx.reply(
      `Added MCP server \`${config.name}\` with ${own.length} tool${own.length === 1 ? "" : "s"}: ${own.map((t) => `\`${t.name}\``).join(", ") || "none"}. It is kept across restarts.`,
    );
  }

  async function remove(ctx: ChatContext, name: string) {
    const connection = hub.connection(name);
    const stored = servers.get(name);
    if (!connection && !stored) {
      await ctx.reply(noServer(name));
      return;
    }
    const had = hub.tools().filter((t) => t.server === name);
    await hub.remove(name);
    servers.remove(name);
    opts.onRemoved?.(name, had);
    record(ctx, "info", `removed mcp server ${name}`, {
      details: { command: "mcp remove", tools: had.map((t) => t.name), stored: stored !== undefined },
    });
    await ctx.reply(
      configuredNames.has(name)
        ? `Removed MCP server \`${name}\` until the next start; it is in vigil.yaml, so delete it there to remove it for good.`
        : `Removed MCP server \`${name}\` and its ${had.length} tool${had.length === 1 ? "" : "s"}.`,
    );
  }

  return [
    {
      name: "mcp",
      summary: "MCP servers and their tools (admins add, remove and approve)",
      usage: "mcp list | tools <server> | rescan <server> | approve <tool> | add … | remove <name>",
      async run(ctx, args) {
        const words = splitWords(args);
        const sub = words[0]?.toLowerCase();
        const rest = words.slice(1);
        if (sub === undefined || sub === "help") {
          await ctx.reply(USAGE_TEXT);
          return;
        }
        const adminOnly = sub === "add" || sub === "remove" || sub === "approve";
        if (!["list", "tools", "rescan", "approve", "add", "remove"].includes(sub)) {
          await ctx.reply(`\`mcp ${sub}\` is not a subcommand.\n\n${USAGE_TEXT}`);
          return;
        }
        if (adminOnly && !isAdmin(ctx)) {
          record(ctx, "refused", `mcp ${sub}: not an admin`, { details: { command: `mcp ${sub}` } });
          await ctx.reply(`Only a Vigil admin may use \`mcp ${sub}\`. Ask an admin.`);
          return;
        }
        if (!adminOnly && !canView(ctx)) {
          await ctx.reply("You need a Vigil role to see MCP servers; ask an admin to link your account.");
          return;
        }
        if (sub === "list") return list(ctx);
        if (sub === "add") return add(ctx, rest);
        if (rest.length !== 1) {
          await ctx.reply(`Usage: \`${MCP_USAGE.find((u) => u.startsWith(`mcp ${sub}`))}\`.`);
          return;
        }
        const [arg] = rest;
        if (sub === "tools") return tools(ctx, arg);
        if (sub === "approve") return approve(ctx, arg);
        if (sub === "remove") return remove(ctx, arg);
        if (!hub.connection(arg)) {
          await ctx.reply(noServer(arg));
          return;
        }
        try {
          const found = await hub.rescan(arg);
          const changed = found.filter((t) => hub.schemaChanged(t));
          await ctx.reply(
            `Rescanned \`${arg}\`: ${found.length} tool${found.length === 1 ? "" : "s"}.${changed.length > 0 ? ` ⚠ Schema changed: ${changed.map((t) => `\`${t.name}\``).join(", ")}; an admin approves with \`mcp approve <tool>\`.` : ""}`,
          );
        } catch (err) {
          await ctx.reply(`Rescan of \`${arg}\` failed: ${(err as Error).message}.`);
        }
      },
    },
  ];
}
