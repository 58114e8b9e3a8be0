// The admin web app: /healthz, the status page, admin login, the OpenAPI UI at /docs, the
// audit log and operators (page and JSON API). Built in a function; only main.ts listens, tests use inject().

import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyPluginAsync,
  type FastifyReply,
  type FastifyRequest,
} from "fastify";
import type { StatusSource } from "../core/builtin-commands.ts";
import { formatModelRef } from "../operators/index.ts";
import type { AdminAuth } from "./admin-auth.ts";
import { type AuditReader, registerAuditRoutes } from "./audit-routes.ts";
import { DEFAULT_NAV, escapeHtml, type NavLink, page } from "./html.ts";
import { type OperatorStore, registerOperatorRoutes } from "./operator-routes.ts";

export interface BuildWebOptions {
  status: StatusSource;
  auth: AdminAuth;
  corsOrigins?: readonly string[];
  /** Pino-compatible logger, or false for none. */
  logger?: FastifyBaseLogger;
  /** Extra routes: webhooks from adapters and incident sources, more API. */
  plugins?: readonly FastifyPluginAsync[];
  /** The audit log (`AuditLog`): adds /audit and /api/audit. */
  audit?: AuditReader;
  /** The operators (`OperatorRepository`): adds /api/operators and lists them on the status page. */
  operators?: OperatorStore;
}

const COOKIE = "vigil_admin";

const adapterStatusSchema = {
  type: "object",
  properties: {
    platform: { type: "string" },
    state: { type: "string", enum: ["stopped", "connecting", "connected", "error"] },
    since: { type: "string", format: "date-time" },
    lastError: { type: "string" },
  },
  required: ["platform", "state", "since"],
} as const;

