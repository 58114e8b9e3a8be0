// The console adapter: Vigil in a terminal, no chat platform needed.

export { ConsoleAdapter, type ConsoleAdapterOptions } from "./console-adapter.ts";
export { renderConsole } from "./render-console.ts";
