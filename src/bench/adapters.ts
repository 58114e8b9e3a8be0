// Adapter benchmark: for each platform, a message round trip through Vigil (adapter → hub →
// session → reply) against the platform's fake, beside a bare echo bot written with the same
// library against its own fake, interleaved in one run. Then idle RSS of `vigil chat --web`
// with all four adapters connected.
//
// Vigil's outbound token buckets are raised for the run: they model the platforms' rate
// limits (about 1 message/s per channel), which would otherwise be all that is measured.
// discord.js keeps its own client-side limit of 50 requests/s per bot: at ~600 requests/s a
// Discord p99 shows its one-second waits, and since the two sides alternate, one side's wait
// also paces the other.

import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import pino from "pino";
import { startEchoBot as startBareDiscordEcho } from "../../adapters/discord/bench-echo.ts";
import { DiscordAdapter, FakeDiscord } from "../../adapters/discord/index.ts";
import { FakeSlack, SlackAdapter, startBareSlackEcho } from "../../adapters/slack/index.ts";
import {
  FakeTelegram,
  startEchoBot as startBareTelegramEcho,
  TelegramAdapter,
} from "../../adapters/telegram/index.ts";
import type { ChatAdapter } from "../core/chat-adapter.ts";
import { ChatHub } from "../core/chat-hub.ts";
import { openStore } from "../store/index.ts";
import { freePort } from "../testing/free-port.ts";
import { tempDir } from "../testing/temp-dir.ts";
import { waitFor } from "../testing/wait-for.ts";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 200);
const USER = { id: "710000001", name: "ana" };
const FAST = { perSecond: 10_000, burst: 10_000 };

interface Platform {
  name: string;
  /** One round trip through Vigil and one through the bare bot, in ms. */
  vigil(i: number): Promise<number>;
  bare(i: number): Promise<number>;
  close(): Promise<void>;
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const round2 = (x: number) => Math.round(x * 100) / 100;

/** Vigil's real pipeline with an echo at the end, on its own store. */
async function vigilWith(adapter: ChatAdapter) {
  const dir = tempDir();
  const store = openStore(join(dir.path, "vigil.db"));
  const hub = new ChatHub({
    ...store, // sessions, handled deliveries, actions and the transaction the hub needs
    log: pino({ level: "silent" }),
  });
  hub.use(async (ctx) => {
    await ctx.reply(ctx.text);
  });
  hub.attach(adapter);
  await hub.start();
  await waitFor(() => adapter.status().state === "connected", {
    what: `${adapter.platform} connected`,
    timeoutMs: 15_000,
  });
  return {
    async close() {
      await hub.stop();
      store.close();
      dir[Symbol.dispose]();
    },
  };
}

async function slack(): Promise<Platform> {
  const [fv, fb] = [await FakeSlack.start(), await FakeSlack.start()];
  const adapter = new SlackAdapter({
    botToken: fv.botToken,
    appToken: fv.appToken,
    apiUrl: fv.apiUrl,
    ratePerSecond: FAST.perSecond,
    burst: FAST.burst,
  });
  const vigil = await vigilWith(adapter);
  const bare = await startBareSlackEcho(fb);
  return {
    name: "slack",
    vigil: (i) => fv.measureRoundTrip({ channel: "C0BENCH", user: USER, text: `v${i}` }),
    bare: (i) => fb.measureRoundTrip({ channel: "C0BENCH", user: USER, text: `b${i}` }),
    async close() {
      await vigil.close();
      await bare.stop();
      await fv.close();
      await fb.close();
    },
  };
}

async function discord(): Promise<Platform> {
  const fv = new FakeDiscord();
  const fb = new FakeDiscord();
  await fv.start();
  await fb.start();
  const adapter = new DiscordAdapter({ token: fv.token, apiUrl: fv.apiUrl, rate: FAST });
  const vigil = await vigilWith(adapter);
  const bare = await startBareDiscordEcho({ token: fb.token, apiUrl: fb.apiUrl });
  return {
    name: "discord",
    vigil: async (i) => (await fv.roundTrip({ channel: fv.channelId, user: USER, content: `v${i}` })).ms,
    bare: async (i) => (await fb.roundTrip({ channel: fb.channelId, user: USER, content: `b${i}` })).ms,
    async close() {
      await vigil.close();
      await bare.stop();
      await fv.close();
      await fb.close();
    },
  };
}

async function telegram(): Promise<Platform> {
  const [fv, fb] = [await FakeTelegram.start(), await FakeTelegram.start()];
  const adapter = new TelegramAdapter({
    token: fv.token,
    apiRoot: fv.apiRoot,
    rate: {
      globalPerSecond: FAST.perSecond,
      globalBurst: FAST.burst,
      perChatPerSecond: FAST.perSecond,
      perChatBurst: FAST.burst,
    },
  });
  const vigil = await vigilWith(adapter);
  const bare = await startBareTelegramEcho({ token: fb.token, apiRoot: fb.apiRoot });
  const from = { id: Number(USER.id), is_bot: false, first_name: USER.name };
  for (const f of [fv, fb]) f.addChat({ id: -100123, type: "supergroup", title: "ops" });
  return {
    name: "telegram",
    vigil: (i) => fv.roundTrip({ chatId: -100123, from, text: `v${i}` }),
    bare: (i) => fb.roundTrip({ chatId: -100123, from, text: `b${i}` }),
    async close() {
      await vigil.close();
      await bare.stop();
      await fv.close();
      await fb.close();
    },
  };
}

async function roundTrips(p: Platform): Promise<Record<string, number>> {
  const v: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < 10; i++) {
    await p.vigil(-i - 1);
    await p.bare(-i - 1);
  }
  for (let i = 0; i < ROUNDS; i++) {
    // Interleaved, so machine noise hits both sides alike.
    v.push(await p.vigil(i));
    b.push(await p.bare(i));
  }
  const ratio = quantile(v, 0.5) / quantile(b, 0.5);
  return {
    [`${p.name}VigilMedianMs`]: round2(quantile(v, 0.5)),
    [`${p.name}VigilP99Ms`]: round2(quantile(v, 0.99)),
    [`${p.name}BareMedianMs`]: round2(quantile(b, 0.5)),
    [`${p.name}BareP99Ms`]: round2(quantile(b, 0.99)),
    [`${p.name}RatioOfMedians`]: round2(ratio),
  };
}

