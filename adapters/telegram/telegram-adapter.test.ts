// The Telegram adapter driving real grammY against the wire-level fake Bot API.

import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import Fastify from "fastify";
import { createCard, textCard } from "../../src/core/card.ts";
import type { InboundAction, InboundEvent, InboundMessage } from "../../src/core/chat-adapter.ts";
import { PlatformRefusedError } from "../../src/core/errors.ts";
import { freePort } from "../../src/testing/free-port.ts";
import { waitFor } from "../../src/testing/wait-for.ts";
import { FakeTelegram, type FakeUser } from "./fake-telegram.ts";
import { TelegramAdapter } from "./telegram-adapter.ts";
import { createTelegramDriver, type TelegramDriver } from "./telegram-driver.ts";

const ana = { id: "4242", name: "ana_ops" };
const anaUser: FakeUser = { id: 4242, is_bot: false, first_name: "Ana", username: "ana_ops" };

/** Collects inbound events; `next(pred)` waits for one. */
function inbox() {
  const events: InboundEvent[] = [];
  return {
    events,
    handler: async (e: InboundEvent) => {
      events.push(e);
    },
    next: <T extends InboundEvent>(pred: (e: InboundEvent) => boolean, what = "an inbound event") =>
      waitFor(() => events.find(pred) as T | undefined, { what }),
  };
}

const closers: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of closers.reverse()) await c();
});

async function driver(opts: Parameters<typeof createTelegramDriver>[0] = {}): Promise<TelegramDriver> {
  const d = await createTelegramDriver(opts);
  closers.push(() => d.close());
  return d;
}

describe("telegram adapter: threads", () => {
  it("replies inside the forum topic a message came from", async () => {
    const d = await driver({ forum: true });
    const box = inbox();
    await d.adapter.start(box.handler);
    await d.userMessage({ conversation: d.conversation, user: ana, text: "disk usage on web-1?" });
    const msg = await box.next<InboundMessage>((e) => e.kind === "message");
    assert.match(msg.thread ?? "", /^topic:\d+$/);
    assert.equal(msg.replyTo, undefined);
    assert.equal(msg.eventId, `update:${100_000}`);
    assert.deepEqual(msg.user, { id: "4242", name: "ana_ops" });

    const ref = await d.adapter.send(
      { conversation: msg.conversation, thread: msg.thread },
      textCard("**42%** used"),
    );
    const [sent] = d.botMessages();
    assert.equal(sent.thread, msg.thread);
    assert.equal(sent.text, "<b>42%</b> used");
    assert.equal(ref.messageId, sent.messageId);
    assert.equal(d.fake.botMessages()[0].replyTo, undefined, "a topic reply needs no reply_parameters");
  });

  it("answers a plain chat with a reply chain, and a reply to the bot carries replyTo", async () => {
    const d = await driver();
    const box = inbox();
    await d.adapter.start(box.handler);
    await d.userMessage({ conversation: d.conversation, user: ana, text: "status?" });
    const first = await box.next<InboundMessage>((e) => e.kind === "message");
    assert.equal(first.thread, undefined);
    assert.equal(first.replyTo, undefined);

    await d.adapter.send({ conversation: d.conversation, thread: first.messageId }, textCard("all green"));
    const [reply] = d.botMessages();
    assert.equal(reply.thread, first.messageId, "the bot replied to the user's message");

    await d.userMessage({ conversation: d.conversation, user: ana, text: "and db-1?", thread: reply.thread });
    const second = await box.next<InboundMessage>((e) => e.kind === "message" && e.text === "and db-1?");
    assert.equal(second.thread, undefined);
    assert.equal(second.replyTo, reply.messageId);
  });

  it("turns /vigil and /vigil@thisbot into commands and ignores /vigil@otherbot", async () => {
    const d = await driver();
    const box = inbox();
    await d.adapter.start(box.handler);
    for (const text of [
      "/vigil restart web-1",
      "/vigil@other_bot nope",
      "/vigil@vigil_test_bot uptime",
      "hello",
    ]) {
      await d.userMessage({ conversation: d.conversation, user: ana, text });
    }
    await box.next((e) => e.kind === "message" && e.text === "hello");
    const seen = box.events.map((e) => [(e as InboundMessage).text, (e as InboundMessage).command]);
    assert.deepEqual(seen, [
      ["restart web-1", true],
      ["uptime", true],
      ["hello", undefined],
    ]);
  });
});

