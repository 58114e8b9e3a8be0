// The fake Bot API behaves like Telegram where Vigil depends on it: long polling, HTML, limits.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { FakeTelegram, type FakeUser } from "./fake-telegram.ts";
import { parseTelegramHtml } from "./parse-telegram-html.ts";

/** The Bot API's answer envelope, loosely typed for probing in tests. */
interface ApiAnswer {
  ok: boolean;
  description: string;
  result: { update_id: number }[] & {
    entities?: unknown;
    message_thread_id?: number;
    is_topic_message?: boolean;
  };
}

const user: FakeUser = { id: 1, is_bot: false, first_name: "Ana" };

describe("fake telegram", () => {
  let fake: FakeTelegram;
  const call = async (method: string, body: unknown = {}, token = fake.token) => {
    const res = await fetch(`${fake.apiRoot}/bot${token}/${method}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as ApiAnswer };
  };
  before(async () => {
    fake = await FakeTelegram.start();
    fake.addChat({ id: 10, type: "private" });
    fake.addChat({ id: -100, type: "supergroup", is_forum: true });
  });
  after(() => fake.close());

  it("answers 401 to a wrong token", async () => {
    const { status, json } = await call("getMe", {}, "1:nope");
    assert.equal(status, 401);
    assert.deepEqual(json, { ok: false, error_code: 401, description: "Unauthorized" });
  });

  it("holds a poll until an update arrives, drops confirmed updates, and 409s a second poller", async () => {
    const poll = call("getUpdates", { timeout: 5 });
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        if (fake.calls.some((c) => c.method === "getUpdates(held)")) resolve(clearInterval(t));
      }, 5);
    });
    const second = await call("getUpdates", { timeout: 5 });
    assert.equal(second.status, 409);
    assert.match(second.json.description, /terminated by other getUpdates request/);
    const u = fake.userMessage({ chatId: 10, from: user, text: "hi" });
    const first = await poll;
    assert.deepEqual(
      first.json.result.map((x: { update_id: number }) => x.update_id),
      [u.update_id],
    );
    const again = await call("getUpdates", { offset: u.update_id + 1, timeout: 0 });
    assert.deepEqual(again.json.result, []);
    await fake.waitConfirmed(u, 100);
  });

  it("refuses malformed HTML, unsupported tags and over-long text like Telegram", async () => {
    const send = (text: string) => call("sendMessage", { chat_id: 10, text, parse_mode: "HTML" });
    for (const bad of ["<b>open", "<div>x</div>", "a </b>", "<b><i>x</b></i>", "1 < 2"]) {
      const { status, json } = await send(bad);
      assert.equal(status, 400, bad);
      assert.match(json.description, /^Bad Request: can't parse entities/, bad);
    }
    assert.equal((await send("x".repeat(4097))).json.description, "Bad Request: message is too long");
    const ok = await send(`<b>a &amp; b</b> &lt;3 ${"y".repeat(4000)}`);
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.json.result.entities, [{ type: "bold", offset: 0, length: 5 }]);
  });

  it("refuses callback_data over 64 bytes with BUTTON_DATA_INVALID", async () => {
    const markup = (data: string) => ({ inline_keyboard: [[{ text: "b", callback_data: data }]] });
    const bad = await call("sendMessage", { chat_id: 10, text: "x", reply_markup: markup("é".repeat(33)) });
    assert.equal(bad.json.description, "Bad Request: BUTTON_DATA_INVALID");
    const good = await call("sendMessage", { chat_id: 10, text: "x", reply_markup: markup("a".repeat(64)) });
    assert.equal(good.status, 200);
  });

  it("places forum messages in existing topics only", async () => {
    const topic = fake.createTopic(-100, "incident", user);
    const inTopic = await call("sendMessage", { chat_id: -100, text: "t", message_thread_id: topic });
    assert.equal(inTopic.json.result.message_thread_id, topic);
    assert.equal(inTopic.json.result.is_topic_message, true);
    const missing = await call("sendMessage", { chat_id: -100, text: "t", message_thread_id: 9999 });
    assert.equal(missing.json.description, "Bad Request: message thread not found");
  });

  it("accepts form-encoded bodies and answers 429 with retry_after on demand", async () => {
    fake.rateLimitNext(1, 3);
    const form = new URLSearchParams({ chat_id: "10", text: "via form" });
    const post = () =>
      fetch(`${fake.apiRoot}/bot${fake.token}/sendMessage`, { method: "POST", body: form }).then((r) =>
        r.json(),
      );
    assert.deepEqual(await post(), {
      ok: false,
      error_code: 429,
      description: "Too Many Requests: retry after 3",
      parameters: { retry_after: 3 },
    });
    assert.equal(((await post()) as { ok: boolean }).ok, true);
  });

  it("refuses connections while away and serves again after coming back", async () => {
    await fake.goAway();
    await assert.rejects(call("getMe"));
    await fake.comeBack();
    assert.equal((await call("getMe")).status, 200);
  });
});

describe("parseTelegramHtml", () => {
  it("decodes entities and reports pre languages", () => {
    const p = parseTelegramHtml('<pre><code class="language-js">a &lt; b</code></pre>&#33;&amp;');
    assert.equal(p.text, "a < b!&");
    assert.deepEqual(p.entities, [{ type: "pre", offset: 0, length: 5, language: "js" }]);
  });
});
