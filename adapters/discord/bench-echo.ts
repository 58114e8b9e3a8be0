// A bare echo bot written with discord.js alone (no Vigil code): the baseline for the round-trip
// benchmark. Run directly, it measures bare and Vigil round trips against the fake and prints both.

import { Client, Events, GatewayIntentBits } from "discord.js";

export interface EchoBot {
  readonly client: Client;
  stop(): Promise<void>;
}

/** Starts a bot that answers every user message with the same text, in a thread started from it. */
export async function startEchoBot(opts: { token: string; apiUrl: string }): Promise<EchoBot> {
  const client = new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
    rest: { api: opts.apiUrl, retries: 0, timeout: 2000 },
  });
  client.on(Events.MessageCreate, async (message) => {
    if (message.author.bot || !message.inGuild()) return;
    try {
      const channel = message.channel.isThread()
        ? message.channel
        : await message.startThread({ name: "echo" });
      await channel.send({ content: message.content, allowedMentions: { parse: [] } });
    } catch (err) {
      console.error("echo failed", err);
    }
  });
  await client.login(opts.token);
  return { client, stop: () => client.destroy() };
}

async function main(rounds: number): Promise<void> {
  const { FakeDiscord } = await import("./fake-discord.ts");
  const user = { id: "910000000000000001", name: "bench" };
  const measure = async (
    label: string,
    run: (fake: InstanceType<typeof FakeDiscord>) => Promise<() => Promise<void>>,
  ) => {
    const fake = new FakeDiscord();
    await fake.start();
    const stop = await run(fake);
    const times: number[] = [];
    try {
      for (let i = 0; i < rounds; i++) {
        times.push((await fake.roundTrip({ channel: fake.channelId, user, content: `ping ${i}` })).ms);
      }
    } finally {
      await stop();
      await fake.close();
    }
    times.sort((a, b) => a - b);
    const pct = (p: number) =>
      times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))].toFixed(1);
    console.log(`${label}: n=${rounds} p50=${pct(50)} ms p95=${pct(95)} ms max=${pct(100)} ms`);
  };

  await measure(
    "bare discord.js",
    async (fake) => (await startEchoBot({ token: fake.token, apiUrl: fake.apiUrl })).stop,
  );
  await measure("vigil adapter", async (fake) => {
    const { DiscordAdapter } = await import("./discord-adapter.ts");
    const { textCard } = await import("../../src/core/card.ts");
    const adapter = new DiscordAdapter({
      token: fake.token,
      apiUrl: fake.apiUrl,
      rate: { perSecond: 1000, burst: 1000 },
    });
    await adapter.start(async (e) => {
      if (e.kind !== "message") return;
      await adapter.send({ conversation: e.conversation, thread: e.thread ?? e.messageId }, textCard(e.text));
    });
    return () => adapter.stop();
  });
}

if (import.meta.main) {
  await main(Number(process.argv[2] ?? 50));
}