export async function buildWeb(opts: BuildWebOptions): Promise<FastifyInstance> {
  // Fastify's instance type depends on the logger type; the app is used as the default one.
  const app = (
    opts.logger
      ? Fastify({ loggerInstance: opts.logger, bodyLimit: 1 << 20 })
      : Fastify({ logger: false, bodyLimit: 1 << 20 })
  ) as FastifyInstance;
  const { auth, status, audit, operators } = opts;
  const nav: readonly NavLink[] = audit
    ? [...DEFAULT_NAV.slice(0, 1), ["/audit", "Audit"], ...DEFAULT_NAV.slice(1)]
    : DEFAULT_NAV;

  app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  const allowed = new Set(opts.corsOrigins ?? []);
  app.addHook("onRequest", async (req, reply) => {
    const origin = req.headers.origin;
    if (origin && allowed.has(origin)) {
      reply.header("access-control-allow-origin", origin).header("vary", "origin");
      reply.header("access-control-allow-headers", "authorization, content-type");
      reply.header("access-control-allow-methods", "GET, POST, PUT, DELETE");
      if (req.method === "OPTIONS") return reply.code(204).send();
    }
  });

  await app.register(swagger, {
    openapi: {
      info: { title: "Vigil API", version: status.version },
      components: { securitySchemes: { adminToken: { type: "http", scheme: "bearer" } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: "/docs" });

  const isAdmin = (req: FastifyRequest): boolean => {
    const header = req.headers.authorization;
    if (header?.startsWith("Bearer ")) return auth.verifyToken(header.slice(7).trim());
    return auth.verifySession(readCookie(req.headers.cookie, COOKIE));
  };

  /** Guards API routes: 401 JSON without a valid token or session. */
  const requireAdmin = async (req: FastifyRequest, reply: FastifyReply) => {
    if (!isAdmin(req)) {
      return reply.code(401).send({
        error: "unauthorized",
        message: "send the admin token as 'Authorization: Bearer <token>' or log in at /login",
      });
    }
  };

  app.get(
    "/healthz",
    {
      schema: {
        summary: "Liveness and each chat adapter's state",
        response: {
          200: {
            type: "object",
            properties: {
              status: { type: "string" },
              version: { type: "string" },
              uptimeSeconds: { type: "number" },
              adapters: { type: "array", items: adapterStatusSchema },
            },
          },
        },
      },
    },
    async () => ({
      status: "ok",
      version: status.version,
      uptimeSeconds: Math.round((Date.now() - status.startedAt.getTime()) / 1000),
      adapters: status.adapters().map((a) => ({ ...a, since: a.since.toISOString() })),
    }),
  );

  app.get("/login", { schema: { hide: true } }, async (req, reply) => {
    const failed = (req.query as { failed?: string }).failed !== undefined;
    return reply.type("text/html").send(loginPage(failed, nav));
  });

  app.post("/login", { schema: { hide: true } }, async (req, reply) => {
    const token = (req.body as { token?: unknown } | undefined)?.token;
    if (typeof token !== "string" || !auth.verifyToken(token)) {
      const wantsJson = req.headers["content-type"]?.includes("application/json");
      if (wantsJson)
        return reply.code(401).send({ error: "unauthorized", message: "wrong or missing admin token" });
      return reply.code(401).type("text/html").send(loginPage(true, nav));
    }
    reply.header(
      "set-cookie",
      `${COOKIE}=${auth.issueSession()}; HttpOnly; SameSite=Strict; Path=/; Max-Age=43200`,
    );
    return reply.redirect("/", 303);
  });

  app.post("/logout", { schema: { hide: true } }, async (_req, reply) => {
    reply.header("set-cookie", `${COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`);
    return reply.redirect("/login", 303);
  });

  app.get("/", { schema: { hide: true } }, async (req, reply) => {
    if (!isAdmin(req)) return reply.redirect("/login", 303);
    return reply.type("text/html").send(statusPage(status, { operators, audit: audit !== undefined, nav }));
  });

  app.get(
    "/api/status",
    {
      preHandler: requireAdmin,
      schema: {
        summary: "Version, uptime, adapters and session count",
        security: [{ adminToken: [] }],
        response: {
          200: {
            type: "object",
            properties: {
              version: { type: "string" },
              startedAt: { type: "string", format: "date-time" },
              sessions: { type: "integer" },
              adapters: { type: "array", items: adapterStatusSchema },
            },
          },
        },
      },
    },
    async () => ({
      version: status.version,
      startedAt: status.startedAt.toISOString(),
      sessions: status.sessionCount(),
      adapters: status.adapters().map((a) => ({ ...a, since: a.since.toISOString() })),
    }),
  );

  if (audit) registerAuditRoutes(app, { audit, requireAdmin, isAdmin, nav });
  if (operators) registerOperatorRoutes(app, { operators, requireAdmin });

  for (const plugin of opts.plugins ?? []) await app.register(plugin, { requireAdmin } as never);
  return app;
}

function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return v.join("=");
  }
  return undefined;
}

function loginPage(failed: boolean, nav: readonly NavLink[]): string {
  return page(
    "Log in",
    `<h1>Log in to Vigil</h1>
${failed ? '<p class="error">That admin token is not right.</p>' : ""}
<p>Use the admin token Vigil printed on its first start.</p>
<form method="post" action="/login"><input type="password" name="token" placeholder="vgl_…" autocomplete="current-password" required><button type="submit">Log in</button></form>`,
    nav,
  );
}

function statusPage(
  status: StatusSource,
  { operators, audit, nav }: { operators?: OperatorStore; audit: boolean; nav: readonly NavLink[] },
): string {
  const rows = status
    .adapters()
    .map(
      (a) =>
        `<tr><td>${escapeHtml(a.platform)}</td><td class="${escapeHtml(a.state)}">${escapeHtml(a.state)}</td><td>${escapeHtml(a.since.toISOString())}</td><td>${escapeHtml(a.lastError ?? "")}</td></tr>`,
    )
    .join("");
  return page(
    "Status",
    `<h1>Vigil ${escapeHtml(status.version)}</h1>
<p>Up since ${escapeHtml(status.startedAt.toISOString())} · ${status.sessionCount()} sessions</p>
<h2>Chat adapters</h2>
<table id="adapters"><thead><tr><th>Platform</th><th>State</th><th>Since</th><th>Last error</th></tr></thead><tbody>${rows || '<tr><td colspan="4">No chat platform is configured. Set SLACK_BOT_TOKEN, DISCORD_TOKEN or TELEGRAM_BOT_TOKEN.</td></tr>'}</tbody></table>
${operators ? operatorsTable(operators) : ""}
${audit ? '<p>Every tool call and decision is in the <a href="/audit">audit log</a>.</p>' : ""}
<form method="post" action="/logout"><button type="submit">Log out</button></form>`,
    nav,
  );
}

function operatorsTable(operators: OperatorStore): string {
  const rows = operators
    .list()
    .map(
      (op) =>
        `<tr><td>${escapeHtml(op.name)}</td><td>${escapeHtml(op.ceiling)}</td><td>${escapeHtml(op.trust)}</td><td>${escapeHtml(formatModelRef(op.model))}</td><td>${escapeHtml(op.tools.join(", "))}</td><td>${operators.isEdited(op.name) ? "edited" : ""}</td></tr>`,
    )
    .join("");
  return `<h2>Operators</h2>
<table id="operators"><thead><tr><th>Name</th><th>Ceiling</th><th>Trust</th><th>Model</th><th>Tools</th><th>Edits</th></tr></thead><tbody>${rows || '<tr><td colspan="6">No operators are configured.</td></tr>'}</tbody></table>`;
}
