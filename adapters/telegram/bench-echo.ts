// A bare grammY echo bot (no Vigil code) and the round-trip benchmark that runs it against
// the fake Bot API: the floor Vigil's own Telegram round trip is compared with.

import { Bot } from "grammy";
import { FakeTelegram } from "./fake-telegram.ts";

const escapeHtml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Starts an echo bot with grammY alone; resolves once it is polling. Call `stop()` to end it. */
export async function startEchoBot(opts: {
  token: string;
  apiRoot: string;
}): Promise<{ stop(): Promise<void> }> {
  const bot = new Bot(opts.token, { client: { apiRoot: opts.apiRoot } });
  // Replies the way any threaded bot does (and Vigil does): HTML, into the message's reply chain.
  bot.on("message:text", (ctx) =>
    ctx.reply(escapeHtml(ctx.message.text), {
      parse_mode: "HTML",
      link_preview_options: { is_disabled: true },
      reply_parameters: { message_id: ctx.message.message_id, allow_sending_without_reply: true },
    }),
  );
  const running = new Promise<void>((resolve, reject) => {
    bot.start({ timeout: 10, onStart: () => resolve() }).catch(reject);
  });
  await running;
  return { stop: () => bot.stop() };
}

/** Measures `rounds` message → reply round trips through the fake; figures in milliseconds. */
export async function benchTelegramEcho(rounds = 200): Promise<Record<string, number>> {
  const fake = await FakeTelegram.start();
  const chat = fake.addChat({ id: 1, type: "private" });
  const from = { id: 2, is_bot: false, first_name: "Bench" };
  const echo = await startEchoBot({ token: fake.token, apiRoot: fake.apiRoot });
  try {
    const times: number[] = [];
    for (let i = 0; i < rounds; i++)
      times.push(await fake.roundTrip({ chatId: chat.id, from, text: `ping ${i}` }));
    times.sort((a, b) => a - b);
    const at = (q: number) =>
      Number(times[Math.min(times.length - 1, Math.floor(q * times.length))].toFixed(3));
    return { rounds, p50_ms: at(0.5), p95_ms: at(0.95), max_ms: at(1) };
  } finally {
    await echo.stop();
    await fake.close();
  }
}

if (import.meta.main) {
  process.stdout.write(`${JSON.stringify({ bench: "telegram-echo", ...(await benchTelegramEcho()) })}\n`);
}
