import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { textCard } from "../../src/core/card.ts";
import { startBareSlackEcho } from "./bench-echo.ts";
import { FakeSlack } from "./fake-slack.ts";
import { SlackAdapter } from "./slack-adapter.ts";

const ana = { id: "U0ANA", name: "ana" };

describe("round-trip measurement", () => {
  it("times a bare Bolt echo bot and the Vigil adapter on the same fake", async () => {
    const fake = await FakeSlack.start();
    try {
      const bare = await startBareSlackEcho(fake);
      let bareMs: number;
      try {
        bareMs = await fake.measureRoundTrip({ channel: "C0BENCH", user: ana, text: "ping" });
      } finally {
        await bare.stop();
      }
      assert.ok(bareMs > 0 && bareMs < 5000, `bare round trip ${bareMs} ms`);
      const echoed = fake.botMessages().at(-1);
      assert.equal(echoed?.text, "ping");

      const adapter = new SlackAdapter({
        botToken: fake.botToken,
        appToken: fake.appToken,
        apiUrl: fake.apiUrl,
      });
      await adapter.start(async (e) => {
        if (e.kind === "message") {
          await adapter.send(
            { conversation: e.conversation, thread: e.thread ?? e.messageId },
            textCard(e.text),
          );
        }
      });
      try {
        const vigilMs = await fake.measureRoundTrip({ channel: "C0BENCH", user: ana, text: "ping" });
        assert.ok(vigilMs > 0 && vigilMs < 5000, `vigil round trip ${vigilMs} ms`);
      } finally {
        await adapter.stop();
      }
    } finally {
      await fake.close();
    }
  });

  it("fails when no reply arrives in the thread", async () => {
    const fake = await FakeSlack.start();
    const adapter = new SlackAdapter({
      botToken: fake.botToken,
      appToken: fake.appToken,
      apiUrl: fake.apiUrl,
    });
    await adapter.start(async () => {});
    try {
      await assert.rejects(
        fake.measureRoundTrip({ channel: "C0BENCH", user: ana, text: "ping", timeoutMs: 200 }),
        /no matching bot message/,
      );
    } finally {
      await adapter.stop();
      await fake.close();
    }
  });
});
