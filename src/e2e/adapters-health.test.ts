// End to end: Vigil started from configuration alone connects to every configured platform
// (here their fakes); a platform with a bad token shows a clear error in /healthz while
// the others keep working.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import pino from "pino";
import { FakeSlack } from "../../adapters/slack/index.ts";
import { FakeTelegram } from "../../adapters/telegram/index.ts";
import type { AdapterStatus } from "../core/chat-adapter.ts";
import { startVigil } from "../main.ts";
import { tempDir } from "../testing/temp-dir.ts";
import { waitFor } from "../testing/wait-for.ts";

describe("configured adapters", () => {
  it("connects each platform with a token; a refused token is reported and the others keep working", async () => {
    using dir = tempDir();
    const slack = await FakeSlack.start();
    const telegram = await FakeTelegram.start();
    const vigil = await startVigil({
      env: {
        VIGIL_DATA_DIR: dir.path,
        SLACK_BOT_TOKEN: slack.botToken,
        SLACK_APP_TOKEN: slack.appToken,
        SLACK_API_URL: slack.apiUrl,
        TELEGRAM_BOT_TOKEN: "123456:this-token-is-wrong-for-the-fake",
        TELEGRAM_API_ROOT: telegram.apiRoot,
      },
      listen: false,
      log: pino({ level: "silent" }),
      notice: () => {},
    });
    try {
      const health = async () => (await vigil.web.inject("/healthz")).json() as { adapters: AdapterStatus[] };
      const states = await waitFor(
        async () => {
          const { adapters } = await health();
          const byPlatform = Object.fromEntries(adapters.map((a) => [a.platform, a]));
          return byPlatform.slack?.state === "connected" && byPlatform.telegram?.state === "error"
            ? byPlatform
            : undefined;
        },
        { what: "slack connected and telegram in error", timeoutMs: 10_000 },
      );
      assert.match(states.telegram.lastError ?? "", /TELEGRAM_BOT_TOKEN/);

      const before = slack.botMessages().length;
      await slack.userMessage({ channel: "C0OPS", user: { id: "710000001", name: "ana" }, text: "ping" });
      const reply = await waitFor(
        () =>
          slack
            .botMessages()
            .slice(before)
            .find((m) => /pong/.test(m.text ?? "")),
        {
          what: "pong on Slack",
        },
      );
      assert.ok(reply.thread_ts, "the reply is threaded");
    } finally {
      await vigil.close();
      await slack.close();
      await telegram.close();
    }
  });
});
