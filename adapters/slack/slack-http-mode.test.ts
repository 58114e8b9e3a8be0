import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { textCard } from "../../src/core/card.ts";
import type { InboundEvent, InboundMessage } from "../../src/core/chat-adapter.ts";
import { waitFor } from "../../src/testing/wait-for.ts";
import { FakeSlack } from "./fake-slack.ts";
import { SlackAdapter } from "./slack-adapter.ts";

const ana = { id: "U0ANA", name: "ana" };
const C = "C0OPS";

describe("slack adapter (HTTP mode, signed requests)", () => {
  let fake: FakeSlack;
  let adapter: SlackAdapter;
  let url: string;
  const events: InboundEvent[] = [];
  const warnings: string[] = [];

  before(async () => {
    fake = await FakeSlack.start();
    adapter = new SlackAdapter({
      botToken: fake.botToken,
      signingSecret: fake.signingSecret,
      apiUrl: fake.apiUrl,
      httpPort: 0,
      log: { info() {}, debug() {}, error() {}, warn: (_o, m) => warnings.push(m) },
    });
    await adapter.start(async (e) => {
      events.push(e);
      if (e.kind === "message") {
        await adapter.send(
          { conversation: e.conversation, thread: e.thread ?? e.messageId },
          textCard(`echo ${e.text}`),
        );
      }
    });
    assert.equal(adapter.status().state, "connected");
    url = adapter.requestUrl as string;
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/slack\/events$/);
    fake.requestUrl = url;
  });

  after(async () => {
    await adapter.stop();
    await fake.close();
  });

  const eventBody = (text: string) =>
    JSON.stringify({
      type: "event_callback",
      team_id: fake.teamId,
      api_app_id: fake.appId,
      event_id: `Ev${text.replace(/\W/g, "")}`,
      event: {
        type: "message",
        channel: C,
        user: ana.id,
        text,
        ts: "1700000000.000100",
        event_ts: "1700000000.000100",
      },
    });

  it("accepts a correctly signed event and replies in its thread", async () => {
    const posted = await fake.userMessage({ channel: C, user: ana, text: "over http" });
    assert.equal(fake.deliveries.at(-1)?.status, 200);
    await fake.waitForBotMessage((m) => m.thread_ts === posted.ts);
    const event = events.find((e) => e.kind === "message" && e.text === "over http") as InboundMessage;
    assert.equal(event.user.id, ana.id);
  });

  it("refuses a request with a bad signature (401) and says which secret to check", async () => {
    const before = events.length;
    const res = await fake.signedPost(url, eventBody("forged"), "application/json", { badSignature: true });
    assert.equal(res.status, 401);
    assert.equal(events.length, before);
    assert.ok(warnings.some((w) => /signing secret does not match — check SLACK_SIGNING_SECRET/.test(w)));
    assert.match(adapter.status().lastError ?? "", /SLACK_SIGNING_SECRET/);
  });

  it("refuses a request with a stale timestamp (401)", async () => {
    const before = events.length;
    const res = await fake.signedPost(url, eventBody("replayed"), "application/json", {
      staleTimestamp: true,
    });
    assert.equal(res.status, 401);
    assert.equal(events.length, before);
  });

  it("refuses an unsigned request", async () => {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: eventBody("bare"),
    });
    assert.equal(res.status, 401);
  });

  it("takes slash commands and button clicks over HTTP, and a retried event keeps its id", async () => {
    await fake.slashCommand({ channel: C, user: ana, text: "uptime" });
    await waitFor(() => events.find((e) => e.kind === "message" && e.command));
    const root = await fake.userMessage({ channel: C, user: ana, text: "card please", duplicate: true });
    const copies = await waitFor(
      () => {
        const found = events.filter((e) => e.kind === "message" && e.messageId === root.ts);
        return found.length === 2 && found;
      },
      { what: "both deliveries" },
    );
    assert.equal(copies[0].eventId, copies[1].eventId);
    await adapter.send(
      { conversation: C, thread: root.ts },
      { ...textCard("pick"), buttons: [{ id: "ok:1", label: "OK" }] },
    );
    const card = await fake.waitForBotMessage((m) => m.text.includes("pick"));
    await fake.click({ channel: C, ts: card.ts, actionId: "ok:1", user: ana });
    await waitFor(() => events.find((e) => e.kind === "action" && e.actionId === "ok:1"), { what: "click" });
  });
});

describe("slack adapter (HTTP mode without a signing secret)", () => {
  it("refuses to serve unsigned requests: it does not listen at all, and says what to set", async () => {
    const fake = await FakeSlack.start();
    const adapter = new SlackAdapter({
      botToken: fake.botToken,
      apiUrl: fake.apiUrl,
      mode: "http",
      httpPort: 0,
      log: { info() {}, debug() {}, error() {}, warn() {} },
    });
    try {
      await adapter.start(async () => {});
      assert.equal(adapter.status().state, "error");
      assert.match(adapter.status().lastError ?? "", /SLACK_SIGNING_SECRET/);
      assert.equal(adapter.requestUrl, undefined, "no receiver was started");
    } finally {
      await adapter.stop();
      await fake.close();
    }
  });
});
