import assert from "node:assert/strict";
import { createServer } from "node:net";
import { after, afterEach, before, describe, it } from "node:test";
import { createCard, settleCard, textCard } from "../../src/core/card.ts";
import type { InboundAction, InboundEvent, InboundMessage } from "../../src/core/chat-adapter.ts";
import { PlatformRefusedError } from "../../src/core/errors.ts";
import { waitFor } from "../../src/testing/wait-for.ts";
import { buttonsOf, FakeSlack, visibleText } from "./fake-slack.ts";
import { SlackAdapter, type SlackAdapterOptions } from "./slack-adapter.ts";

const ana = { id: "U0ANA", name: "ana" };
const bob = { id: "U0BOB", name: "bob" };
const C = "C0OPS";

interface Harness {
  fake: FakeSlack;
  adapter: SlackAdapter;
  events: InboundEvent[];
  logs: { level: string; msg: string }[];
}

const open: Harness[] = [];

async function harness(
  opts: Partial<SlackAdapterOptions> = {},
  onEvent?: (e: InboundEvent, h: Harness) => Promise<void>,
): Promise<Harness> {
  const fake = await FakeSlack.start();
  const logs: { level: string; msg: string }[] = [];
  const rec = (level: string) => (_o: object, msg: string) => logs.push({ level, msg });
  const adapter = new SlackAdapter({
    botToken: fake.botToken,
    appToken: fake.appToken,
    apiUrl: fake.apiUrl,
    retryBaseMs: 50,
    retryMaxMs: 400,
    log: { info: rec("info"), warn: rec("warn"), error: rec("error"), debug() {} },
    ...opts,
  });
  const h: Harness = { fake, adapter, events: [], logs };
  open.push(h);
  await adapter.start(async (e) => {
    h.events.push(e);
    await onEvent?.(e, h);
  });
  return h;
}

/** Replies into the event's thread, opening it on a top-level message, as the core does. */
const echo = async (e: InboundEvent, h: Harness) => {
  if (e.kind !== "message") return;
  await h.adapter.send(
    { conversation: e.conversation, thread: e.thread ?? e.messageId },
    textCard(`echo ${e.text}`),
  );
};

afterEach(async () => {
  for (const h of open.splice(0)) {
    await h.adapter.stop();
    await h.fake.close();
  }
});

