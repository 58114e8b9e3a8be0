// The one schema for Vigil's configuration (vigil.yaml + environment). Every field has a
// default so Vigil runs with no config at all.

import { z } from "zod";

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
});

export type Config = z.infer<typeof configSchema> & {
  readonly dataDir: string;
  readonly configPath?: string;
};
