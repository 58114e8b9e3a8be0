// The chat adapters Vigil ships, and which ones a configuration turns on. Platform SDKs are
// imported only when their platform is configured, so an unused one costs no memory.

import type { FastifyPluginAsync } from "fastify";
import type { Config } from "../src/config/schema.ts";
import type { ChatAdapter } from "../src/core/chat-adapter.ts";

export interface AdapterLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export interface ConfiguredAdapters {
  readonly adapters: ChatAdapter[];
  /** Routes the web server must serve for these adapters (webhook modes). */
  readonly webPlugins: FastifyPluginAsync[];
}

/** Builds the adapter of every platform whose token is configured. */
export async function createConfiguredAdapters(
  config: Config,
  log: AdapterLog & { child?(bindings: object): AdapterLog },
): Promise<ConfiguredAdapters> {
  const adapters: ChatAdapter[] = [];
  const webPlugins: FastifyPluginAsync[] = [];
  const logFor = (platform: string) => log.child?.({ platform }) ?? log;

  const { slack, discord, telegram } = config;
  if (slack.botToken) {
    const { SlackAdapter } = await import("./slack/index.ts");
    adapters.push(
      new SlackAdapter({
        botToken: slack.botToken,
        appToken: slack.appToken,
        signingSecret: slack.signingSecret,
        apiUrl: slack.apiUrl,
        mode: slack.mode ?? (slack.appToken ? "socket" : "http"),
        httpPort: slack.httpPort,
        log: logFor("slack"),
      }),
    );
  }
  if (discord.token) {
    const { DiscordAdapter } = await import("./discord/index.ts");
    adapters.push(
      new DiscordAdapter({ token: discord.token, apiUrl: discord.apiUrl, log: logFor("discord") }),
    );
  }
  if (telegram.botToken) {
    const { TelegramAdapter } = await import("./telegram/index.ts");
    const adapter = new TelegramAdapter({
      token: telegram.botToken,
      apiRoot: telegram.apiRoot,
      mode: telegram.mode,
      webhookSecret: telegram.webhookSecret,
      webhookUrl: telegram.webhookUrl,
      log: logFor("telegram"),
    });
    if (telegram.mode === "webhook") webPlugins.push(adapter.webhookPlugin());
    adapters.push(adapter);
  }
  return { adapters, webPlugins };
}

export { ConsoleAdapter, type ConsoleAdapterOptions } from "./console/index.ts";
