// The core: sessions, router, cards and the ChatAdapter port. No SDKs are imported here.

export { AdapterStatusTracker } from "./adapter-status.ts";
export { builtinCommands, type StatusSource } from "./builtin-commands.ts";
export * from "./card.ts";
export type * from "./chat-adapter.ts";
export {
  type ActionHandler,
  type ChatContext,
  ChatHub,
  type ChatHubOptions,
  type HubLog,
  type PrefixActionHandler,
  whereOf,
} from "./chat-hub.ts";
export { compose, type Middleware, type Next } from "./compose.ts";
export { DeliveryQueue, RateLimitedError } from "./delivery-queue.ts";
export * from "./errors.ts";
export { type Command, commandRouter } from "./router.ts";
export { splitMessage } from "./split-message.ts";
