// Vigil started with the console adapter on in-memory streams, for end-to-end tests that talk
// to it the way a person at `vigil chat` would.

import { PassThrough } from "node:stream";
import pino from "pino";
import { type RunningVigil, startVigil } from "../main.ts";
import { waitFor } from "./wait-for.ts";

export interface ConsoleSession {
  readonly vigil: RunningVigil;
  /** Everything Vigil printed so far. */
  screen(): string;
  /** Types a line and waits until the output printed after it matches `expect`; returns that output. */
  say(line: string, expect: RegExp, timeoutMs?: number): Promise<string>;
  close(): Promise<void>;
}

export async function startConsoleSession(env: NodeJS.ProcessEnv): Promise<ConsoleSession> {
  const input = new PassThrough();
  const output = new PassThrough();
  let screen = "";
  output.on("data", (d: Buffer) => {
    screen += d;
  });
  const vigil = await startVigil({
    env,
    listen: false,
    log: pino({ level: "silent" }),
    notice: () => {},
    console: { input, output },
  });
  return {
    vigil,
    screen: () => screen,
    async say(line, expect, timeoutMs = 20_000) {
      const mark = screen.length;
      input.write(`${line}\n`);
      await waitFor(() => expect.test(screen.slice(mark)), {
        what: `a reply to "${line}" matching ${expect}`,
        timeoutMs,
      }).catch((err: Error) => {
        throw new Error(`${err.message}; got:\n${screen.slice(mark, mark + 1500)}`);
      });
      return screen.slice(mark);
    },
    async close() {
      input.end();
      await vigil.close();
    },
  };
}
