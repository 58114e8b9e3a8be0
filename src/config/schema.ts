// The one schema for Vigil's configuration (vigil.yaml + environment). Every field has a
// default so Vigil runs with no config at all.

import { z } from "zod";
import { providerConfigSchema } from "../llm/provider-config.ts";
import { usersConfigSchema } from "../policy/identities.ts";
import { mcpServerConfigSchema } from "../tools/mcp/mcp-server-config.ts";

const PORT_RULE = "expected a port number, a whole number from 1 to 65535";
const port = z.coerce.number({ error: PORT_RULE }).int(PORT_RULE).min(1, PORT_RULE).max(65535, PORT_RULE);

export const serverSchema = z.strictObject({
  host: z.string().min(1).default("127.0.0.1"),
  port: port.default(3000),
  /** Origins allowed to call the JSON API from a browser; empty means same-origin only. */
  corsOrigins: z.array(z.url("expected an origin URL such as https://ops.example.com")).default([]),
});

export const slackSchema = z.strictObject({
  botToken: z.string().startsWith("xoxb-", "a Slack bot token starts with xoxb-").optional(),
  appToken: z.string().startsWith("xapp-", "a Slack app-level token starts with xapp-").optional(),
  signingSecret: z.string().min(1).optional(),
  apiUrl: z.url().optional(),
  mode: z.enum(["socket", "http"]).optional(),
  httpPort: port.default(3001),
});

export const discordSchema = z.strictObject({
  token: z.string().min(1).optional(),
  apiUrl: z.url().optional(),
});

export const telegramSchema = z
  .strictObject({
    botToken: z
      .string()
      .regex(/^\d+:[A-Za-z0-9_-]+$/, "a Telegram bot token looks like 123456:ABC-def…")
      .optional(),
    apiRoot: z.url().optional(),
    webhookSecret: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,256}$/, "1-256 characters of A-Z, a-z, 0-9, _ and -")
      .optional(),
    mode: z.enum(["polling", "webhook"]).optional(),
    /** Public https URL of Vigil's /telegram/webhook route; when set, Vigil registers it with Telegram. */
    webhookUrl: z.url().optional(),
  })
  .refine((t) => t.mode !== "webhook" || t.webhookSecret !== undefined, {
    path: ["webhookSecret"],
    message:
      "webhook mode needs a secret token (TELEGRAM_WEBHOOK_SECRET): without it anyone could post updates",
  });

const modelRef = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*\/.+$/, "write the model as provider/model-id, e.g. openai/gpt-4o-mini");

export const policySchema = z.strictObject({
  /** Minutes a grant stays usable after approval, and the hard maximum (at most 24 h). */
  grantTtlMinutes: z.number().positive().max(1440).default(15),
  grantMaxTtlMinutes: z.number().positive().max(1440).default(1440),
  /** Minutes an approval card waits for clicks before it shows EXPIRED. */
  approvalTtlMinutes: z.number().positive().max(10080).default(30),
  /** Distinct approvers an elevate call needs (N of M). */
  elevateApprovals: z.number().int().min(1).max(10).default(1),
  /** A channel that gets a copy of every approval card, on any connected platform. */
  approvalsChannel: z
    .strictObject({
      platform: z.enum(["slack", "discord", "telegram", "console"]),
      conversation: z.string().min(1),
    })
    .optional(),
  /** strict or lenient for every operator; absent: each operator's own trust mode applies. */
  trust: z.enum(["strict", "lenient"]).optional(),
  /** Longest a tool may run before Vigil stops it. */
  toolTimeoutSeconds: z.number().int().positive().max(86_400).default(300),
});

export const sshCredentialSchema = z.strictObject({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(22),
  user: z.string().min(1),
  /** Path of a private key file (read when a call needs it; keep it mode 0600). */
  privateKeyFile: z.string().min(1),
});

export const configSchema = z.strictObject({
  server: serverSchema.default(serverSchema.parse({})),
  log: z
    .strictObject({
      level: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    })
    .default({ level: "info" }),
  slack: slackSchema.default(slackSchema.parse({})),
  discord: discordSchema.default({}),
  telegram: telegramSchema.default({}),
  /** Who is who across platforms, their roles, and which operators each channel may use. */
  access: usersConfigSchema.default({ users: [], channels: [], unboundChannels: "any-operator" }),
  policy: policySchema.default(policySchema.parse({})),
  /** Model providers; an API key here is used as is (keys added by admin command are sealed at rest). */
  providers: z.array(providerConfigSchema).default([]),
  models: z
    .strictObject({
      /** Picks the operator for free text; without it a lexical ranking does. */
      router: modelRef.optional(),
      /** Used by operators that name no model. */
      default: modelRef.optional(),
    })
    .default({}),
  operators: z
    .strictObject({
      /** A directory of extra operator YAML files, next to the shipped ones (config/operators). */
      dir: z.string().optional(),
    })
    .default({}),
  mcp: z.strictObject({ servers: z.array(mcpServerConfigSchema).default([]) }).default({ servers: [] }),
  docker: z
    .strictObject({
      /** Docker engine socket; default /var/run/docker.sock. Docker tools are offered when it exists. */
      socketPath: z.string().default("/var/run/docker.sock"),
    })
    .default({ socketPath: "/var/run/docker.sock" }),
  ssh: z.strictObject({ credentials: z.array(sshCredentialSchema).default([]) }).default({ credentials: [] }),
});

export type Config = z.infer<typeof configSchema> & {
  readonly dataDir: string;
  readonly configPath?: string;
};
