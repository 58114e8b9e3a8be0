// The Discord harness for the adapter contract suite: a FakeDiscord plus a DiscordAdapter
// pointed at it; acts as users through the fake and reads back what the bot posted.

import type { BotMessage, PlatformDriver, UserMessageOptions } from "../../src/testing/platform-driver.ts";
import { DiscordAdapter, type DiscordAdapterOptions } from "./discord-adapter.ts";
import { FakeDiscord, type FakeDiscordOptions } from "./fake-discord.ts";
import { DISCORD_MESSAGE_LIMIT } from "./render-discord.ts";

export interface DiscordDriverOptions {
  /** Options for the fake platform. */
  fake?: FakeDiscordOptions;
  /** Extra adapter options (token and apiUrl point at the fake). */
  adapter?: Partial<DiscordAdapterOptions>;
}

/** A PlatformDriver that also exposes the fake, for Discord-specific assertions. */
export interface DiscordDriver extends PlatformDriver {
  readonly adapter: DiscordAdapter;
  readonly fake: FakeDiscord;
}

/**
 * Starts a fake Discord and builds a DiscordAdapter against it. The adapter is not started:
 * the suite calls `driver.adapter.start(handler)` with its own handler.
 */
export async function createDiscordDriver(opts: DiscordDriverOptions = {}): Promise<DiscordDriver> {
  const fake = new FakeDiscord(opts.fake);
  await fake.start();
  const adapter = new DiscordAdapter({
    token: fake.token,
    apiUrl: fake.apiUrl,
    guildId: fake.guildId,
    requestTimeoutMs: 2000,
    connectTimeoutMs: 10_000,
    retryBaseMs: 200,
    // Tests post more than Discord's 5 per 5 s; the fake does not enforce it unless asked.
    rate: { perSecond: 50, burst: 50 },
    deliveryBackoffMs: 50,
    ...opts.adapter,
  });

  return {
    adapter,
    fake,
    conversation: fake.channelId,
    maxMessageLength: DISCORD_MESSAGE_LIMIT,
    renderedBold: "**bold**",

    async userMessage(o: UserMessageOptions): Promise<void> {
      await fake.userMessage({
        channel: o.thread ?? o.conversation,
        user: o.user,
        content: o.text,
        duplicate: o.duplicate,
      });
    },

    async click(message: BotMessage, buttonId: string, user: { id: string; name: string }): Promise<void> {
      const interaction = await fake.click({ messageId: message.messageId, customId: buttonId, user });
      // The adapter acknowledges at once; waiting for it makes "delivered" mean "handled by discord.js".
      await fake.waitForAnswer(interaction.id, 5000).catch(() => undefined);
    },

    botMessages(): readonly BotMessage[] {
      return fake.botMessages().map((m) => {
        const channel = fake.channel(m.channelId);
        const inThread = channel?.parent_id != null;
        return {
          conversation: inThread ? channel!.parent_id! : m.channelId,
          thread: inThread ? m.channelId : undefined,
          messageId: m.id,
          text: m.content,
          buttons: m.components.flatMap((row) =>
            row.components
              .filter((c) => typeof c.custom_id === "string")
              .map((c) => ({ id: c.custom_id!, label: c.label ?? "" })),
          ),
        };
      });
    },

    async close(): Promise<void> {
      await adapter.stop();
      await fake.close();
    },
  };
}
