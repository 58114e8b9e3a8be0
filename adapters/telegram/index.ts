// The Telegram adapter: grammY long polling or webhook, cards as HTML + inline keyboards.

export { benchTelegramEcho, startEchoBot } from "./bench-echo.ts";
export {
  type FakeBotMessage,
  type FakeChat,
  type FakeMessage,
  FakeTelegram,
  type FakeTelegramOptions,
  type FakeUser,
} from "./fake-telegram.ts";
export { normalizeTelegramUpdate, TOPIC_PREFIX, telegramEventId } from "./normalize-telegram-update.ts";
export { parseTelegramHtml, TelegramHtmlError } from "./parse-telegram-html.ts";
export {
  escapeHtml,
  renderTelegramCard,
  TELEGRAM_MAX_CALLBACK_DATA_BYTES,
  TELEGRAM_MAX_MESSAGE_LENGTH,
  type TelegramMessagePart,
} from "./render-telegram.ts";
export {
  TelegramAdapter,
  type TelegramAdapterOptions,
  type TelegramLog,
  telegramWebhookRoute,
} from "./telegram-adapter.ts";
export { createTelegramDriver, type TelegramDriver, type TelegramDriverOptions } from "./telegram-driver.ts";
