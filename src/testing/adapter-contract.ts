// The adapter contract: every ChatAdapter (console, Slack, Discord, Telegram) runs this same
// suite against its platform's fake, through the real ChatHub and a real SQLite store.

import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import pino from "pino";
import { createCard, settleCard } from "../core/card.ts";
import { ChatHub } from "../core/chat-hub.ts";
import { openStore, type Store } from "../store/index.ts";
import type { BotMessage, PlatformDriver } from "./platform-driver.ts";
import { tempDir } from "./temp-dir.ts";
import { waitFor } from "./wait-for.ts";

// Numeric ids are valid user ids on every platform (Telegram and Discord require them).
const ANA = { id: "710000001", name: "ana" };
const BOB = { id: "710000002", name: "bob" };

/** The code block of the long reply: numbered lines, so a lost or broken line shows. */
const LONG_CODE = Array.from(
  { length: 400 },
  (_, i) => `line-${String(i).padStart(3, "0")} ${"x".repeat(20)}`,
);

export function runAdapterContract(name: string, newDriver: () => Promise<PlatformDriver>): void {
  describe(`adapter contract: ${name}`, () => {
    let driver: PlatformDriver;
    let store: Store;
    let hub: ChatHub;
    let dir: ReturnType<typeof tempDir>;
    const clicks: { user: string; payload: unknown }[] = [];
    const sessionsSeen = new Map<string, string>(); // request tag → session id

    before(async () => {
      dir = tempDir();
      store = openStore(join(dir.path, "vigil.db"));
      hub = new ChatHub({
        ...store, // sessions, handled deliveries, actions and the transaction the hub needs
        log: pino({ level: "silent" }),
      });
      hub.onAction("contract-choice", async (ctx, payload) => {
        const { user } = ctx.event;
        clicks.push({ user: user.id, payload });
        if (ctx.event.kind === "action") {
          const card = createCard({ markdown: "Pick a colour" });
          await ctx.update(
            ctx.event.message,
            settleCard(card, `${String(payload)} chosen by ${user.name ?? user.id}`),
          );
        }
      });
      hub.use(async (ctx) => {
        const [word, tag] = ctx.text.split(/\s+/);
        switch (word) {
          case "session":
            sessionsSeen.set(tag, ctx.session.id);
            await ctx.reply(`session noted for ${tag}`);
            return;
          case "card":
            await ctx.reply(
              createCard({
                markdown: "Pick a colour",
                buttons: [
                  ctx.button("Blue", "contract-choice", "blue", "primary"),
                  ctx.button("Red", "contract-choice", "red", "danger"),
                ],
              }),
            );
            return;
          case "markdown":
            await ctx.reply(
              "**bold** and _italic_ and `code`\n\n- one\n- two\n\n[docs](https://docs.example.com)",
            );
            return;
          case "long":
            await ctx.reply(`Here is the log:\n\n\`\`\`\n${LONG_CODE.join("\n")}\n\`\`\`\n\nEnd of log.`);
            return;
          default:
            await ctx.reply(`echo ${ctx.text}`);
        }
      });
      driver = await newDriver();
      hub.attach(driver.adapter);
      await hub.start();
    });

    after(async () => {
      await driver.close();
      await hub.idle();
      store.close();
      dir[Symbol.dispose]();
    });

    /** Sends a top-level message and waits for the first bot message that answers it. */
    async function ask(
      text: string,
      match: (m: BotMessage) => boolean,
      thread?: string,
    ): Promise<BotMessage> {
      const before = driver.botMessages().length;
      await driver.userMessage({ conversation: driver.conversation, user: ANA, text, thread });
      return waitFor(() => driver.botMessages().slice(before).find(match), {
        what: `a reply to "${text}"`,
        timeoutMs: 10_000,
      });
    }

    it("answers a channel message in a new thread", async () => {
      const reply = await ask("hello there", (m) => m.text.includes("echo hello there"));
      assert.equal(reply.conversation, driver.conversation);
      assert.ok(reply.thread, "the reply is in a thread");
    });

    it("keeps a second message in that thread in the same session", async () => {
      const first = await ask("session first", (m) => m.text.includes("session noted for first"));
      await ask("session second", (m) => m.text.includes("session noted for second"), first.thread);
      assert.equal(sessionsSeen.get("second"), sessionsSeen.get("first"));
      if (!driver.limits?.singleThread) {
        await ask("session other", (m) => m.text.includes("session noted for other"));
        assert.notEqual(
          sessionsSeen.get("other"),
          sessionsSeen.get("first"),
          "a new channel message opens a new session",
        );
      }
    });

    it("renders a card with buttons, delivers a click with the clicker's identity and edits the card", async () => {
      const card = await ask("card", (m) => m.buttons.length === 2);
      assert.deepEqual(
        card.buttons.map((b) => b.label),
        ["Blue", "Red"],
      );
      const clicker = driver.limits?.singleUser ?? BOB;
      const red = card.buttons[1];
      await driver.click(card, red.id, BOB);
      await waitFor(() => clicks.length === 1, { what: "the click to reach the handler" });
      assert.deepEqual(clicks[0], { user: clicker.id, payload: "red" });
      const edited = await waitFor(
        () =>
          driver.botMessages().find((m) => m.messageId === card.messageId && /red chosen by/.test(m.text)),
        { what: "the card to show the outcome" },
      );
      assert.equal(edited.buttons.length, 0, "the settled card has no live buttons");
    });

    it("renders markdown natively", async () => {
      const reply = await ask("markdown", (m) => m.text.includes("italic"));
      assert.ok(reply.text.includes(driver.renderedBold), `expected ${driver.renderedBold} in ${reply.text}`);
      assert.ok(
        !reply.text.includes("**bold**") || driver.renderedBold === "**bold**",
        "markdown is not passed through raw",
      );
    });

    it("splits a long reply at the platform limit without losing or breaking the code block", async () => {
      const start = driver.botMessages().length;
      await driver.userMessage({ conversation: driver.conversation, user: ANA, text: "long" });
      const parts = await waitFor(
        () => {
          const mine = driver.botMessages().slice(start);
          return mine.some((m) => m.text.includes("End of log.")) ? mine : undefined;
        },
        { what: "every part of the long reply", timeoutMs: 15_000 },
      );
      for (const p of parts)
        assert.ok(p.text.length <= driver.maxMessageLength, `a part of ${p.text.length} chars`);
      if (Number.isFinite(driver.maxMessageLength)) assert.ok(parts.length > 1, "the reply was split");
      const all = parts.map((p) => p.text).join("\n");
      let from = 0;
      for (const line of LONG_CODE) {
        const at = all.indexOf(line, from);
        assert.ok(at >= 0, `${line.slice(0, 8)} is missing or out of order`);
        from = at + line.length;
      }
      assert.ok(new Set(parts.map((p) => p.thread)).size === 1, "every part lands in the same thread");
    });

    it("handles a duplicate delivery once", async (t) => {
      if (driver.limits?.noRedelivery) return t.skip("this platform never redelivers");
      const start = driver.botMessages().length;
      await driver.userMessage({
        conversation: driver.conversation,
        user: ANA,
        text: "only once please",
        duplicate: true,
      });
      await waitFor(
        () =>
          driver
            .botMessages()
            .slice(start)
            .some((m) => m.text.includes("echo only once please")),
        {
          what: "the reply",
        },
      );
      await hub.idle();
      const replies = driver
        .botMessages()
        .slice(start)
        .filter((m) => m.text.includes("echo only once please"));
      assert.equal(replies.length, 1);
    });
  });
}