describe("slack adapter (socket mode)", () => {
  it("normalizes a channel message with the verified user and replies in its thread", async () => {
    const h = await harness({}, echo);
    assert.equal(h.adapter.status().state, "connected");
    const posted = await h.fake.userMessage({ channel: C, user: ana, text: "status of **web-1**" });
    const reply = await h.fake.waitForBotMessage((m) => m.thread_ts === posted.ts);
    const [event] = h.events as InboundMessage[];
    assert.equal(event.kind, "message");
    assert.equal(event.platform, "slack");
    assert.equal(event.conversation, C);
    assert.equal(event.thread, undefined);
    assert.equal(event.user.id, ana.id);
    assert.equal(event.messageId, posted.ts);
    assert.equal(event.text, "status of **web-1**");
    assert.equal(reply.channel, C);
    assert.equal(visibleText(reply), "echo status of *web-1*");
  });

  it("keeps a thread reply in its thread", async () => {
    const h = await harness({}, echo);
    const root = await h.fake.userMessage({ channel: C, user: ana, text: "one" });
    await h.fake.waitForBotMessage((m) => m.thread_ts === root.ts);
    await h.fake.userMessage({ channel: C, user: bob, text: "two", thread_ts: root.ts });
    await waitFor(() => h.fake.botMessages().length === 2, { what: "second reply" });
    const second = h.events[1] as InboundMessage;
    assert.equal(second.thread, root.ts);
    assert.equal(second.user.id, bob.id);
    assert.deepEqual(
      h.fake.botMessages().map((m) => m.thread_ts),
      [root.ts, root.ts],
    );
  });

  it("hands a mention over once, without the mention, though Slack sends message and app_mention", async () => {
    const h = await harness();
    await h.fake.userMessage({ channel: C, user: ana, text: `<@${h.fake.botUserId}> restart nginx` });
    assert.equal(h.fake.deliveries.length, 2, "the fake sent both events");
    await waitFor(() => h.events.length === 1);
    assert.equal((h.events[0] as InboundMessage).text, "restart nginx");
    // A retry of the same event still carries the same eventId for the core to drop.
    await h.fake.userMessage({ channel: C, user: ana, text: "again", duplicate: true });
    await waitFor(() => h.events.length === 3, { what: "both deliveries" });
    assert.equal(h.events[1].eventId, h.events[2].eventId);
  });

  it("ignores the bot's own messages and edits", async () => {
    const h = await harness();
    await h.fake.deliverEvent({
      type: "message",
      channel: C,
      user: h.fake.botUserId,
      bot_id: h.fake.botId,
      text: "me",
      ts: "1.000001",
    });
    await h.fake.deliverEvent({ type: "message", subtype: "message_changed", channel: C, ts: "1.000002" });
    await h.fake.userMessage({ channel: C, user: ana, text: "real" });
    await waitFor(() => h.events.length === 1);
    assert.equal((h.events[0] as InboundMessage).text, "real");
  });

  it("acks a slash command at once and answers with a new message that opens a thread", async () => {
    const h = await harness({}, async (e, hh) => {
      if (e.kind !== "message") return;
      const target = { conversation: e.conversation, thread: e.thread ?? e.messageId };
      await hh.adapter.send(target, textCard("first"));
      await hh.adapter.send(target, textCard("second"));
    });
    const trigger = await h.fake.slashCommand({ channel: C, user: ana, text: " disk usage " });
    assert.equal(h.fake.acks.length, 1);
    const event = h.events[0] as InboundMessage;
    assert.equal(event.command, true);
    assert.equal(event.text, "disk usage");
    assert.equal(event.user.id, ana.id);
    assert.equal(event.eventId, `command:${trigger}`);
    await waitFor(() => h.fake.botMessages().length === 2, { what: "both replies" });
    const [first, second] = h.fake.botMessages();
    assert.equal(first.thread_ts, undefined, "the first reply is a new channel message");
    assert.equal(second.thread_ts, first.ts, "later replies go into its thread");
  });

  it("delivers a button click with the clicking user, and update() settles the card", async () => {
    const h = await harness();
    const card = createCard({
      markdown: "Restart *nginx* on web-1?",
      buttons: [
        { id: "ap:7", label: "Approve", style: "primary" },
        { id: "dn:7", label: "Deny", style: "danger" },
      ],
    });
    const root = await h.fake.userMessage({ channel: C, user: ana, text: "restart" });
    const ref = await h.adapter.send({ conversation: C, thread: root.ts }, card);
    const msg = h.fake.botMessages()[0];
    assert.equal(ref.messageId, msg.ts);
    assert.deepEqual(
      buttonsOf(msg).map((b) => b.value),
      ["ap:7", "dn:7"],
    );
    const actionTs = await h.fake.click({ channel: C, ts: msg.ts, actionId: "ap:7", user: bob });
    await waitFor(() => h.events.find((e) => e.kind === "action"), { what: "click" });
    const action = h.events.find((e) => e.kind === "action") as InboundAction;
    assert.equal(action.actionId, "ap:7");
    assert.deepEqual(action.user, { id: bob.id, name: bob.name });
    assert.equal(action.eventId, `action:${msg.ts}:${actionTs}`);
    assert.deepEqual(action.message, {
      platform: "slack",
      conversation: C,
      thread: root.ts,
      messageId: msg.ts,
    });
    assert.equal(h.fake.acks.length, 2, "the click was acked");

    await h.adapter.update(action.message, settleCard(card, "Approved by <@U0BOB> at 14:02 UTC"));
    const edited = h.fake.botMessages()[0];
    assert.equal(edited.edits, 1);
    assert.deepEqual(buttonsOf(edited), []);
    assert.match(visibleText(edited), /Approved by &lt;@U0BOB&gt; at 14:02 UTC/);
  });

  it("slows down on 429 with Retry-After but delivers every message, in order", async () => {
    const h = await harness({ ratePerSecond: 50, burst: 5 });
    const root = await h.fake.userMessage({ channel: C, user: ana, text: "go" });
    h.fake.rateLimitNext(2, 1, ["chat.postMessage"]);
    const started = Date.now();
    await Promise.all(
      [1, 2, 3, 4].map((n) => h.adapter.send({ conversation: C, thread: root.ts }, textCard(`msg ${n}`))),
    );
    const elapsed = Date.now() - started;
    assert.deepEqual(
      h.fake.botMessages().map((m) => m.text),
      ["msg 1", "msg 2", "msg 3", "msg 4"],
    );
    const limited = h.fake.calls.filter((c) => c.status === 429);
    assert.equal(limited.length, 2);
    assert.ok(elapsed >= 1900, `Retry-After was not honoured (${elapsed} ms)`);
    assert.ok(h.logs.some((l) => l.level === "warn" && /rate limit/.test(l.msg)));
  });

  it("does not hold inbound events behind a rate-limited reply", async () => {
    const h = await harness({}, echo);
    h.fake.rateLimitNext(1, 2, ["chat.postMessage"]);
    await h.fake.userMessage({ channel: C, user: ana, text: "first" });
    await h.fake.userMessage({ channel: C, user: bob, text: "second" });
    assert.equal(h.events.length, 2, "both events were handed over");
    assert.equal(h.fake.botMessages().length, 0, "while the first reply still waits on Retry-After");
    await waitFor(() => h.fake.botMessages().length === 2, { timeoutMs: 6000, what: "both replies" });
  });

  it("refuses a send to an unknown channel at once, with advice, without retrying", async () => {
    const h = await harness();
    await assert.rejects(h.adapter.send({ conversation: "nope" }, textCard("x")), (err: unknown) => {
      assert.ok(err instanceof PlatformRefusedError);
      assert.match(err.message, /channel_not_found/);
      return true;
    });
    assert.equal(h.fake.calls.filter((c) => c.method === "chat.postMessage").length, 1);
    assert.ok(h.logs.some((l) => l.level === "error" && /failed for good/.test(l.msg)));
  });

  it("reconnects when Slack goes away and comes back", async () => {
    const h = await harness({}, echo);
    const states: string[] = [];
    const poll = setInterval(() => {
      const s = h.adapter.status().state;
      if (states.at(-1) !== s) states.push(s);
    }, 5);
    try {
      await h.fake.goAway();
      // Stay away long enough for reconnect attempts to fail against a closed port.
      await waitFor(
        () =>
          h.adapter.status().state === "error" &&
          /cannot reach the Slack API/.test(h.adapter.status().lastError ?? ""),
        { what: "a failed reconnect attempt" },
      );
      assert.equal(h.fake.openSockets, 0);
      await h.fake.comeBack();
      await waitFor(() => h.adapter.status().state === "connected" && h.fake.openSockets === 1, {
        timeoutMs: 5000,
        what: "reconnect",
      });
    } finally {
      clearInterval(poll);
    }
    if (states.at(-1) !== h.adapter.status().state) states.push(h.adapter.status().state);
    assert.ok(h.logs.some((l) => l.level === "warn" && /lost the Slack Socket Mode connection/.test(l.msg)));
    assert.ok(states.includes("error"));
    assert.equal(states.at(-1), "connected");
    const posted = await h.fake.userMessage({ channel: C, user: ana, text: "back?" });
    await h.fake.waitForBotMessage((m) => m.thread_ts === posted.ts);
  });
});

