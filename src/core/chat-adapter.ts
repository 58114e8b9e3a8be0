// The ChatAdapter port: what every chat platform implements, and the one normalized
// inbound event the core sees. No chat SDK is imported in src/core.

import type { Card } from "./card.ts";

export type Platform = "slack" | "discord" | "telegram" | "console";

/** A user as the platform verified them (from the signed or authenticated payload, never from text). */
export interface ChatUser {
  readonly id: string;
  readonly name?: string;
}

interface InboundBase {
  readonly platform: Platform;
  /** Channel / chat id. For a Discord thread this is the parent channel. */
  readonly conversation: string;
  /** Opaque thread key when the event happened inside a thread the adapter recognises. */
  readonly thread?: string;
  readonly user: ChatUser;
  /** Platform-unique delivery id, used to handle each delivery once (also across restarts). */
  readonly eventId: string;
  readonly receivedAt: Date;
}

export interface InboundMessage extends InboundBase {
  readonly kind: "message";
  readonly messageId: string;
  /** Id of the message this one replies to (Telegram reply chains), when not in a thread. */
  readonly replyTo?: string;
  readonly text: string;
  /** True for slash commands (`/vigil …`), whose text is the command's argument. */
  readonly command?: boolean;
}

export interface InboundAction extends InboundBase {
  readonly kind: "action";
  /** The opaque button id the platform echoed back. */
  readonly actionId: string;
  /** The message that carries the card that was clicked. */
  readonly message: MessageRef;
}

export type InboundEvent = InboundMessage | InboundAction;

/** Where a reply goes: a conversation and, normally, a thread in it. */
export interface ReplyTarget {
  readonly conversation: string;
  /** The thread key. When the thread does not exist yet (a fresh channel message), the adapter opens it. */
  readonly thread?: string;
}

/** A message the adapter has sent, enough to edit it later. */
export interface MessageRef {
  readonly platform: Platform;
  readonly conversation: string;
  readonly thread?: string;
  readonly messageId: string;
}

export type AdapterState = "stopped" | "connecting" | "connected" | "error";

export interface AdapterStatus {
  readonly platform: Platform;
  readonly state: AdapterState;
  /** When the adapter entered its current state. */
  readonly since: Date;
  readonly lastError?: string;
}

export type InboundHandler = (event: InboundEvent) => Promise<void>;

export interface ChatAdapter {
  readonly platform: Platform;
  /** Connects and starts delivering events to `handler`. Resolves once connected or after the first failure is recorded. */
  start(handler: InboundHandler): Promise<void>;
  stop(): Promise<void>;
  status(): AdapterStatus;
  /** Sends a card; returns the ref of the first message (the one carrying the buttons when split, the last). */
  send(target: ReplyTarget, card: Card): Promise<MessageRef>;
  /** Replaces a card already sent (after a click, at expiry). */
  update(ref: MessageRef, card: Card): Promise<void>;
}
