// The Slack PlatformDriver for the adapter contract suite: a FakeSlack plus a SlackAdapter
// pointed at it, acting as users through the fake and reading what the bot posted from its records.

import type { BotMessage, PlatformDriver, UserMessageOptions } from "../../src/testing/platform-driver.ts";
import { buttonsOf, FakeSlack, visibleText } from "./fake-slack.ts";
import { SlackAdapter, type SlackAdapterLog, type SlackAdapterOptions } from "./slack-adapter.ts";

export interface SlackDriverOptions {
  /** Socket Mode (default) or HTTP mode with signed deliveries. */
  mode?: "socket" | "http";
  log?: SlackAdapterLog;
  /** Extra adapter options (rate, retry timings). */
  adapter?: Partial<SlackAdapterOptions>;
}

export interface SlackDriver extends PlatformDriver {
  readonly adapter: SlackAdapter;
  /** The fake platform, for tests that need to reach past the contract (429s, outages, slash commands). */
  readonly fake: FakeSlack;
}

/** Starts a fake Slack and builds a SlackAdapter against it; the caller starts the adapter. */
export async function createSlackDriver(opts: SlackDriverOptions = {}): Promise<SlackDriver> {
  const fake = await FakeSlack.start();
  const mode = opts.mode ?? "socket";
  const adapter = new SlackAdapter({
    botToken: fake.botToken,
    apiUrl: fake.apiUrl,
    ...(mode === "socket" ? { appToken: fake.appToken } : { signingSecret: fake.signingSecret, httpPort: 0 }),
    mode,
    log: opts.log,
    retryBaseMs: 100,
    retryMaxMs: 2000,
    ...opts.adapter,
  });
  // HTTP mode: the receiver's port is known only once the adapter listens.
  const route = () => {
    if (mode === "http") fake.requestUrl = adapter.requestUrl;
  };
  return {
    adapter,
    fake,
    conversation: "C0VIGIL01",
    maxMessageLength: 3000,
    renderedBold: "*bold*",
    async userMessage(o: UserMessageOptions): Promise<void> {
      route();
      await fake.userMessage({
        channel: o.conversation,
        user: o.user,
        text: o.text,
        thread_ts: o.thread,
        duplicate: o.duplicate,
      });
    },
    async click(message: BotMessage, buttonId: string, user: { id: string; name: string }): Promise<void> {
      route();
      const stored = fake
        .botMessages()
        .find((m) => m.channel === message.conversation && m.ts === message.messageId);
      const button = stored && buttonsOf(stored).find((b) => (b.value ?? b.action_id) === buttonId);
      await fake.click({
        channel: message.conversation,
        ts: message.messageId,
        actionId: button?.action_id ?? buttonId,
        user,
      });
    },
    botMessages(): readonly BotMessage[] {
      return fake.botMessages().map((m) => ({
        conversation: m.channel,
        thread: m.thread_ts,
        messageId: m.ts,
        text: visibleText(m),
        buttons: buttonsOf(m).map((b) => ({ id: b.value ?? b.action_id, label: b.text.text })),
      }));
    },
    async close(): Promise<void> {
      await adapter.stop();
      await fake.close();
    },
  };
}