describe("telegram adapter: buttons", () => {
  it("answers every callback query and delivers the click with the verified user", async () => {
    const d = await driver();
    let answeredBeforeHandler: boolean | undefined;
    const box = inbox();
    await d.adapter.start(async (e) => {
      if (e.kind === "action") answeredBeforeHandler = d.fake.answeredCallbackQueries.length === 1;
      await box.handler(e);
    });
    const card = createCard({ markdown: "restart web-1?", buttons: [{ id: "act_7Hq2", label: "Approve" }] });
    const ref = await d.adapter.send({ conversation: d.conversation }, card);
    const [msg] = d.botMessages();
    assert.deepEqual(msg.buttons, [{ id: "act_7Hq2", label: "Approve" }]);

    await d.click(msg, "act_7Hq2", { id: "777", name: "bob_sre" });
    const action = await box.next<InboundAction>((e) => e.kind === "action");
    assert.equal(action.actionId, "act_7Hq2");
    assert.deepEqual(action.user, { id: "777", name: "bob_sre" });
    assert.equal(action.message.messageId, ref.messageId);
    assert.equal(answeredBeforeHandler, true);
    assert.equal(d.fake.answeredCallbackQueries.length, 1);

    // A click on a button the core does not know is still answered.
    await d.adapter.stop();
    await d.adapter.start(async () => {
      throw new Error("core exploded");
    });
    await d.click(msg, "act_7Hq2", { id: "777", name: "bob_sre" });
    await waitFor(() => d.fake.answeredCallbackQueries.length === 2, { what: "second answer" });
  });

  it("update() replaces the card and removes its buttons", async () => {
    const d = await driver();
    await d.adapter.start(async () => {});
    const card = createCard({ markdown: "deploy?", buttons: [{ id: "a1", label: "Go" }] });
    const ref = await d.adapter.send({ conversation: d.conversation }, card);
    await d.adapter.update(ref, { ...card, buttons: [], state: "Approved by @ana" });
    const [msg] = d.botMessages();
    assert.equal(msg.text, "deploy?\n\n<i>Approved by @ana</i>");
    assert.deepEqual(msg.buttons, []);
    // The same content again is "not modified" for Telegram, and fine for us.
    await d.adapter.update(ref, { ...card, buttons: [], state: "Approved by @ana" });
  });
});