describe("slack adapter: routine socket refresh", () => {
  it("reconnects at once when Slack asks the socket to disconnect", async () => {
    const h = await harness({ retryBaseMs: 10_000 }, echo);
    const opened = h.fake.calls.filter((c) => c.method === "apps.connections.open").length;
    h.fake.refreshSockets();
    await waitFor(
      () =>
        h.fake.calls.filter((c) => c.method === "apps.connections.open").length === opened + 1 &&
        h.fake.openSockets === 1 &&
        h.adapter.status().state === "connected",
      { what: "a fresh socket" },
    );
    const posted = await h.fake.userMessage({ channel: C, user: ana, text: "still there?" });
    await h.fake.waitForBotMessage((m) => m.thread_ts === posted.ts);
  });
});

describe("slack adapter: bad configuration", () => {
  let fake: FakeSlack;
  before(async () => {
    fake = await FakeSlack.start();
  });
  after(async () => {
    await fake.close();
  });

  const start = async (opts: SlackAdapterOptions) => {
    const adapter = new SlackAdapter({ retryBaseMs: 50, retryMaxMs: 200, ...opts });
    await adapter.start(async () => {});
    return adapter;
  };

  it("records a refused bot token as a clear error, keeps retrying, and stops cleanly", async () => {
    const adapter = await start({ botToken: "xoxb-wrong", appToken: fake.appToken, apiUrl: fake.apiUrl });
    try {
      const s = adapter.status();
      assert.equal(s.state, "error");
      assert.equal(s.lastError, "Slack refused the bot token (invalid_auth) — check SLACK_BOT_TOKEN");
      const before = fake.calls.filter((c) => c.method === "auth.test").length;
      await waitFor(() => fake.calls.filter((c) => c.method === "auth.test").length >= before + 2, {
        what: "retries with backoff",
      });
    } finally {
      await adapter.stop();
    }
    assert.equal(adapter.status().state, "stopped");
    const afterStop = fake.calls.length;
    await new Promise((r) => setTimeout(r, 300)); // long enough for a retry, to show none comes
    assert.equal(fake.calls.length, afterStop, "stop() cancelled the retries");
  });

  it("records a refused app token", async () => {
    const adapter = await start({ botToken: fake.botToken, appToken: "xapp-wrong", apiUrl: fake.apiUrl });
    try {
      assert.equal(adapter.status().state, "error");
      assert.match(
        adapter.status().lastError ?? "",
        /app-level token \(invalid_auth\) — check SLACK_APP_TOKEN/,
      );
    } finally {
      await adapter.stop();
    }
  });

  it("records an unreachable API", async () => {
    const port = await freePort();
    const adapter = await start({
      botToken: fake.botToken,
      appToken: fake.appToken,
      apiUrl: `http://127.0.0.1:${port}/api/`,
    });
    try {
      assert.equal(adapter.status().state, "error");
      assert.match(
        adapter.status().lastError ?? "",
        /cannot reach the Slack API at http:\/\/127\.0\.0\.1:\d+\/api\//,
      );
    } finally {
      await adapter.stop();
    }
  });

  it("says which setting is missing and does not retry config errors", async () => {
    const adapter = await start({ botToken: fake.botToken, apiUrl: fake.apiUrl });
    try {
      assert.equal(adapter.status().state, "error");
      assert.match(adapter.status().lastError ?? "", /SLACK_APP_TOKEN/);
    } finally {
      await adapter.stop();
    }
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}
