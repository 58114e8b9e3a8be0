// The console PlatformDriver for the adapter contract suite: a ConsoleAdapter on in-memory
// streams. It types lines as the user would and reads cards back from the terminal text.

import { PassThrough } from "node:stream";
import type { BotMessage, PlatformDriver, UserMessageOptions } from "../../src/testing/platform-driver.ts";
import { ConsoleAdapter } from "./console-adapter.ts";

const UPDATE = /^\(update to (out-\d+)\)\n/;
const CHOICE = /\[(\d+)\] ([^[\n]+?)(?= {2}\[|\n|$)/g;

export function createConsoleDriver(
  user = { id: "ops", name: "ops" },
): PlatformDriver & { readonly input: PassThrough } {
  const input = new PassThrough();
  const output = new PassThrough();
  const messages: BotMessage[] = [];
  let sent = 0;
  // Each card is written in one write(), so each chunk is one message or one edit.
  output.on("data", (chunk: Buffer) => {
    let text = chunk.toString().replace(/\n+$/, "");
    const update = UPDATE.exec(text);
    text = text.replace(UPDATE, "");
    const lastLine = text.split("\n").at(-1) ?? "";
    const buttons = /^\[\d+\] /.test(lastLine)
      ? [...lastLine.matchAll(CHOICE)].map((m) => ({ id: m[1], label: m[2] }))
      : [];
    const messageId = update ? update[1] : `out-${++sent}`;
    const message: BotMessage = { conversation: "console", thread: "main", messageId, text, buttons };
    const at = messages.findIndex((m) => m.messageId === messageId);
    if (at >= 0) messages[at] = message;
    else messages.push(message);
  });
  const adapter = new ConsoleAdapter({ input, output, user });
  const typed = async (line: string) => {
    input.write(`${line}\n`);
    await new Promise<void>((resolve) => setImmediate(resolve));
  };
  return {
    adapter,
    input,
    conversation: "console",
    maxMessageLength: Number.POSITIVE_INFINITY,
    renderedBold: "bold",
    // The console has one user and one thread, and a terminal never redelivers a line.
    limits: { singleUser: { id: user.id }, singleThread: true, noRedelivery: true },
    async userMessage(o: UserMessageOptions) {
      await typed(o.text);
    },
    async click(_message: BotMessage, buttonId: string) {
      await typed(buttonId);
    },
    botMessages: () => messages,
    async close() {
      input.end();
      await adapter.done;
    },
  };
}
