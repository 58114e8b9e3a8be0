// Maps grammY's failures onto Vigil's: a 429 becomes RateLimitedError, an answer that
// says no becomes PlatformRefusedError (with advice), a network failure PlatformUnreachableError.

import { GrammyError, HttpError } from "grammy";
import { RateLimitedError } from "../../src/core/delivery-queue.ts";
import { PlatformRefusedError, PlatformUnreachableError } from "../../src/core/errors.ts";

/** Advice for a failure, in words that say what to fix. */
export function describeTelegramError(err: unknown, apiRoot = "https://api.telegram.org"): string {
  if (err instanceof GrammyError) {
    switch (err.error_code) {
      case 401:
        return "Telegram refused the bot token (401) — check TELEGRAM_BOT_TOKEN";
      case 404:
        return `Telegram answered 404 for ${err.method} — check TELEGRAM_BOT_TOKEN and TELEGRAM_API_ROOT (${apiRoot})`;
      case 409:
        return err.description.includes("webhook")
          ? "Telegram has a webhook set for this bot, so long polling is refused (409) — use webhook mode or delete the webhook"
          : "another process is polling Telegram with this bot token (409 Conflict) — stop the other instance or use webhook mode";
      case 403:
        return `Telegram refused ${err.method} (403: ${err.description}) — the bot was removed from the chat or lacks rights there`;
      case 429:
        return `Telegram rate limit on ${err.method} (429), retry after ${err.parameters.retry_after ?? "?"} s`;
      default:
        return `Telegram refused ${err.method} (${err.error_code}: ${err.description})`;
    }
  }
  if (err instanceof HttpError) {
    const cause = err.error instanceof Error ? err.error.message : String(err.error);
    return `Telegram API at ${apiRoot} is unreachable (${cause}) — check TELEGRAM_API_ROOT and the network`;
  }
  return err instanceof Error ? err.message : String(err);
}

/** Converts a grammY error into the error the delivery queue and the core understand. */
export function toPlatformError(err: unknown, apiRoot?: string): Error {
  if (err instanceof GrammyError) {
    if (err.error_code === 429)
      return new RateLimitedError((err.parameters.retry_after ?? 1) * 1000, { cause: err });
    if (err.error_code >= 500)
      return new PlatformUnreachableError(describeTelegramError(err, apiRoot), { cause: err });
    return new PlatformRefusedError(describeTelegramError(err, apiRoot), {
      cause: err,
      status: err.error_code,
    });
  }
  if (err instanceof HttpError)
    return new PlatformUnreachableError(describeTelegramError(err, apiRoot), { cause: err });
  return err instanceof Error ? err : new Error(String(err));
}

/** Telegram's answer to an edit that changes nothing; the edit's goal is met. */
export function isNotModified(err: unknown): boolean {
  return (
    err instanceof GrammyError &&
    err.error_code === 400 &&
    err.description.includes("message is not modified")
  );
}
