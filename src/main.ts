// Wiring only: config → store → core → policy, tools, operators → adapters, web. Everything
// here is built from modules that own their behaviour; main decides which ones run together.

import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import pino, { type Logger } from "pino";
import { ConsoleAdapter, type ConsoleAdapterOptions, createConfiguredAdapters } from "../adapters/index.ts";
import { AuditLog, createRedactor } from "./audit/index.ts";
import type { Config } from "./config/index.ts";
import {
  builtinCommands,
  type ChatContext,
  ChatHub,
  commandRouter,
  type StatusSource,
} from "./core/index.ts";
import { openInstallation } from "./installation.ts";
import { createLlmClient, type ProviderConfig, ProviderStore } from "./llm/index.ts";
import { providerCommands } from "./llm/provider-commands.ts";
import { loadOperatorsFromDir, type ModelRef, OperatorRepository } from "./operators/index.ts";
import { createOrchestrator, TaskRepository, ToolRegistry } from "./orchestrator/index.ts";
import { accessCommands } from "./policy/access-commands.ts";
import { hasRole } from "./policy/identities.ts";
import { createPolicyService } from "./policy/policy-service.ts";
import type { Store } from "./store/index.ts";
import { SecretBox } from "./store/secret-box.ts";
import { McpHub, McpSchemaStore } from "./tools/mcp/index.ts";
import { mcpCommands } from "./tools/mcp/mcp-commands.ts";
import { loadMcpServers, McpServerRepository } from "./tools/mcp/mcp-server-repository.ts";
import { HostKeyStore, nativeTools } from "./tools/native/index.ts";
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
  readonly audit: AuditLog;
  readonly console?: ConsoleAdapter;
  /** The address the web server listens on, when it listens. */
  readonly url?: string;
  close(): Promise<void>;
}

const VIGIL_ROOT = join(import.meta.dirname, "..");
const SHIPPED_OPERATORS = join(VIGIL_ROOT, "config", "operators");

