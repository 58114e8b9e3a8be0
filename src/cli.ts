#!/usr/bin/env node
// The `vigil` command: start the service, chat with it in a terminal, and the admin
// tools that later commands add (audit, secrets, providers…).

import { parseArgs } from "node:util";
import { isVigilError } from "./core/errors.ts";
import { startVigil } from "./main.ts";
import { VERSION } from "./version.ts";

const HELP = `vigil ${VERSION} — chat-ops with operators, approvals in chat, and an audit trail

Usage:
  vigil start            run the service (web admin page, and every chat platform configured)
  vigil chat             talk to Vigil in this terminal (reads lines from stdin; exits at end of input)
  vigil --help           this help
  vigil --version        print the version

Environment:
  VIGIL_DATA_DIR         where data lives (default ~/.vigil)
  VIGIL_CONFIG           config file (default <data>/vigil.yaml; see config/vigil.example.yaml)
  VIGIL_SECRET           encryption secret (default: generated into <data>/secret.key)
  VIGIL_HOST, VIGIL_PORT web admin address (default 127.0.0.1:3000)
  SLACK_BOT_TOKEN, DISCORD_TOKEN, TELEGRAM_BOT_TOKEN   turn on a chat platform
`;

type CommandFn = (args: string[]) => Promise<number>;

const commands: Record<string, CommandFn> = {
  async start() {
    const vigil = await startVigil();
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
    await vigil.close();
    return 0;
  },

  async chat(args) {
    const { values } = parseArgs({ args, options: { web: { type: "boolean", default: false } } });
    const env = { ...process.env, VIGIL_LOG_LEVEL: process.env.VIGIL_LOG_LEVEL ?? "warn" };
    const vigil = await startVigil({
      env,
      listen: values.web,
      console: { input: process.stdin, output: process.stdout },
    });
    const stop = () => void vigil.console?.stop();
    process.once("SIGINT", stop);
    await vigil.console?.done;
    await vigil.hub.idle();
    await vigil.close();
    return 0;
  },
};

export async function runCli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(HELP);
    return name === undefined ? 2 : 0;
  }
  if (name === "--version" || name === "-v") {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`vigil: unknown command "${name}"\n\n${HELP}`);
    return 2;
  }
  return command(rest);
}

if (import.meta.main) {
  runCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      if (isVigilError(err)) process.stderr.write(`vigil: ${err.message}\n  (${err.code})\n`);
      else
        process.stderr.write(
          `vigil: unexpected failure: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
        );
      process.exit(1);
    },
  );
}
