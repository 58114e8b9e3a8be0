// Wiring only: config → store → core → adapters, web. Everything here is built from
// modules that own their behaviour; main decides which ones run together.

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import pino, { type Logger } from "pino";
import { ConsoleAdapter, type ConsoleAdapterOptions, createConfiguredAdapters } from "../adapters/index.ts";
import { type Config, loadConfig, loadSecret, verifySecret } from "./config/index.ts";
import { builtinCommands, ChatHub, commandRouter, type StatusSource } from "./core/index.ts";
import { openStore, type Store } from "./store/index.ts";
import { SecretBox } from "./store/secret-box.ts";
import { VERSION } from "./version.ts";
import { AdminAuth, buildWeb } from "./web/index.ts";

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  /** Run the console adapter on these streams (`vigil chat`). */
  console?: Omit<ConsoleAdapterOptions, "user"> & { user?: ConsoleAdapterOptions["user"] };
  /** Listen on the configured host and port (default true). */
  listen?: boolean;
  log?: Logger;
  /** Where first-run notices (new secret, admin token) are written; stderr by default. */
  notice?: (text: string) => void;
}

export interface RunningVigil {
  readonly config: Config;
  readonly store: Store;
  readonly hub: ChatHub;
  readonly web: FastifyInstance;
  readonly console?: ConsoleAdapter;
  /** The address the web server listens on, when it listens. */
  readonly url?: string;
  close(): Promise<void>;
}

export async function startVigil(opts: StartOptions = {}): Promise<RunningVigil> {
  const env = opts.env ?? process.env;
  const notice = opts.notice ?? ((text: string) => process.stderr.write(`${text}\n`));
  const config = loadConfig(env);
  const log = opts.log ?? pino({ level: config.log.level, base: undefined }, pino.destination(2));
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });

  const secret = loadSecret(config.dataDir, env);
  if (secret.source === "generated") {
    notice(
      `\n*** Vigil generated its secret in ${secret.path} (mode 0600).\n*** KEEP THIS FILE (or set VIGIL_SECRET to its content): stored credentials cannot be decrypted without it.\n`,
    );
  }
  const box = new SecretBox(secret.secret);
  const store = openStore(join(config.dataDir, "vigil.db"));
  try {
    verifySecret(box, store.meta, store.path);
  } catch (err) {
    store.close();
    throw err;
  }

  const auth = new AdminAuth({
    meta: store.meta,
    cookieKey: SecretBox.deriveKey(secret.secret, "admin session cookies"),
  });
  const token = auth.ensureToken();
  if (token) {
    notice(
      `\n*** Admin token (shown once, stored hashed): ${token}\n*** Log in at http://${config.server.host}:${config.server.port}/login\n`,
    );
  }

  const hub = new ChatHub({
    sessions: store.sessions,
    handledEvents: store.handledEvents,
    actions: store.actions,
    log,
  });
  const startedAt = new Date();
  const status: StatusSource = {
    version: VERSION,
    startedAt,
    adapters: () => hub.adapters().map((a) => a.status()),
    sessionCount: () => store.sessions.count(),
  };
  hub.use(commandRouter({ commands: builtinCommands(status) }));

  const configured = await createConfiguredAdapters(config, log);
  for (const adapter of configured.adapters) hub.attach(adapter);
  let consoleAdapter: ConsoleAdapter | undefined;
  if (opts.console) {
    consoleAdapter = new ConsoleAdapter({
      ...opts.console,
      user: opts.console.user ?? { id: env.USER || "console", name: env.USER || "console" },
    });
    hub.attach(consoleAdapter);
  }

  const web = await buildWeb({
    status,
    auth,
    corsOrigins: config.server.corsOrigins,
    logger: log,
    plugins: configured.webPlugins,
  });
  let url: string | undefined;
  if (opts.listen ?? true) {
    url = await web.listen({ host: config.server.host, port: config.server.port });
    log.info({ url, version: VERSION, dataDir: config.dataDir }, "Vigil is ready");
  }
  // Adapters connect in the background: a platform that is down must not delay readiness.
  const started = hub.start();
  store.handledEvents.prune();

  let closed = false;
  return {
    config,
    store,
    hub,
    web,
    console: consoleAdapter,
    url,
    async close() {
      if (closed) return;
      closed = true;
      await started;
      await hub.stop();
      await web.close();
      store.close();
    },
  };
}
