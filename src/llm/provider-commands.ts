// The `provider` chat command (list, test; admins add and remove model providers, keys sealed at
// rest and never echoed) and `providerTestCli`, what `vigil provider test NAME` runs.

import { createCard } from "../core/card.ts";
import type { MessageRef } from "../core/chat-adapter.ts";
import { type ChatContext, whereOf } from "../core/chat-hub.ts";
import type { Command } from "../core/router.ts";
import {
  baseUrlOf,
  PROVIDER_KINDS,
  type ProviderConfig,
  type ProviderKind,
  providerConfigSchema,
} from "./provider-config.ts";
import type { ProviderStore } from "./provider-store.ts";
import { type ProviderTestResult, testProvider } from "./providers.ts";

/** What the command writes to the audit log (AuditLog.append). */
export interface ProviderAuditSink {
  append(record: {
    actor: string;
    source: "chat";
    decision: string;
    reason: string;
    platform?: string;
    conversation?: string;
    thread?: string;
    details?: Record<string, unknown>;
  }): unknown;
}

/** An adapter that can delete a user's message (optional; none of the port's required members). */
export interface MessageDeleter {
  deleteMessage(ref: MessageRef): Promise<void>;
}

export interface ProviderCommandsOptions {
  /** Providers added by command; keys are sealed there. */
  store: Pick<ProviderStore, "save" | "get" | "list" | "remove">;
  /** vigil.yaml's providers: listed and tested, never changed here. */
  configured?: readonly ProviderConfig[];
  isAdmin: (ctx: ChatContext) => boolean;
  /** Who may list and test; default everyone. */
  canView?: (ctx: ChatContext) => boolean;
  /** The acting user's name for the audit log; default `<platform>:<user id>`. */
  actorOf?: (ctx: ChatContext) => string;
  audit: ProviderAuditSink;
  /** After an add or remove: the provider now in force under `name` (a vigil.yaml one may show through), or undefined. */
  onChange?: (name: string, provider: ProviderConfig | undefined) => void;
  /** Default: the real `testProvider`. */
  test?: (provider: ProviderConfig, opts: { model?: string }) => Promise<ProviderTestResult>;
}

export const PROVIDER_USAGE = [
  "provider list",
  "provider test <name> [model]",
  "provider add <name> <kind> [baseUrl=…] [model=…] [apiKey=…]",
  "provider remove <name>",
] as const;

const ADD_KEYS = ["baseUrl", "model", "apiKey"] as const;
type AddKey = (typeof ADD_KEYS)[number];

