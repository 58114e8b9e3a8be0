// The Discord adapter: the adapter itself, its renderer, and the fake platform and driver for tests.

export { DiscordAdapter, type DiscordAdapterLog, type DiscordAdapterOptions } from "./discord-adapter.ts";
export { createDiscordDriver, type DiscordDriver, type DiscordDriverOptions } from "./discord-driver.ts";
export {
  FakeDiscord,
  type FakeDiscordOptions,
  type FakeInteraction,
  type FakeMessage,
  type FakeUser,
} from "./fake-discord.ts";
export {
  DISCORD_CUSTOM_ID_LIMIT,
  DISCORD_MESSAGE_LIMIT,
  renderDiscordCard,
  renderDiscordEdit,
} from "./render-discord.ts";
