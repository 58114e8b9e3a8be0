import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import pino from "pino";
import { openStore } from "../store/index.ts";
import { RecordingAdapter } from "../testing/recording-adapter.ts";
import { tempDir } from "../testing/temp-dir.ts";
import { createCard } from "./card.ts";
import type { InboundMessage } from "./chat-adapter.ts";
import { ChatHub } from "./chat-hub.ts";

const log = pino({ level: "silent" });

function message(over: Partial<InboundMessage>): InboundMessage {
  return {
    kind: "message",
    platform: "slack",
    conversation: "C1",
    user: { id: "U1", name: "ana" },
    eventId: `ev-${Math.random()}`,
    receivedAt: new Date(),
    messageId: "1000.1",
    text: "hello",
    ...over,
  };
}

function boot(dbPath: string) {
  const store = openStore(dbPath);
  const hub = new ChatHub({ ...store, log });
  const seen: { session: string; text: string }[] = [];
  hub.use(async (ctx) => {
    seen.push({ session: ctx.session.id, text: ctx.text });
    await ctx.reply(`echo ${ctx.text}`);
  });
  const adapter = new RecordingAdapter("slack");
  hub.attach(adapter);
  return { store, hub, adapter, seen };
}

describe("sessions", () => {
  it("opens a session for a channel message and replies in its thread", async () => {
    using dir = tempDir();
    const { hub, adapter, seen, store } = boot(join(dir.path, "v.db"));
    await hub.start();
    await adapter.deliver(message({ messageId: "1000.1", text: "<@U0BOT> hi there" }));
    assert.equal(seen[0].text, "hi there", "the bot mention is stripped");
    assert.deepEqual(adapter.sent[0].ref.thread, "1000.1");
    store.close();
  });

  it("keeps a thread's session across a restart", async () => {
    using dir = tempDir();
    const path = join(dir.path, "v.db");
    const first = boot(path);
    await first.hub.start();
    await first.adapter.deliver(message({ messageId: "1000.1", text: "first" }));
    await first.hub.stop();
    first.store.close();

    const second = boot(path);
    await second.hub.start();
    await second.adapter.deliver(message({ messageId: "1000.9", thread: "1000.1", text: "second" }));
    assert.equal(second.seen[0].session, first.seen[0].session);
    const history = second.store.sessions.history(second.seen[0].session);
    assert.deepEqual(
      history.map((m) => [m.role, m.text]),
      [
        ["user", "first"],
        ["assistant", "echo first"],
        ["user", "second"],
        ["assistant", "echo second"],
      ],
    );
    second.store.close();
  });

  it("finds the session of a reply to a bot message (reply chains)", async () => {
    using dir = tempDir();
    const { hub, adapter, seen, store } = boot(join(dir.path, "v.db"));
    await hub.start();
    await adapter.deliver(message({ platform: "slack", messageId: "m1", text: "one" }));
    const botMessage = adapter.sent[0].ref.messageId;
    await adapter.deliver(message({ messageId: "m2", replyTo: botMessage, text: "two" }));
    await adapter.deliver(message({ messageId: "m3", text: "elsewhere" }));
    assert.equal(seen[1].session, seen[0].session);
    assert.notEqual(seen[2].session, seen[0].session);
    store.close();
  });

  it("handles a repeated delivery once, also after a restart", async () => {
    using dir = tempDir();
    const path = join(dir.path, "v.db");
    const first = boot(path);
    await first.hub.start();
    const ev = message({ eventId: "Ev123" });
    await first.adapter.deliver(ev);
    await first.adapter.deliver(ev);
    assert.equal(first.seen.length, 1);
    first.store.close();
    const second = boot(path);
    await second.hub.start();
    await second.adapter.deliver(ev);
    assert.equal(second.seen.length, 0);
    second.store.close();
  });

  it("runs a button's stored action with the clicking user, and refuses unknown ids", async () => {
    using dir = tempDir();
    const store = openStore(join(dir.path, "v.db"));
    const hub = new ChatHub({ ...store, log });
    const clicks: { by: string; payload: unknown }[] = [];
    hub.onAction("pick", async (ctx, payload) => {
      clicks.push({ by: ctx.event.user.id, payload });
    });
    hub.use(async (ctx) => {
      await ctx.reply(
        createCard({ markdown: "choose", buttons: [ctx.button("Blue", "pick", { color: "blue" })] }),
      );
    });
    const adapter = new RecordingAdapter("slack");
    hub.attach(adapter);
    await hub.start();
    await adapter.deliver(message({ messageId: "5.5" }));
    const sent = adapter.sent[0];
    const base = {
      platform: "slack" as const,
      conversation: "C1",
      receivedAt: new Date(),
      message: sent.ref,
      thread: "5.5",
    };
    await adapter.deliver({
      ...base,
      kind: "action",
      user: { id: "U2" },
      eventId: "click-1",
      actionId: sent.card.buttons[0].id,
    });
    assert.deepEqual(clicks, [{ by: "U2", payload: { color: "blue" } }]);
    await adapter.deliver({
      ...base,
      kind: "action",
      user: { id: "U2" },
      eventId: "click-2",
      actionId: "a:forged000000000000",
    });
    assert.equal(clicks.length, 1);
    assert.match(adapter.sent.at(-1)!.card.markdown, /no longer valid/);
    store.close();
  });

  it("keeps only redacted text in session history, which later reaches models", async () => {
    using dir = tempDir();
    const store = openStore(join(dir.path, "v.db"));
    const hub = new ChatHub({ ...store, log, redact: (t) => t.replace(/sk-[A-Za-z0-9]+/g, "[REDACTED]") });
    const seen: string[] = [];
    hub.use(async (ctx) => {
      seen.push(ctx.text);
      await ctx.reply("stored key sk-Reply123");
    });
    const adapter = new RecordingAdapter("slack");
    hub.attach(adapter);
    await hub.start();
    await adapter.deliver(
      message({ messageId: "9.9", text: "provider add openai openai apiKey=sk-Secret123" }),
    );
    assert.equal(
      seen[0],
      "provider add openai openai apiKey=sk-Secret123",
      "the command itself sees the raw text",
    );
    const history = store.sessions.history(store.sessions.findByThread("slack", "C1", "9.9")!.id);
    assert.deepEqual(
      history.map((m) => m.text),
      ["provider add openai openai apiKey=[REDACTED]", "stored key [REDACTED]"],
    );
    store.close();
  });

  it("reports a failing handler in the thread instead of crashing", async () => {
    using dir = tempDir();
    const store = openStore(join(dir.path, "v.db"));
    const hub = new ChatHub({ ...store, log });
    hub.use(async () => {
      throw new Error("disk on fire");
    });
    const adapter = new RecordingAdapter("slack");
    hub.attach(adapter);
    await hub.start();
    await adapter.deliver(message({ messageId: "7.7" }));
    assert.match(adapter.sent[0].card.markdown, /Something went wrong: disk on fire/);
    assert.equal(adapter.sent[0].ref.thread, "7.7");
    store.close();
  });
});