const USAGE_TEXT = `Usage:\n${PROVIDER_USAGE.map((u) => `- \`${u}\``).join("\n")}\n\nKinds: ${PROVIDER_KINDS.join(", ")}. Adding and removing are for admins.`;

/** Every provider in force: vigil.yaml's, replaced by any of the same name added by command. */
function providersInForce(
  configured: readonly ProviderConfig[],
  stored: readonly ProviderConfig[],
): ProviderConfig[] {
  const byName = new Map<string, ProviderConfig>();
  for (const p of [...configured, ...stored]) byName.set(p.name, p);
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

function describeProvider(p: ProviderConfig): string {
  let url: string;
  try {
    url = baseUrlOf(p);
  } catch {
    url = "no base URL";
  }
  return `${p.kind}, ${url}${p.model ? `, model ${p.model}` : ""}`;
}

function resultText(p: ProviderConfig, r: ProviderTestResult): string {
  return r.ok
    ? `Provider ${p.name} (${describeProvider(p)}) answered in ${r.latencyMs} ms.`
    : `Provider ${p.name} (${describeProvider(p)}) failed after ${r.latencyMs} ms: ${r.advice ?? "no reason given"}.`;
}

/**
 * `vigil provider test NAME`: one tiny call to the named provider. `providers` are those in force
 * (vigil.yaml's and the stored ones, keys opened). An unknown name lists the known ones.
 */
export async function providerTestCli(
  name: string,
  { providers, model }: { providers: readonly ProviderConfig[]; model?: string },
): Promise<{ ok: boolean; text: string }> {
  const provider = providers.find((p) => p.name === name);
  if (!provider) {
    const known = providers.map((p) => p.name).sort();
    return {
      ok: false,
      text: `There is no provider "${name}". ${known.length > 0 ? `Known providers: ${known.join(", ")}.` : "No providers are configured: add one under providers: in vigil.yaml, or with `provider add` in chat."}`,
    };
  }
  const result = await testProvider(provider, model !== undefined ? { model } : {});
  return { ok: result.ok, text: resultText(provider, result) };
}

/** The `provider` command. */
export function providerCommands(opts: ProviderCommandsOptions): Command[] {
  const { store, audit, isAdmin } = opts;
  const configured = opts.configured ?? [];
  const canView = opts.canView ?? (() => true);
  const actorOf = opts.actorOf ?? ((ctx: ChatContext) => `${ctx.event.platform}:${ctx.event.user.id}`);
  const test = opts.test ?? ((p, o) => testProvider(p, o));
  const inForce = () => providersInForce(configured, store.list());
  const isConfigured = (name: string) => configured.some((p) => p.name === name);

  const record = (ctx: ChatContext, decision: string, reason: string, details: Record<string, unknown>) =>
    audit.append({
      actor: actorOf(ctx),
      source: "chat",
      decision,
      reason,
      ...whereOf(ctx),
      details,
    });

  /**
   * The message carried an API key: it now sits in the platform's history. Delete it where the
   * adapter can; otherwise ask the user to.
   */
  async function scrubKeyMessage(ctx: ChatContext): Promise<string> {
    if (ctx.event.kind !== "message" || ctx.event.platform === "console") return "";
    const deleter = ctx.adapter as Partial<MessageDeleter>;
    if (typeof deleter.deleteMessage === "function") {
      try {
        await deleter.deleteMessage({
          platform: ctx.event.platform,
          conversation: ctx.event.conversation,
          thread: ctx.event.thread,
          messageId: ctx.event.messageId,
        });
        return "\n\nI deleted your message, since it contained the API key.";
      } catch {
        // Fall through to asking the user: the bot may lack the permission to delete.
      }
    }
    return `\n\n⚠ Your message contains the API key and ${ctx.event.platform} keeps it: delete that message now. If others could read it, rotate the key.`;
  }

  async function list(ctx: ChatContext) {
    const lines = inForce().map((p) => {
      const source = store.get(p.name) ? "added by command" : "vigil.yaml";
      const key = p.apiKey ? (source === "vigil.yaml" ? "key set" : "key sealed") : "no key";
      return `- **${p.name}**: ${describeProvider(p)}; ${key} (${source})`;
    });
    await ctx.reply(
      createCard({
        title: "Model providers",
        markdown:
          lines.length > 0
            ? `${lines.join("\n")}\n\n\`provider test <name>\` makes one tiny call to check it.`
            : "No providers yet. An admin adds one with `provider add <name> <kind> …`.",
      }),
    );
  }

  async function runTest(ctx: ChatContext, name: string, model: string | undefined) {
    const provider = inForce().find((p) => p.name === name);
    if (!provider) {
      await ctx.reply(unknownText(name));
      return;
    }
    if (!model && !provider.model) {
      await ctx.reply(`Provider ${name} has no default model; name one: \`provider test ${name} <model>\`.`);
      return;
    }
    const result = await test(provider, model ? { model } : {});
    let text = resultText(provider, result);
    if (!result.ok && result.failure === "bad-key" && !isConfigured(name))
      text += ` Add it again with the right key: \`provider add ${name} ${provider.kind} apiKey=…\`.`;
    await ctx.reply(text);
  }

  const unknownText = (name: string) => {
    const names = inForce().map((p) => `\`${p.name}\``);
    return `There is no provider \`${name}\`. Providers: ${names.join(", ") || "none"}.`;
  };

  async function add(ctx: ChatContext, words: string[]): Promise<string> {
    const [name, kind, ...pairs] = words;
    const usage = `Usage: \`${PROVIDER_USAGE[2]}\`.`;
    if (name === undefined || kind === undefined) return usage;
    if (!(PROVIDER_KINDS as readonly string[]).includes(kind))
      // Quote the word back only when it cannot be a pasted secret.
      return `Unknown kind${/^[a-z-]{1,24}$/.test(kind) ? ` \`${kind}\`` : ""}; kinds are ${PROVIDER_KINDS.join(", ")}.`;
    const given: Partial<Record<AddKey, string>> = {};
    for (const pair of pairs) {
      const eq = pair.indexOf("=");
      const key = ADD_KEYS.find((k) => k.toLowerCase() === pair.slice(0, eq).toLowerCase());
      // Never quote the word back: it may be a key pasted without `apiKey=`.
      if (eq <= 0 || key === undefined)
        return `Each option is key=value with key one of ${ADD_KEYS.join(", ")}. ${usage}`;
      if (given[key] !== undefined) return `\`${key}\` is given twice. ${usage}`;
      given[key] = pair.slice(eq + 1).replace(/^<(https?:\/\/[^|>]+)(?:\|[^>]*)?>$/, "$1");
    }
    const config: ProviderConfig = { name, kind: kind as ProviderKind, ...given };
    const parsed = providerConfigSchema.safeParse(config);
    if (!parsed.success) {
      const why = parsed.error.issues
        .map((i) => `${i.path.join(".") || "provider"}: ${i.message}`)
        .join("; ");
      return `Not added: ${why}. ${usage}`;
    }
    const replaced = store.get(name) !== undefined;
    store.save(config);
    opts.onChange?.(name, store.get(name));
    const { apiKey, ...shown } = config;
    record(
      ctx,
      "info",
      `${replaced ? "replaced" : "added"} provider ${name} (${describeProvider(config)}${apiKey ? "; key sealed" : ""})`,
      {
        command: "provider add",
        ...shown,
        apiKey: apiKey ? "set" : "none",
      },
    );
    const shadow = isConfigured(name)
      ? " It replaces the vigil.yaml provider of that name while it exists."
      : "";
    return `${replaced ? "Replaced" : "Added"} provider ${name} (${describeProvider(config)})${apiKey ? " with its API key sealed" : ""}.${shadow} Check it with \`provider test ${name}\`.`;
  }

  async function remove(ctx: ChatContext, name: string) {
    if (!store.get(name)) {
      await ctx.reply(
        isConfigured(name)
          ? `Provider ${name} is defined in vigil.yaml; remove it there.`
          : unknownText(name),
      );
      return;
    }
    store.remove(name);
    const now = inForce().find((p) => p.name === name);
    opts.onChange?.(name, now);
    record(ctx, "info", `removed provider ${name}`, { command: "provider remove", name });
    await ctx.reply(
      now
        ? `Removed provider ${name}; the vigil.yaml provider of that name applies again.`
        : `Removed provider ${name}.`,
    );
  }

  return [
    {
      name: "provider",
      summary: "model providers: list and test (admins add and remove)",
      usage:
        "provider list | test <name> | add <name> <kind> [baseUrl=…] [model=…] [apiKey=…] | remove <name>",
      async run(ctx, args) {
        const words = args.split(/\s+/).filter(Boolean);
        const sub = words[0]?.toLowerCase();
        const rest = words.slice(1);
        const carriesKey = /\bapi_?key\s*=/i.test(args);
        if (sub === "add") {
          const outcome = isAdmin(ctx) ? await add(ctx, rest) : undefined;
          if (outcome === undefined)
            record(ctx, "refused", "provider add: not an admin", { command: "provider add" });
          const text = outcome ?? "Only a Vigil admin may use `provider add`. Ask an admin.";
          await ctx.reply(`${text}${carriesKey ? await scrubKeyMessage(ctx) : ""}`);
          return;
        }
        if (sub === undefined || sub === "help") {
          await ctx.reply(USAGE_TEXT);
          return;
        }
        if (sub === "remove") {
          if (!isAdmin(ctx)) {
            record(ctx, "refused", "provider remove: not an admin", { command: "provider remove" });
            await ctx.reply("Only a Vigil admin may use `provider remove`. Ask an admin.");
            return;
          }
          if (rest.length !== 1) {
            await ctx.reply(`Usage: \`${PROVIDER_USAGE[3]}\`.`);
            return;
          }
          await remove(ctx, rest[0]);
          return;
        }
        if (sub !== "list" && sub !== "test") {
          await ctx.reply(`\`provider ${sub}\` is not a subcommand.\n\n${USAGE_TEXT}`);
          return;
        }
        if (!canView(ctx)) {
          await ctx.reply("You need a Vigil role to see providers; ask an admin to link your account.");
          return;
        }
        if (sub === "list") {
          await list(ctx);
          return;
        }
        if (rest.length < 1 || rest.length > 2) {
          await ctx.reply(`Usage: \`${PROVIDER_USAGE[1]}\`.`);
          return;
        }
        await runTest(ctx, rest[0], rest[1]);
      },
    },
  ];
}
