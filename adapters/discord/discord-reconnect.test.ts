// A Discord gateway that goes away and comes back: the adapter resumes or re-identifies,
// status() follows, and no message sent while it was away is lost.

import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import type { InboundEvent } from "../../src/core/chat-adapter.ts";
import { waitFor } from "../../src/testing/wait-for.ts";
import { createDiscordDriver, type DiscordDriver } from "./discord-driver.ts";

const ana = { id: "910000000000000001", name: "ana" };

let driver: DiscordDriver | undefined;
afterEach(async () => {
  await driver?.close();
  driver = undefined;
});

async function started() {
  driver = await createDiscordDriver();
  const events: InboundEvent[] = [];
  await driver.adapter.start(async (e) => {
    events.push(e);
  });
  return { d: driver, events };
}

describe("discord reconnect", () => {
  it("resumes after a dropped connection and replays what was sent meanwhile", async () => {
    const { d, events } = await started();
    d.fake.dropConnections();
    // Posted while the bot is away: Discord keeps it for the resumed session.
    await d.userMessage({ conversation: d.conversation, user: ana, text: "while away" });
    await waitFor(() => d.fake.resumes.length === 1, { what: "a RESUME" });
    await waitFor(() => events.length === 1, { what: "the replayed message" });
    assert.equal(events[0].kind === "message" && events[0].text, "while away");
    assert.equal(d.fake.identifies.length, 1, "resumed, not re-identified");
    await waitFor(() => d.adapter.status().state === "connected");
  });

  it("reconnects after the platform refused connections for a while", async () => {
    const { d, events } = await started();
    const states = new Set<string>();
    const watch = setInterval(() => states.add(d.adapter.status().state), 5);
    try {
      await d.fake.outage(700);
      // discord.js re-identifies; within 5 s of the first IDENTIFY it waits up to 6.5 s.
      await waitFor(() => d.fake.identifies.length === 2, { timeoutMs: 12_000, what: "a new IDENTIFY" });
      await waitFor(() => d.adapter.status().state === "connected", { timeoutMs: 5000 });
    } finally {
      clearInterval(watch);
    }
    assert.ok(states.has("connecting"), `status showed the outage (saw ${[...states].join(", ")})`);
    await d.userMessage({ conversation: d.conversation, user: ana, text: "back?" });
    await waitFor(() => events.length === 1, { what: "a message after the reconnect" });
  });
});
