// The fake must be strict enough to fail a careless bot: late interactions, Discord's limits,
// bad tokens, threads keyed by their starter message, and the MessageContent intent.

import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { Client, DiscordAPIError, Events, GatewayIntentBits } from "discord.js";
import { WebSocket } from "ws";
import { waitFor } from "../../src/testing/wait-for.ts";
import { FakeDiscord } from "./fake-discord.ts";

const ana = { id: "910000000000000001", name: "ana" };

let fake: FakeDiscord;
beforeEach(async () => {
  fake = new FakeDiscord();
  await fake.start();
});
afterEach(async () => {
  await fake.close();
});

async function api(method: string, path: string, body?: unknown, token = fake.token) {
  const res = await fetch(`${fake.apiUrl}/v10${path}`, {
    method,
    headers: { Authorization: `Bot ${token}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = res.status === 204 ? {} : await res.json();
  return { status: res.status, body: json as { id?: string; code?: number; parent_id?: string } };
}

function newClient(): Client {
  return new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
    rest: { api: fake.apiUrl, retries: 0, timeout: 2000, rejectOnRateLimit: () => true },
  });
}

/** Opens a raw gateway socket and collects its frames. */
async function rawGateway() {
  const ws = new WebSocket(`${fake.gatewayUrl}/?v=10&encoding=json`);
  const frames: { op: number; t?: string; d: Record<string, unknown> }[] = [];
  let closeCode: number | undefined;
  ws.on("message", (m) => frames.push(JSON.parse(m.toString())));
  ws.on("close", (code) => {
    closeCode = code;
  });
  await waitFor(() => frames.some((f) => f.op === 10), { what: "HELLO" });
  return { ws, frames, closed: () => closeCode };
}

describe("fake discord", () => {
  it("reports an interaction answered after 3 s as late, and refuses the answer as Discord does", async () => {
    const client = newClient();
    let answerError: unknown;
    client.on(Events.InteractionCreate, (i) => {
      if (!i.isButton()) return;
      // Deliberately slow: the work that should have come after the acknowledgement.
      setTimeout(() => {
        i.deferUpdate().catch((err) => {
          answerError = err;
        });
      }, 3200);
    });
    try {
      await client.login(fake.token);
      const sent = await api("POST", `/channels/${fake.channelId}/messages`, {
        content: "go?",
        components: [{ type: 1, components: [{ type: 2, style: 1, label: "Go", custom_id: "go" }] }],
      });
      const interaction = await fake.click({ messageId: sent.body.id!, customId: "go", user: ana });
      const answered = await fake.waitForAnswer(interaction.id, 6000);
      assert.equal(answered.late, true);
      assert.ok(answered.latencyMs! > 3000);
      assert.deepEqual(
        fake.lateInteractions().map((i) => i.id),
        [interaction.id],
      );
      await waitFor(() => answerError);
      assert.ok(answerError instanceof DiscordAPIError && answerError.code === 10062, String(answerError));
    } finally {
      await client.destroy();
    }
  });

  it("enforces Discord's message limits: 2000 chars, custom_id ≤ 100, 5 buttons a row, unique ids", async () => {
    const post = (body: unknown) => api("POST", `/channels/${fake.channelId}/messages`, body);
    const row = (...ids: string[]) => ({
      type: 1,
      components: ids.map((id) => ({ type: 2, style: 2, label: id.slice(0, 10), custom_id: id })),
    });
    assert.equal((await post({ content: "x".repeat(2001) })).body.code, 50035);
    assert.equal((await post({ content: "ok", components: [row("y".repeat(101))] })).body.code, 50035);
    assert.equal(
      (await post({ content: "ok", components: [row("a", "b", "c", "d", "e", "f")] })).body.code,
      50035,
    );
    assert.equal((await post({ content: "ok", components: [row("a"), row("a")] })).body.code, 50035);
    assert.equal((await post({ content: "" })).body.code, 50006);
    const fine = await post({ content: "x".repeat(2000), components: [row("y".repeat(100))] });
    assert.equal(fine.status, 200);
    assert.equal(fake.botMessages().length, 1);
  });

  it("answers REST with 401 and the gateway with close 4004 for a bad token", async () => {
    assert.equal((await api("GET", "/gateway/bot", undefined, "wrong")).status, 401);
    const gw = await rawGateway();
    gw.ws.send(JSON.stringify({ op: 2, d: { token: "wrong", intents: 0, properties: {} } }));
    await waitFor(() => gw.closed(), { what: "the close" });
    assert.equal(gw.closed(), 4004);
  });

  it("starts a thread with the starter message's id, and refuses a second one with 160004", async () => {
    const msg = await fake.userMessage({ channel: fake.channelId, user: ana, content: "root" });
    const first = await api("POST", `/channels/${fake.channelId}/messages/${msg.id}/threads`, { name: "t" });
    assert.equal(first.status, 201);
    assert.equal(first.body.id, msg.id);
    assert.equal(first.body.parent_id, fake.channelId);
    const again = await api("POST", `/channels/${fake.channelId}/messages/${msg.id}/threads`, { name: "t" });
    assert.equal(again.body.code, 160004);
    const unknown = await api("POST", `/channels/${fake.channelId}/messages/123/threads`, { name: "t" });
    assert.equal(unknown.body.code, 10008);
  });

  it("blanks other users' message content for a bot without the MessageContent intent", async () => {
    const gw = await rawGateway();
    gw.ws.send(JSON.stringify({ op: 2, d: { token: fake.token, intents: 1 | (1 << 9), properties: {} } }));
    await waitFor(() => gw.frames.some((f) => f.t === "GUILD_CREATE"));
    await fake.userMessage({ channel: fake.channelId, user: ana, content: "secret" });
    const created = await waitFor(() => gw.frames.find((f) => f.t === "MESSAGE_CREATE"));
    assert.equal(created.d.content, "");
    gw.ws.close();
  });

  it("answers 429 with Retry-After for the next N calls and counts a too-early retry", async () => {
    fake.rateLimitNext(1, 0.5);
    const res = await fetch(`${fake.apiUrl}/v10/channels/${fake.channelId}/messages`, {
      method: "POST",
      headers: { Authorization: `Bot ${fake.token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ content: "a" }),
    });
    assert.equal(res.status, 429);
    assert.equal(res.headers.get("retry-after"), "0.5");
    assert.deepEqual(await res.json(), {
      code: 0,
      message: "You are being rate limited.",
      retry_after: 0.5,
      global: false,
    });
    assert.equal((await api("POST", `/channels/${fake.channelId}/messages`, { content: "b" })).status, 429);
    assert.equal(fake.earlyRetries.length, 1);
  });

  it("measures a round trip from a user message to the bot's reply in its thread", async () => {
    const client = newClient();
    client.on(Events.MessageCreate, async (m) => {
      if (m.author.bot) return;
      const thread = await m.startThread({ name: "echo" });
      await thread.send(m.content);
    });
    try {
      await client.login(fake.token);
      const { ms, reply } = await fake.roundTrip({ channel: fake.channelId, user: ana, content: "ping" });
      assert.equal(reply.content, "ping");
      assert.equal(fake.channel(reply.channelId)?.type, 11);
      assert.ok(ms > 0 && ms < 5000);
    } finally {
      await client.destroy();
    }
  });
});
