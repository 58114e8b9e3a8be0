#!/usr/bin/env node

// The `vigil` command: start the service, chat with it in a terminal, and the admin
// tools that later commands add (audit, secrets, providers…).

import { randomBytes } from "node:crypto";
import { renameSync, writeFileSync } from "node:fs";
import module from "node:module";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { AuditLog, describeVerifyResult } from "./audit/index.ts";
import { ErrorCodes, isVigilError, VigilError } from "./core/errors.ts";
import { openInstallation } from "./installation.ts";
import { ProviderStore } from "./llm/index.ts";
import { providerTestCli } from "./llm/provider-commands.ts";
import { startVigil } from "./main.ts";
import { rotateSecret } from "./store/rotate-secret.ts";
import { SecretBox } from "./store/secret-box.ts";
import { HostKeyStore } from "./tools/native/host-key-store.ts";
import { VERSION } from "./version.ts";

const HELP = `vigil ${VERSION} — chat-ops with operators, approvals in chat, and an audit trail

Usage:
  vigil start            run the service (web admin page, and every chat platform configured)
  vigil chat             talk to Vigil in this terminal (reads lines from stdin; exits at end of input)
  vigil audit verify     check the audit log's hash chain; says where it was edited, if it was
  vigil audit export --jsonl [--from SEQ]
                         write the audit log as JSON lines (for a SIEM) to stdout
  vigil secrets rotate [--new-secret S]
                         re-encrypt stored credentials under a new VIGIL_SECRET
  vigil ssh forget HOST:PORT
                         forget a pinned SSH host key after an expected key change
  vigil provider test NAME [--model M]
                         make one tiny call to a model provider and explain any failure
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

/** Writes what was compiled so far to the compile cache (see vigil.mjs) in case the process is killed. */
function flushCompileCache(): void {
  module.flushCompileCache?.();
}

/** Longest a graceful shutdown may take after SIGINT/SIGTERM before Vigil exits anyway. */
const SHUTDOWN_DEADLINE_MS = 15_000;

/**
 * Runs `stop` on the first SIGINT or SIGTERM. Shutdown drains deliveries and closes connections;
 * if that hangs (a platform that never answers), Vigil still exits, and a second signal exits at once.
 */
function onStopSignal(stop: () => void): void {
  const handle = (signal: NodeJS.Signals) => {
    process.removeListener("SIGINT", handle);
    process.removeListener("SIGTERM", handle);
    process.once("SIGINT", () => process.exit(130));
    process.once("SIGTERM", () => process.exit(143));
    setTimeout(() => {
      process.stderr.write(
        `vigil: shutdown after ${signal} took over ${SHUTDOWN_DEADLINE_MS / 1000} s; exiting\n`,
      );
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    stop();
  };
  process.once("SIGINT", handle);
  process.once("SIGTERM", handle);
}

const stderrNotice = (text: string) => process.stderr.write(`${text}\n`);

function usage(message: string): never {
  throw new VigilError(ErrorCodes.USAGE, `${message} (see vigil --help)`);
}

const commands: Record<string, CommandFn> = {
  async start() {
    const vigil = await startVigil();
    flushCompileCache();
    await new Promise<void>((resolve) => onStopSignal(resolve));
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
    flushCompileCache();
    onStopSignal(() => void vigil.console?.stop());
    await vigil.console?.done;
    await vigil.hub.idle();
    await vigil.close();
    return 0;
  },

  async audit(args) {
    const [sub, ...rest] = args;
    const { values } = parseArgs({
      args: rest,
      options: { jsonl: { type: "boolean" }, from: { type: "string" } },
    });
    if (sub !== "verify" && sub !== "export") usage("use vigil audit verify or vigil audit export --jsonl");
    const { store } = openInstallation(process.env, stderrNotice);
    try {
      const audit = new AuditLog({ db: store.db });
      if (sub === "verify") {
        const result = audit.verify();
        process.stdout.write(`${describeVerifyResult(result)}\n`);
        return result.ok ? 0 : 1;
      }
      if (!values.jsonl) usage("vigil audit export needs --jsonl (the only format)");
      const fromSeq = values.from === undefined ? undefined : Number(values.from);
      if (fromSeq !== undefined && !Number.isInteger(fromSeq)) usage("--from takes a record number");
      const n = await audit.exportJsonl(process.stdout, { fromSeq });
      process.stderr.write(`exported ${n} audit records\n`);
      return 0;
    } finally {
      store.close();
    }
  },

  async ssh(args) {
    const [sub, target] = args;
    const match = /^(.+):(\d{1,5})$/.exec(target ?? "");
    if (sub !== "forget" || !match)
      usage("use vigil ssh forget HOST:PORT, e.g. vigil ssh forget 10.0.0.5:22");
    const [, host, port] = match;
    const { store } = openInstallation(process.env, stderrNotice);
    try {
      const forgotten = new HostKeyStore({ db: store.db }).forget(host, Number(port));
      new AuditLog({ db: store.db }).append({
        actor: `cli:${process.env.USER || "unknown"}`,
        source: "system",
        tool: "ssh.exec",
        decision: "info",
        reason: forgotten
          ? `pinned host key for ${host}:${port} forgotten`
          : `no host key pinned for ${host}:${port}`,
        resource: `ssh:${host}:${port}`,
      });
      process.stdout.write(
        forgotten
          ? `forgot the pinned host key for ${host}:${port}; the next connection pins the key it is offered\n`
          : `no host key is pinned for ${host}:${port}\n`,
      );
      return forgotten ? 0 : 1;
    } finally {
      store.close();
    }
  },

  async provider(args) {
    const [sub, name, ...rest] = args;
    if (sub !== "test" || !name) usage("use vigil provider test NAME");
    const { values } = parseArgs({ args: rest, options: { model: { type: "string" } } });
    const { config, box, store } = openInstallation(process.env, stderrNotice);
    try {
      // Admin-added providers replace file ones of the same name, as in the running service.
      const byName = new Map(
        [...config.providers, ...new ProviderStore({ db: store.db, box }).list()].map((p) => [p.name, p]),
      );
      const result = await providerTestCli(name, { providers: [...byName.values()], model: values.model });
      process.stdout.write(`${result.text}\n`);
      return result.ok ? 0 : 1;
    } finally {
      store.close();
    }
  },

  async secrets(args) {
    const [sub, ...rest] = args;
    if (sub !== "rotate") usage("use vigil secrets rotate");
    const { values } = parseArgs({ args: rest, options: { "new-secret": { type: "string" } } });
    const next = values["new-secret"] ?? randomBytes(32).toString("base64url");
    const newBox = new SecretBox(next);
    const { config, secret, box, store } = openInstallation(process.env, stderrNotice);
    try {
      // The new secret is on disk before the data depends on it; the rename makes it current.
      const keyFile = join(config.dataDir, "secret.key");
      const staged = `${keyFile}.new`;
      if (secret.source !== "env") writeFileSync(staged, `${next}\n`, { mode: 0o600 });
      const count = rotateSecret(store.db, box, newBox);
      if (secret.source !== "env") renameSync(staged, keyFile);
      process.stdout.write(
        `re-encrypted ${count} stored values under the new secret (key ${newBox.keyId})\n`,
      );
      if (secret.source === "env") {
        process.stdout.write(
          `VIGIL_SECRET comes from the environment: set it to the new secret now:\n${next}\n`,
        );
      } else {
        process.stdout.write(`the new secret is in ${keyFile}\n`);
      }
      process.stdout.write(
        "Admin sessions and unspent grants signed with the old secret no longer verify.\n",
      );
      return 0;
    } finally {
      store.close();
    }
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

/** Runs the command line and exits with its status; failures print as advice, not stacks. */
export function main(argv: string[] = process.argv.slice(2)): void {
  runCli(argv).then(
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

if (import.meta.main) main();
