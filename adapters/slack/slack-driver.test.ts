import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createCard, settleCard } from "../../src/core/card.ts";
import type { InboundAction, InboundEvent } from "../../src/core/chat-adapter.ts";
import { waitFor } from "../../src/testing/wait-for.ts";
import { createSlackDriver } from "./slack-driver.ts";

const ana = { id: "U0ANA", name: "ana" };

for (const mode of ["socket", "http"] as const) {
  describe(`slack driver (${mode} mode)`, () => {
    it("acts as a user, reads the bot's reply in the thread, clicks, and sees the edit", async () => {
      const driver = await createSlackDriver({ mode });
      try {
        const events: InboundEvent[] = [];
        const card = createCard({ markdown: "**bold** reply", buttons: [{ id: "ok:1", label: "OK" }] });
        await driver.adapter.start(async (e) => {
          events.push(e);
          if (e.kind === "message") {
            await driver.adapter.send(
              { conversation: e.conversation, thread: e.thread ?? e.messageId },
              card,
            );
          } else {
            await driver.adapter.update(e.message, settleCard(card, `done by ${e.user.name}`));
          }
        });
        await driver.userMessage({ conversation: driver.conversation, user: ana, text: "hi" });
        const [reply] = await waitFor(() => driver.botMessages().length === 1 && driver.botMessages());
        assert.ok(reply.text.includes(driver.renderedBold));
        assert.equal(reply.thread, events[0].kind === "message" ? events[0].messageId : undefined);
        assert.deepEqual(reply.buttons, [{ id: "ok:1", label: "OK" }]);

        await driver.userMessage({
          conversation: driver.conversation,
          user: ana,
          text: "more",
          thread: reply.thread,
        });
        await waitFor(() => driver.botMessages().length === 2, { what: "reply in thread" });
        assert.equal(driver.botMessages()[1].thread, reply.thread);

        await driver.click(reply, "ok:1", ana);
        const action = (await waitFor(() => events.find((e) => e.kind === "action"))) as InboundAction;
        assert.equal(action.actionId, "ok:1");
        assert.equal(action.user.id, ana.id);
        await waitFor(() => driver.botMessages()[0].buttons.length === 0, { what: "edit" });
        assert.match(driver.botMessages()[0].text, /done by ana/);
      } finally {
        await driver.close();
      }
    });
  });
}
