// The chat adapters Vigil ships, and which ones a configuration turns on.

import type { Config } from "../src/config/schema.ts";
import type { ChatAdapter } from "../src/core/chat-adapter.ts";

export interface AdapterLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
  child?(bindings: object): AdapterLog;
}

/** Builds the adapter of every platform whose token is configured. */
export async function createConfiguredAdapters(_config: Config, _log: AdapterLog): Promise<ChatAdapter[]> {
  const adapters: ChatAdapter[] = [];
  return adapters;
}

export { ConsoleAdapter, type ConsoleAdapterOptions } from "./console/index.ts";