describe("telegram adapter: delivery", () => {
  it("waits out 429 retry_after and still delivers every message in order", async () => {
    const d = await driver();
    await d.adapter.start(async () => {});
    d.fake.rateLimitNext(1, 1);
    const t0 = Date.now();
    await Promise.all(
      [1, 2, 3, 4, 5].map((n) => d.adapter.send({ conversation: d.conversation }, textCard(`m${n}`))),
    );
    assert.ok(Date.now() - t0 >= 1000, "retry_after was honoured");
    assert.deepEqual(
      d.botMessages().map((m) => m.text),
      ["m1", "m2", "m3", "m4", "m5"],
    );
    assert.equal(d.fake.calls.filter((c) => c.method === "sendMessage" && c.status === 429).length, 1);
  });

  it("splits a long card into parts the platform accepts, buttons on the last", async () => {
    const d = await driver();
    await d.adapter.start(async () => {});
    const code = Array.from({ length: 400 }, (_, i) => `line ${i} <tag> & more`).join("\n");
    const card = createCard({
      markdown: `intro\n\n\`\`\`sh\n${code}\n\`\`\``,
      buttons: [{ id: "b", label: "Ok" }],
    });
    const ref = await d.adapter.send({ conversation: d.conversation }, card);
    const msgs = d.botMessages();
    assert.ok(msgs.length >= 3);
    for (const m of msgs) assert.ok(m.text.length <= d.maxMessageLength);
    assert.deepEqual(msgs.at(-1)!.buttons, [{ id: "b", label: "Ok" }]);
    assert.equal(ref.messageId, msgs.at(-1)!.messageId);
    assert.ok(msgs.slice(0, -1).every((m) => m.buttons.length === 0));
  });

  it("retries a delivery the platform failed with 5xx, and logs each retry", async () => {
    const warnings: string[] = [];
    const log = { info() {}, debug() {}, error() {}, warn: (_o: object, m: string) => void warnings.push(m) };
    const d = await driver({ adapter: { log } });
    await d.adapter.start(async () => {});
    d.fake.failNext(2, 502, "Bad Gateway", ["sendMessage"]);
    await d.adapter.send({ conversation: d.conversation }, textCard("eventually"));
    assert.deepEqual(
      d.botMessages().map((m) => m.text),
      ["eventually"],
    );
    assert.equal(warnings.filter((w) => w === "delivery failed, retrying").length, 2);
  });

  it("reports a refused send as PlatformRefusedError without retrying", async () => {
    const d = await driver();
    await d.adapter.start(async () => {});
    await assert.rejects(d.adapter.send({ conversation: "-1009999" }, textCard("x")), PlatformRefusedError);
    assert.equal(d.fake.calls.filter((c) => c.method === "sendMessage").length, 1);
  });
});

