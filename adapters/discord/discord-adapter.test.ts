// The Discord adapter against the wire-level fake, through the real discord.js client.

import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { createCard, settleCard, textCard } from "../../src/core/card.ts";
import type { InboundAction, InboundEvent, InboundMessage } from "../../src/core/chat-adapter.ts";
import { waitFor } from "../../src/testing/wait-for.ts";
import { createDiscordDriver, type DiscordDriver } from "./discord-driver.ts";

const ana = { id: "910000000000000001", name: "ana" };
const bo = { id: "910000000000000002", name: "bo" };

let driver: DiscordDriver | undefined;
afterEach(async () => {
  await driver?.close();
  driver = undefined;
});

async function started(opts: Parameters<typeof createDiscordDriver>[0] = {}) {
  driver = await createDiscordDriver(opts);
  const events: InboundEvent[] = [];
  await driver.adapter.start(async (e) => {
    events.push(e);
  });
  return { d: driver, events };
}

const messages = (events: InboundEvent[]) => events.filter((e): e is InboundMessage => e.kind === "message");

describe("discord adapter", () => {
  it("answers a channel message in a new thread whose id is the message id", async () => {
    const { d, events } = await started();
    assert.equal(d.adapter.status().state, "connected");
    await d.userMessage({ conversation: d.conversation, user: ana, text: "check disk" });
    const [msg] = await waitFor(() => messages(events).length === 1 && messages(events), {
      what: "the message",
    });
    assert.equal(msg.conversation, d.conversation);
    assert.equal(msg.thread, undefined);
    assert.equal(msg.user.id, ana.id);
    assert.equal(msg.text, "check disk");
    assert.equal(msg.eventId, `discord:message:${msg.messageId}`);

    const ref = await d.adapter.send(
      { conversation: msg.conversation, thread: msg.messageId },
      textCard("on it: **disk**"),
    );
    assert.equal(ref.thread, msg.messageId);
    const thread = d.fake.channel(msg.messageId);
    assert.equal(thread?.type, 11, "a public thread was started");
    assert.equal(thread?.parent_id, d.conversation);
    const bot = d.botMessages();
    assert.equal(bot.length, 1);
    assert.equal(bot[0].thread, msg.messageId);
    assert.equal(bot[0].text, "on it: **disk**");
    assert.equal(bot[0].messageId, ref.messageId);

    // A second reply goes into the same thread without starting it again.
    await d.adapter.send({ conversation: msg.conversation, thread: msg.messageId }, textCard("done"));
    assert.deepEqual(
      d.botMessages().map((m) => m.thread),
      [msg.messageId, msg.messageId],
    );
  });

  it("reports a message inside the thread with the thread set, and ignores its own messages", async () => {
    const { d, events } = await started();
    await d.userMessage({ conversation: d.conversation, user: ana, text: "hi" });
    const [first] = await waitFor(() => messages(events).length === 1 && messages(events));
    await d.adapter.send({ conversation: first.conversation, thread: first.messageId }, textCard("hello"));
    await d.userMessage({ conversation: d.conversation, thread: first.messageId, user: bo, text: "more" });
    const got = await waitFor(() => messages(events).length === 2 && messages(events), {
      what: "the thread message",
    });
    assert.equal(got[1].conversation, d.conversation);
    assert.equal(got[1].thread, first.messageId);
    assert.equal(got[1].user.id, bo.id);
    // The fake echoed the bot's reply on the gateway before "more"; it must not have become an event.
    assert.equal(events.length, 2);
  });

  it("hands a redelivered message over once, with a stable event id", async () => {
    const { d, events } = await started();
    await d.userMessage({ conversation: d.conversation, user: ana, text: "once", duplicate: true });
    await d.userMessage({ conversation: d.conversation, user: ana, text: "twice" });
    await waitFor(() => events.some((e) => e.kind === "message" && e.text === "twice"));
    // discord.js drops a MESSAGE_CREATE for a message it already cached; the core dedupes on eventId anyway.
    assert.deepEqual(
      messages(events).map((e) => [e.text, e.eventId]),
      [
        ["once", `discord:message:${messages(events)[0].messageId}`],
        ["twice", `discord:message:${messages(events)[1].messageId}`],
      ],
    );
  });

  it("delivers a button click with the clicking user, answered within 3 s, and update() edits the card", async () => {
    const { d, events } = await started();
    const card = createCard({
      markdown: "Restart nginx on web-1?",
      buttons: [
        { id: "appr.k3j9", label: "Approve", style: "primary" },
        { id: "deny.k3j9", label: "Deny", style: "danger" },
      ],
    });
    const ref = await d.adapter.send({ conversation: d.conversation }, card);
    const [posted] = d.botMessages();
    assert.deepEqual(
      posted.buttons.map((b) => b.id),
      ["appr.k3j9", "deny.k3j9"],
    );
    await d.click(posted, "appr.k3j9", bo);
    const action = await waitFor(() => events.find((e): e is InboundAction => e.kind === "action"));
    assert.equal(action.actionId, "appr.k3j9");
    assert.equal(action.user.id, bo.id);
    assert.equal(action.user.name, bo.name);
    assert.equal(action.message.messageId, ref.messageId);
    assert.equal(action.conversation, d.conversation);
    const [interaction] = d.fake.interactions();
    assert.equal(interaction.responseType, 6, "deferred update");
    assert.equal(interaction.late, false);
    assert.ok(interaction.latencyMs! < 3000, `answered after ${interaction.latencyMs} ms`);
    assert.equal(action.eventId, `discord:interaction:${interaction.id}`);

    await d.adapter.update(action.message, settleCard(card, "Approved by bo"));
    const edited = d.botMessages()[0];
    assert.deepEqual(edited.buttons, []);
    assert.match(edited.text, /\*Approved by bo\*$/);
  });

  it("clicks inside a thread carry the thread", async () => {
    const { d, events } = await started();
    await d.userMessage({ conversation: d.conversation, user: ana, text: "go" });
    const [msg] = await waitFor(() => messages(events).length === 1 && messages(events));
    const card = createCard({ markdown: "ok?", buttons: [{ id: "ok.1", label: "OK" }] });
    const ref = await d.adapter.send({ conversation: d.conversation, thread: msg.messageId }, card);
    await d.click(d.botMessages()[0], "ok.1", ana);
    const action = await waitFor(() => events.find((e): e is InboundAction => e.kind === "action"));
    assert.equal(action.thread, msg.messageId);
    assert.deepEqual(action.message, ref);
  });

  it("registers /vigil, defers it at once and turns the handler's card into the edit of the deferred reply", async () => {
    const { d, events } = await started();
    assert.deepEqual(
      d.fake.commands.map((c) => [c.scope, c.name]),
      [[d.fake.guildId, "vigil"]],
    );
    const interaction = await d.fake.slashCommand({
      channel: d.conversation,
      user: ana,
      name: "vigil",
      options: { text: "disk usage on web-1" },
    });
    const cmd = await waitFor(() => messages(events).find((e) => e.command));
    assert.equal(cmd.text, "disk usage on web-1");
    assert.equal(cmd.user.id, ana.id);
    assert.equal(cmd.thread, undefined);
    assert.equal(cmd.eventId, `discord:interaction:${interaction.id}`);
    const answered = d.fake.interactions()[0];
    assert.equal(answered.responseType, 5, "deferred channel message");
    assert.equal(answered.late, false);
    assert.equal(answered.originalMessageId, cmd.messageId, "messageId is the deferred reply");

    // The slow work finishes; the core replies to the session (thread key = the reply's id).
    const ref = await d.adapter.send(
      { conversation: cmd.conversation, thread: cmd.messageId },
      textCard("**42%** used"),
    );
    const reply = d.fake.message(cmd.messageId)!;
    assert.equal(reply.content, "**42%** used");
    assert.equal(reply.edits.length, 1, "the deferred reply was edited");
    assert.equal(reply.flags & 128, 0, "no longer loading");
    assert.equal(ref.messageId, cmd.messageId);
    assert.equal(ref.thread, undefined);
    assert.equal(d.fake.channel(cmd.messageId)?.type, 11, "a thread was opened on the reply");

    // The next card of the session goes into that thread.
    const next = await d.adapter.send(
      { conversation: cmd.conversation, thread: cmd.messageId },
      textCard("more"),
    );
    assert.equal(next.thread, cmd.messageId);
    assert.equal(d.fake.message(next.messageId)?.channelId, cmd.messageId);
  });

  it("splits a long card into several messages in order, the buttons on the last", async () => {
    const { d } = await started();
    const body = Array.from({ length: 120 }, (_, i) => `row ${i} ${"z".repeat(30)}`).join("\n");
    const card = createCard({
      markdown: `\`\`\`\n${body}\n\`\`\``,
      buttons: [{ id: "more", label: "More" }],
    });
    const ref = await d.adapter.send({ conversation: d.conversation }, card);
    const bot = d.botMessages();
    assert.ok(bot.length >= 3);
    assert.ok(bot.every((m) => m.text.length <= d.maxMessageLength));
    assert.deepEqual(
      bot.map((m) => m.buttons.length),
      [...bot.slice(1).map(() => 0), 1],
    );
    assert.equal(ref.messageId, bot[bot.length - 1].messageId);
  });

  it("with a bad token: start() resolves, status() says what to fix, and it keeps retrying", async () => {
    const { d } = await started({ adapter: { token: "not-the-token", retryBaseMs: 50 } });
    const status = d.adapter.status();
    assert.equal(status.state, "error");
    assert.equal(status.lastError, "Discord refused the bot token — check DISCORD_TOKEN");
    const first = d.fake.unauthorized;
    assert.ok(first >= 1);
    await waitFor(() => d.fake.unauthorized > first, { what: "a second login attempt" });
    assert.equal(d.adapter.status().state, "error");
  });

  it("reports a token reset while connected as a refused token and keeps retrying", async () => {
    const { d } = await started({ adapter: { retryBaseMs: 50 } });
    d.fake.resetToken("a-new-token");
    await waitFor(() => d.adapter.status().state === "error", { what: "the error state" });
    assert.equal(d.adapter.status().lastError, "Discord refused the bot token — check DISCORD_TOKEN");
    const before = d.fake.unauthorized;
    await waitFor(() => d.fake.unauthorized > before, { what: "a new login attempt" });
  });

  it("with the API unreachable: status() names DISCORD_API_URL, then connects once the API is back", async () => {
    driver = await createDiscordDriver({ adapter: { retryBaseMs: 100, retryMaxMs: 200 } });
    const d = driver;
    await d.fake.goAway();
    await d.adapter.start(async () => undefined);
    const status = d.adapter.status();
    assert.equal(status.state, "error");
    assert.match(
      status.lastError ?? "",
      /cannot reach the Discord API at http:\/\/127\.0\.0\.1:\d+\/api \(ECONNREFUSED\)/,
    );
    assert.match(status.lastError ?? "", /check DISCORD_API_URL/);
    await d.fake.comeBack();
    await waitFor(() => d.adapter.status().state === "connected", {
      what: "a connection after the API came back",
    });
  });

  it("refuses a send to an unknown channel for good, as PlatformRefusedError", async () => {
    const { d } = await started();
    await assert.rejects(d.adapter.send({ conversation: "123456789012345678" }, textCard("x")), {
      name: "PlatformRefusedError",
      message: /Unknown Channel/,
    });
  });
});