export async function startVigil(opts: StartOptions = {}): Promise<RunningVigil> {
  const env = opts.env ?? process.env;
  const notice = opts.notice ?? ((text: string) => process.stderr.write(`${text}\n`));
  const { config, secret, box, store } = openInstallation(env, notice);
  const log = opts.log ?? pino({ level: config.log.level, base: undefined }, pino.destination(2));
  const { db } = store;

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

  const redactor = createRedactor();
  const redact = (text: string) => redactor.redact(text).text;
  const audit = new AuditLog({ db, redactor });
  const hub = new ChatHub({
    ...store, // sessions, handled deliveries, actions and the transaction the hub needs
    log,
    redact,
  });

  // Operators and the tools each may use.
  const defaults = [
    ...loadOperatorsFromDir(SHIPPED_OPERATORS, { dataDir: config.dataDir }),
    ...(config.operators.dir ? loadOperatorsFromDir(config.operators.dir, { dataDir: config.dataDir }) : []),
  ];
  // Native tools are bound to an operator's working directory, so an edit rebinds them.
  const operators: OperatorRepository = new OperatorRepository({
    db,
    defaults,
    dataDir: config.dataDir,
    audit,
    onChange: (name) => bindNativeTools(name),
  });
  const registry = new ToolRegistry();
  // dockerode is loaded only where a Docker engine exists: it costs memory at start.
  const docker = existsSync(config.docker.socketPath)
    ? new (await import("dockerode")).default({ socketPath: config.docker.socketPath })
    : undefined;
  const hostKeys = new HostKeyStore({ db });
  const sshCredentials = ({ host, port, user }: { host: string; port: number; user: string }) => {
    const c = config.ssh.credentials.find((x) => x.host === host && x.port === port && x.user === user);
    return c && { privateKey: readFileSync(c.privateKeyFile) };
  };
  function bindNativeTools(name: string): void {
    registry.clearOperator(name);
    const op = operators.get(name);
    if (!op) return;
    try {
      mkdirSync(op.workingDirectory, { recursive: true, mode: 0o700 });
    } catch (err) {
      log.warn(
        { err, operator: name, dir: op.workingDirectory },
        "cannot create the operator's working directory",
      );
    }
    const tools = nativeTools({
      workingDirectory: op.workingDirectory,
      docker,
      hostKeys,
      sshCredentials,
      log,
    });
    for (const tool of tools) registry.register(tool, { operator: name });
  }
  for (const op of operators.list()) bindNativeTools(op.name);
  const mcp = new McpHub({
    servers: loadMcpServers({ db, configured: config.mcp.servers }),
    pins: new McpSchemaStore({ db }),
    log,
    // Packages installed beside Vigil are found (and run with its node) before npx is tried.
    cwd: VIGIL_ROOT,
  });
  // A rescan replaces a server's tools: those it no longer lists leave the registry.
  const mcpToolNames = new Map<string, readonly string[]>();
  mcp.onToolsChanged((event) => {
    for (const name of mcpToolNames.get(event.server) ?? []) registry.unregister(name);
    for (const tool of event.tools) registry.registerMcp(tool);
    mcpToolNames.set(
      event.server,
      event.tools.map((t) => t.name),
    );
  });

  // Models: providers from the config file, then those added by admin command (keys sealed at rest).
  const providerStore = new ProviderStore({ db, box });
  const providers = new Map<string, ProviderConfig>();
  for (const p of [...config.providers, ...providerStore.list()]) providers.set(p.name, p);
  const llmFor = (ref: ModelRef) => {
    const provider = providers.get(ref.provider);
    return provider && createLlmClient({ ...provider, model: ref.model });
  };

  const policy = createPolicyService({
    db,
    secrets: [secret.secret],
    users: withConsoleAdmin(config, env),
    settings: {
      grantTtlMs: config.policy.grantTtlMinutes * 60_000,
      grantMaxTtlMs: config.policy.grantMaxTtlMinutes * 60_000,
      approvalTtlMs: config.policy.approvalTtlMinutes * 60_000,
      elevateApprovals: config.policy.elevateApprovals,
      approvalsChannel: config.policy.approvalsChannel,
      toolTimeoutMs: config.policy.toolTimeoutSeconds * 1000,
      trust: config.policy.trust,
    },
    audit,
    redact,
    hub,
    resolveCall: (operatorName, toolName) => {
      const operator = operators.get(operatorName);
      const tool = operator && registry.get(toolName, operatorName);
      return operator && tool ? { operator, tool } : undefined;
    },
    log,
  });
  policy.invoker.start();

  const me = (ctx: ChatContext) => policy.identities.resolve(ctx.event.platform, ctx.event.user.id);
  const isAdmin = (ctx: ChatContext) => hasRole(me(ctx), "admin");
  const canView = (ctx: ChatContext) => hasRole(me(ctx), "viewer");
  const actorOf = (ctx: ChatContext) => me(ctx)?.name ?? `${ctx.event.platform}:${ctx.event.user.id}`;
  const orchestrator = createOrchestrator({
    operators,
    registry,
    invoker: policy.invoker,
    llmFor,
    redact,
    tasks: new TaskRepository({ db }),
    sessions: store.sessions,
    log,
    routerModel: parseModelRef(config.models.router),
    defaultModel: parseModelRef(config.models.default),
    isAdmin,
  });
  const adminCommands = [
    ...accessCommands({
      identities: policy.identities,
      approvals: policy.approvals,
      grants: policy.grants,
      audit,
      operatorNames: () => operators.list().map((o) => o.name),
    }),
    ...mcpCommands({
      hub: mcp,
      servers: new McpServerRepository({ db }),
      configured: config.mcp.servers,
      isAdmin,
      canView,
      actorOf,
      audit,
      onRemoved: (_server, tools) => {
        for (const tool of tools) registry.unregister(tool.name);
      },
    }),
    ...providerCommands({
      store: providerStore,
      configured: config.providers,
      isAdmin,
      canView,
      actorOf,
      audit,
      onChange: (name, provider) => (provider ? providers.set(name, provider) : providers.delete(name)),
    }),
  ];

  const startedAt = new Date();
  const status: StatusSource = {
    version: VERSION,
    startedAt,
    adapters: () => hub.adapters().map((a) => a.status()),
    sessionCount: () => store.sessions.count(),
  };
  hub.use(
    commandRouter({
      commands: [
        ...builtinCommands(status, () => [...orchestrator.commands, ...adminCommands]),
        ...orchestrator.commands,
        ...adminCommands,
      ],
      passFreeText: true,
    }),
  );
  hub.use(orchestrator.middleware);
  orchestrator.registerActions(hub);

  const configured = await createConfiguredAdapters(config, log);
  for (const adapter of configured.adapters) hub.attach(adapter);
  let consoleAdapter: ConsoleAdapter | undefined;
  if (opts.console) {
    consoleAdapter = new ConsoleAdapter({ ...opts.console, user: opts.console.user ?? consoleUser(env) });
    hub.attach(consoleAdapter);
  }

  const web = await buildWeb({
    status,
    auth,
    corsOrigins: config.server.corsOrigins,
    logger: log,
    plugins: configured.webPlugins,
    audit,
    operators,
  });
  let url: string | undefined;
  if (opts.listen ?? true) {
    url = await web.listen({ host: config.server.host, port: config.server.port });
    log.info({ url, version: VERSION, dataDir: config.dataDir }, "Vigil is ready");
  }
  // Adapters and MCP servers connect in the background: a platform that is down must not delay readiness.
  const started = hub.start();
  const mcpStarted = mcp.start().catch((err: unknown) => log.error({ err }, "MCP servers failed to start"));
  store.handledEvents.prune();

  let closed = false;
  return {
    config,
    store,
    hub,
    web,
    audit,
    console: consoleAdapter,
    url,
    async close() {
      if (closed) return;
      closed = true;
      await started;
      await mcpStarted;
      orchestrator.stopAll();
      policy.invoker.stop();
      await hub.stop();
      await orchestrator.idle();
      await mcp.close();
      await web.close();
      store.close();
    },
  };
}

function parseModelRef(ref: string | undefined): ModelRef | undefined {
  if (!ref) return undefined;
  const slash = ref.indexOf("/");
  return { provider: ref.slice(0, slash), model: ref.slice(slash + 1) };
}

function consoleUser(env: NodeJS.ProcessEnv) {
  const name = env.USER || env.LOGNAME || "console";
  return { id: name, name };
}

/**
 * Whoever runs `vigil chat` already has this machine's shell, so unless the config says who the
 * console user is, they are its admin (and an approver, so local work is not blocked).
 */
function withConsoleAdmin(config: Config, env: NodeJS.ProcessEnv): Config["access"] {
  const access = config.access;
  if (access.users.some((u) => (u.console ?? []).length > 0)) return access;
  const { id } = consoleUser(env);
  if (access.users.some((u) => u.name === id)) return access;
  return {
    ...access,
    users: [...access.users, { name: id, roles: ["admin", "operator", "approver"], console: [id] }],
  };
}
