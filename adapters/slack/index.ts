// The Slack adapter unit: the adapter and its options, plus the fake, driver and echo baseline for tests.

export type { BareSlackEchoTarget } from "./bench-echo.ts";
export { startBareSlackEcho } from "./bench-echo.ts";
export type { FakeMessage, FakeSlackOptions, FakeUser } from "./fake-slack.ts";
export { buttonsOf, FakeSlack, signSlackRequest, visibleText } from "./fake-slack.ts";
export type { SlackBlock, SlackMessagePart } from "./render-slack.ts";
export { escapeMrkdwn, renderSlack, SLACK_LIMITS, tokensToMrkdwn } from "./render-slack.ts";
export type { SlackAdapterLog, SlackAdapterOptions } from "./slack-adapter.ts";
export { mapSlackError, SlackAdapter } from "./slack-adapter.ts";
export type { SlackDriver, SlackDriverOptions } from "./slack-driver.ts";
export { createSlackDriver } from "./slack-driver.ts";
