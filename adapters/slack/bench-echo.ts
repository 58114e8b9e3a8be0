// A bare Bolt echo bot with no Vigil code, the baseline Vigil's Slack round trip is benchmarked against.

import { App, LogLevel } from "@slack/bolt";

export interface BareSlackEchoTarget {
  /** Web API base URL with trailing slash (FakeSlack.apiUrl). */
  readonly apiUrl: string;
  readonly botToken: string;
  readonly appToken: string;
}

/** Starts a Socket Mode Bolt app that echoes every user message into its thread; resolves once connected. */
export async function startBareSlackEcho(target: BareSlackEchoTarget): Promise<{ stop(): Promise<void> }> {
  const app = new App({
    token: target.botToken,
    appToken: target.appToken,
    socketMode: true,
    logLevel: LogLevel.ERROR,
    clientOptions: { slackApiUrl: target.apiUrl, retryConfig: { retries: 0 } },
  });
  app.message(async ({ message, client }) => {
    if (message.subtype !== undefined || !("text" in message)) return;
    await client.chat.postMessage({
      channel: message.channel,
      thread_ts: message.thread_ts ?? message.ts,
      text: message.text ?? "",
    });
  });
  await app.start();
  return { stop: () => app.stop() as Promise<void> };
}
