// What the adapter contract suite needs from each platform's test harness: a way to act
// as a user on the (fake) platform and to read what the bot posted there.

import type { ChatAdapter } from "../core/chat-adapter.ts";

/** A message the bot posted on the fake platform, as the platform stored it (after edits). */
export interface BotMessage {
  readonly conversation: string;
  /** The platform's own thread key for where the message landed (Slack thread_ts, Discord thread channel id, Telegram topic id or reply-chain root). */
  readonly thread: string | undefined;
  readonly messageId: string;
  /** The text as the platform would show it, in the platform's own markup (mrkdwn, Discord markdown, Telegram HTML, console text). */
  readonly text: string;
  /** Buttons currently on the message: the opaque id the platform will echo back, and the label. */
  readonly buttons: readonly { readonly id: string; readonly label: string }[];
}

export interface UserMessageOptions {
  readonly conversation: string;
  readonly user: { readonly id: string; readonly name: string };
  readonly text: string;
  /** Post inside this existing thread (a BotMessage's `thread`). Absent: a top-level channel message. */
  readonly thread?: string;
  /** Deliver the same event twice, as a platform retry would. */
  readonly duplicate?: boolean;
}

export interface PlatformDriver {
  /** The adapter under test, configured to talk to this driver's fake. */
  readonly adapter: ChatAdapter;
  /** A channel the bot can post in. */
  readonly conversation: string;
  /** Longest message the platform accepts, in characters, as the adapter must respect it. */
  readonly maxMessageLength: number;
  /** How `**bold**` looks natively here, e.g. `*bold*` on Slack, `<b>bold</b>` on Telegram. */
  readonly renderedBold: string;
  /** Acts as a user; resolves once the fake has delivered the event(s) to the adapter. */
  userMessage(opts: UserMessageOptions): Promise<void>;
  /** Clicks a button as `user`; resolves once the fake has delivered the click. */
  click(
    message: BotMessage,
    buttonId: string,
    user: { readonly id: string; readonly name: string },
  ): Promise<void>;
  /** Everything the bot has posted so far, oldest first, with edits applied. */
  botMessages(): readonly BotMessage[];
  /**
   * What a platform cannot do, so the contract skips only those checks: a terminal has one
   * user, one thread, and never redelivers. Absent means the platform can do all of it.
   */
  readonly limits?: {
    readonly singleUser?: { readonly id: string };
    readonly singleThread?: boolean;
    readonly noRedelivery?: boolean;
  };
  /** Stops the adapter and the fake. */
  close(): Promise<void>;
}
