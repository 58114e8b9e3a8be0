// Outbound delivery against the fake: 429 / Retry-After honoured without losing or reordering
// a message, pacing to Discord's per-channel limit, inbound never stuck behind the queue.

import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { textCard } from "../../src/core/card.ts";
import type { InboundEvent } from "../../src/core/chat-adapter.ts";
import { waitFor } from "../../src/testing/wait-for.ts";
import { createDiscordDriver, type DiscordDriver, type DiscordDriverOptions } from "./discord-driver.ts";

const ana = { id: "910000000000000001", name: "ana" };

let driver: DiscordDriver | undefined;
afterEach(async () => {
  await driver?.close();
  driver = undefined;
});

async function started(opts: DiscordDriverOptions = {}) {
  driver = await createDiscordDriver(opts);
  const events: InboundEvent[] = [];
  await driver.adapter.start(async (e) => {
    events.push(e);
  });
  return { d: driver, events };
}

const texts = (d: DiscordDriver) => d.botMessages().map((m) => m.text);

describe("discord delivery", () => {
  it("waits out 429 + Retry-After and delivers every message, in order", async () => {
    const { d } = await started();
    d.fake.rateLimitNext(2, 0.3);
    const t0 = Date.now();
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        d.adapter.send({ conversation: d.conversation }, textCard(`m${i}`)),
      ),
    );
    const elapsed = Date.now() - t0;
    assert.deepEqual(texts(d), ["m0", "m1", "m2", "m3", "m4", "m5"]);
    assert.equal(d.fake.rateLimited.length, 2);
    assert.deepEqual(d.fake.earlyRetries, [], "no request came back before Retry-After passed");
    assert.ok(elapsed >= 600, `two 300 ms Retry-Afters were honoured (took ${elapsed} ms)`);
  });

  it("paces a burst to the channel's limit so Discord never has to say 429", async () => {
    const { d } = await started({
      fake: { channelLimit: { count: 3, windowMs: 1000 } },
      // A token bucket sends at most burst + rate × window in any window: 1 + 1.8 < 3.
      adapter: { rate: { perSecond: 1.8, burst: 1 } },
    });
    await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        d.adapter.send({ conversation: d.conversation }, textCard(`p${i}`)),
      ),
    );
    assert.deepEqual(texts(d), ["p0", "p1", "p2", "p3", "p4"]);
    assert.deepEqual(d.fake.rateLimited, []);
  });

  it("a bot faster than the channel limit is slowed by real 429s but loses nothing", async () => {
    const { d } = await started({ fake: { channelLimit: { count: 3, windowMs: 400 } } });
    await Promise.all(
      Array.from({ length: 7 }, (_, i) =>
        d.adapter.send({ conversation: d.conversation }, textCard(`f${i}`)),
      ),
    );
    assert.deepEqual(texts(d), ["f0", "f1", "f2", "f3", "f4", "f5", "f6"]);
    assert.ok(d.fake.rateLimited.length >= 1, "the fake enforced its limit");
    assert.deepEqual(d.fake.earlyRetries, []);
  });

  it("handles inbound messages while a delivery waits out a rate limit", async () => {
    const { d, events } = await started();
    d.fake.rateLimitNext(1, 2);
    const slow = d.adapter.send({ conversation: d.conversation }, textCard("later"));
    await waitFor(() => d.fake.rateLimited.length === 1, { what: "the 429" });
    const t0 = Date.now();
    await d.userMessage({ conversation: d.conversation, user: ana, text: "still there?" });
    await waitFor(() => events.length === 1, {
      timeoutMs: 1000,
      what: "the inbound message during the pause",
    });
    assert.ok(Date.now() - t0 < 1000);
    assert.deepEqual(texts(d), [], "the rate-limited send is still waiting");
    await slow;
    assert.deepEqual(texts(d), ["later"]);
  });

  it("gives up on a message the platform refuses, logging the reason, and later ones still go out", async () => {
    const errors: { obj: object; msg: string }[] = [];
    const log = {
      info() {},
      warn() {},
      debug() {},
      error: (obj: object, msg: string) => errors.push({ obj, msg }),
    };
    const { d } = await started({ adapter: { log } });
    const bad = d.adapter.send({ conversation: "123456789012345678" }, textCard("nowhere"));
    await assert.rejects(bad, { name: "PlatformRefusedError" });
    assert.ok(errors.some((e) => e.msg === "delivery failed for good"));
    await d.adapter.send({ conversation: d.conversation }, textCard("fine"));
    assert.deepEqual(texts(d), ["fine"]);
  });
});