describe("telegram adapter: connection", () => {
  it("resumes polling after the API goes away and comes back", async () => {
    const d = await driver();
    const box = inbox();
    await d.adapter.start(box.handler);
    assert.equal(d.adapter.status().state, "connected");
    // Go away mid long poll, the steady state.
    await waitFor(() => d.fake.calls.some((c) => c.method === "getUpdates(held)"), { what: "a held poll" });
    await d.fake.goAway();
    await waitFor(() => d.adapter.status().state === "error", { what: "error state" });
    assert.match(d.adapter.status().lastError ?? "", /unreachable.*TELEGRAM_API_ROOT/);
    await d.fake.comeBack();
    await d.userMessage({ conversation: d.conversation, user: ana, text: "back?" });
    await box.next((e) => e.kind === "message" && e.text === "back?");
    await waitFor(() => d.adapter.status().state === "connected", { what: "connected again" });
  });

  it("does not hand an update to a restarted adapter again once it was handled", async () => {
    const d = await driver();
    const box = inbox();
    await d.adapter.start(box.handler);
    await d.userMessage({ conversation: d.conversation, user: ana, text: "one" });
    await d.adapter.stop();
    const again = new TelegramAdapter({ token: d.fake.token, apiRoot: d.fake.apiRoot });
    closers.push(() => again.stop());
    const later = inbox();
    await again.start(later.handler);
    await d.userMessage({ conversation: d.conversation, user: ana, text: "two" });
    await later.next((e) => e.kind === "message" && e.text === "two");
    assert.deepEqual(
      later.events.map((e) => (e as InboundMessage).text),
      ["two"],
    );
  });

  it("shows a bad token as a clear error in status() and keeps retrying without crashing", async () => {
    const fake = await FakeTelegram.start();
    closers.push(() => fake.close());
    const adapter = new TelegramAdapter({
      token: "999:wrong",
      apiRoot: fake.apiRoot,
      reconnect: { initialMs: 20, maxMs: 40 },
    });
    await adapter.start(async () => {});
    assert.equal(adapter.status().state, "error");
    assert.equal(
      adapter.status().lastError,
      "Telegram refused the bot token (401) — check TELEGRAM_BOT_TOKEN",
    );
    await waitFor(() => fake.calls.filter((c) => c.status === 401).length >= 3, { what: "retries" });
    await adapter.stop();
    assert.equal(adapter.status().state, "stopped");
  });

  it("reports a second poller's 409 clearly while the first keeps working", async () => {
    const d = await driver();
    const box = inbox();
    await d.adapter.start(box.handler);
    await waitFor(() => d.fake.calls.some((c) => c.method === "getUpdates(held)"), { what: "a held poll" });
    const second = new TelegramAdapter({
      token: d.fake.token,
      apiRoot: d.fake.apiRoot,
      reconnect: { initialMs: 50, maxMs: 100 },
    });
    closers.push(() => second.stop());
    await second.start(async () => {});
    await waitFor(() => second.status().state === "error", { what: "409 on the second poller" });
    assert.match(
      second.status().lastError ?? "",
      /another process is polling Telegram with this bot token \(409/,
    );
    await second.stop();
    await d.userMessage({ conversation: d.conversation, user: ana, text: "first still here" });
    await box.next((e) => e.kind === "message" && e.text === "first still here");
  });
});

describe("telegram adapter: webhook mode", () => {
  it("refuses to start webhook mode without a secret", async () => {
    const adapter = new TelegramAdapter({ token: "1:x", apiRoot: "http://127.0.0.1:9", mode: "webhook" });
    await assert.rejects(
      adapter.start(async () => {}),
      /TELEGRAM_WEBHOOK_SECRET/,
    );
    assert.equal(adapter.status().state, "error");
    assert.throws(() => adapter.webhookPlugin(), /TELEGRAM_WEBHOOK_SECRET/);
  });

  it("rejects a missing or wrong secret header with 401 and accepts the right one", async () => {
    const fake = await FakeTelegram.start();
    closers.push(() => fake.close());
    const chat = fake.addChat({ id: 5, type: "private" });
    const adapter = new TelegramAdapter({
      token: fake.token,
      apiRoot: fake.apiRoot,
      mode: "webhook",
      webhookSecret: "s3cret-token",
    });
    const box = inbox();
    const app = Fastify();
    await app.register(adapter.webhookPlugin());
    closers.push(() => app.close());
    await adapter.start(box.handler);
    closers.push(() => adapter.stop());
    assert.equal(adapter.status().state, "connected");
    const update = {
      update_id: 77,
      message: { message_id: 1, date: 0, chat: { id: chat.id, type: "private" }, from: anaUser, text: "hi" },
    };
    const post = (headers: Record<string, string>) =>
      app.inject({ method: "POST", url: "/telegram/webhook", payload: update, headers });
    assert.equal((await post({})).statusCode, 401);
    assert.equal((await post({ "x-telegram-bot-api-secret-token": "s3cret-tokeN" })).statusCode, 401);
    assert.equal(box.events.length, 0);
    assert.equal((await post({ "x-telegram-bot-api-secret-token": "s3cret-token" })).statusCode, 200);
    const msg = await box.next<InboundMessage>((e) => e.kind === "message");
    assert.equal(msg.eventId, "update:77");
    assert.equal(msg.text, "hi");
  });

  it("registers the webhook and receives what Telegram pushes to it", async () => {
    const fake = await FakeTelegram.start();
    closers.push(() => fake.close());
    const chat = fake.addChat({ id: 6, type: "private" });
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/telegram/webhook`;
    const adapter = new TelegramAdapter({
      token: fake.token,
      apiRoot: fake.apiRoot,
      mode: "webhook",
      webhookSecret: "another_secret",
      webhookUrl: url,
    });
    const app = Fastify();
    await app.register(adapter.webhookPlugin());
    await app.listen({ host: "127.0.0.1", port });
    closers.push(() => app.close());
    const box = inbox();
    await adapter.start(box.handler);
    closers.push(() => adapter.stop());
    assert.deepEqual(fake.webhook, { url, secret: "another_secret" });
    const update = fake.userMessage({ chatId: chat.id, from: anaUser, text: "via webhook" });
    await fake.waitConfirmed(update);
    const msg = await box.next<InboundMessage>((e) => e.kind === "message");
    assert.equal(msg.text, "via webhook");
  });
});