/** RSS of `vigil chat --web` with Slack, Discord, Telegram and the console all connected. */
async function idleRssAllAdapters(dir: string): Promise<number> {
  const slackFake = await FakeSlack.start();
  const discordFake = new FakeDiscord();
  await discordFake.start();
  const telegramFake = await FakeTelegram.start();
  const port = await freePort();
  // Run as a user runs it (`npx vigil chat`): by its shebang, with its V8 settings.
  const child = spawn(join(import.meta.dirname, "..", "vigil.mjs"), ["chat", "--web"], {
    env: {
      PATH: process.env.PATH,
      HOME: dir,
      VIGIL_DATA_DIR: dir,
      VIGIL_PORT: String(port),
      SLACK_BOT_TOKEN: slackFake.botToken,
      SLACK_APP_TOKEN: slackFake.appToken,
      SLACK_API_URL: slackFake.apiUrl,
      DISCORD_TOKEN: discordFake.token,
      DISCORD_API_URL: discordFake.apiUrl,
      TELEGRAM_BOT_TOKEN: telegramFake.token,
      TELEGRAM_API_ROOT: telegramFake.apiRoot,
    },
    stdio: ["pipe", "ignore", "ignore"],
  });
  try {
    await waitFor(
      async () => {
        try {
          const body = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as {
            adapters: { state: string }[];
          };
          return body.adapters.length === 4 && body.adapters.every((a) => a.state === "connected");
        } catch {
          return false;
        }
      },
      { what: "all four adapters connected", timeoutMs: 30_000, intervalMs: 100 },
    );
    await new Promise((r) => setTimeout(r, 3000)); // idle
    const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]) / 1024;
  } finally {
    const exited = new Promise((r) => child.once("exit", r));
    child.stdin.end();
    child.kill("SIGTERM");
    await exited;
    await slackFake.close();
    await discordFake.close();
    await telegramFake.close();
  }
}

export async function benchAdapters(): Promise<Record<string, number>> {
  const figures: Record<string, number> = { rounds: ROUNDS };
  for (const make of [slack, discord, telegram]) {
    const p = await make();
    try {
      Object.assign(figures, await roundTrips(p));
    } finally {
      await p.close();
    }
  }
  // The first start creates the data dir and compile cache; the second is a normal start.
  using dir = tempDir();
  figures.idleRssMbAllFourFirstStart = Math.round((await idleRssAllAdapters(dir.path)) * 10) / 10;
  figures.idleRssMbAllFourConnected = Math.round((await idleRssAllAdapters(dir.path)) * 10) / 10;
  return figures;
}
