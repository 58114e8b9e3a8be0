// The driver the shared contract suite uses: users act through the fake, reads come from its records.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { textCard } from "../../src/core/card.ts";
import type { InboundEvent, InboundMessage } from "../../src/core/chat-adapter.ts";
import { waitFor } from "../../src/testing/wait-for.ts";
import { createTelegramDriver } from "./telegram-driver.ts";

const ana = { id: "11", name: "ana_ops" };

describe("telegram driver", () => {
  it("delivers a duplicate with the same eventId twice, as a redelivery would", async () => {
    const d = await createTelegramDriver();
    try {
      const events: InboundEvent[] = [];
      await d.adapter.start(async (e) => {
        events.push(e);
      });
      await d.userMessage({ conversation: d.conversation, user: ana, text: "once", duplicate: true });
      await waitFor(() => events.length === 2, { what: "two deliveries" });
      assert.equal(events[0].eventId, events[1].eventId);
    } finally {
      await d.close();
    }
  });

  it("keeps a forum conversation in its topic both ways", async () => {
    const d = await createTelegramDriver({ forum: true });
    try {
      const events: InboundMessage[] = [];
      await d.adapter.start(async (e) => {
        if (e.kind === "message") events.push(e);
      });
      await d.userMessage({ conversation: d.conversation, user: ana, text: "open" });
      const first = await waitFor(() => events[0], { what: "first message" });
      await d.adapter.send({ conversation: d.conversation, thread: first.thread }, textCard("**bold**"));
      const [bot] = d.botMessages();
      assert.equal(bot.text, d.renderedBold);
      assert.equal(bot.thread, first.thread);
      await d.userMessage({ conversation: d.conversation, user: ana, text: "more", thread: bot.thread });
      const second = await waitFor(() => events[1], { what: "second message" });
      assert.equal(second.thread, first.thread);
      assert.equal(second.replyTo, undefined);
    } finally {
      await d.close();
    }
  });
});
