// Shared fixtures for the policy tests: a real SQLite file with the policy migrations, real Tool
// implementations whose permission and resource come from their arguments, and a few users.

import { type ChildProcess, fork } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { applyMigrations, loadMigrations } from "../store/migrate.ts";
import { type Db, openDatabase } from "../store/open-database.ts";
import type { Tool } from "../tools/tool.ts";
import { ApprovalStore } from "./approval-store.ts";
import { Approvals } from "./approvals.ts";
import { GrantSigner, GrantStore, type SigningKey } from "./grants.ts";
import type { VigilUser } from "./identities.ts";
import type { PermissionLevel } from "./permission.ts";

export const KEY_A: SigningKey = { id: "k1", secret: "grant-key-one-aaaaaaaaaaaaaaaaaaaaaa" };
export const KEY_B: SigningKey = { id: "k2", secret: "grant-key-two-bbbbbbbbbbbbbbbbbbbbbb" };

export function tempDir(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), "vigil-policy-"));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Opens (and migrates) a policy database file. Only this unit's migrations, so others' work in progress cannot break these tests. */
export function openPolicyDb(path: string): Db {
  const db = openDatabase(path);
  applyMigrations(
    db,
    loadMigrations().filter((m) => /^002[0-9]-/.test(m.name)),
  );
  return db;
}

export const user = (name: string, ...roles: VigilUser["roles"]): VigilUser => ({
  id: name,
  name,
  roles,
  identities: [{ platform: "slack", platformUserId: `U-${name}` }],
});

export const ana = user("ana", "operator"); // the usual requester
export const bob = user("bob", "approver");
export const cat = user("cat", "approver");
export const dan = user("dan", "operator", "approver");
export const vic = user("vic", "viewer");
export const eve = user("eve"); // no roles

export interface ShellArgs {
  host: string;
  command: string;
  sudo?: boolean;
}

/** A real Tool: `sudo` needs elevate, otherwise exec; the resource is the host. */
export const shellTool: Tool<ShellArgs> = {
  name: "ssh.exec",
  description: "run a command over ssh",
  inputSchema: { type: "object" },
  parseArgs: (raw) => raw as ShellArgs,
  permission: (a) => (a.sudo ? "elevate" : "exec"),
  resource: (a) => `ssh:${a.host}`,
  run: async () => ({ ok: true, output: "" }),
};

/** A tool with a fixed level, for each rung of the ladder. */
export function levelTool(level: PermissionLevel, name = `t.${level}`): Tool<{ path: string }> {
  return {
    name,
    description: `${level} tool`,
    inputSchema: { type: "object" },
    parseArgs: (raw) => raw as { path: string },
    permission: () => level,
    resource: (a) => `fs:${a.path}`,
    run: async () => ({ ok: true, output: "" }),
  };
}

export interface PolicyRig {
  db: Db;
  signer: GrantSigner;
  grants: GrantStore;
  approvals: Approvals;
  clock: { now: number };
}

/** Stores and services on one connection, with a settable clock. */
export function policyRig(
  path: string,
  opts: { keys?: SigningKey[]; now?: number; maxTtlMs?: number } = {},
): PolicyRig {
  const db = openPolicyDb(path);
  const clock = { now: opts.now ?? Date.UTC(2025, 0, 31, 14, 0, 0) };
  const now = () => clock.now;
  const signer = new GrantSigner({ keys: opts.keys ?? [KEY_A] });
  const grants = new GrantStore({ db, signer, now, maxTtlMs: opts.maxTtlMs });
  const approvals = new Approvals({ store: new ApprovalStore({ db }), grants, now });
  const rig = { db, signer, grants, approvals, clock };
  return rig;
}

/** Starts `count` processes on the same database file, releases them together, and collects their results. */
export async function race<T>(
  dbPath: string,
  now: number,
  count: number,
  job: (i: number) => Record<string, unknown>,
): Promise<T[]> {
  const children = Array.from({ length: count }, () =>
    fork(fileURLToPath(new URL("./policy-race-child.ts", import.meta.url)), { stdio: "inherit" }),
  );
  const deadline = AbortSignal.timeout(20_000);
  const next = (c: ChildProcess) =>
    new Promise<unknown>((resolve, reject) => {
      const onExit = (code: number | null) =>
        reject(new Error(`race child exited with ${code} before answering`));
      c.once("exit", onExit);
      c.once("message", (m) => {
        c.off("exit", onExit);
        resolve(m);
      });
      deadline.addEventListener("abort", () => reject(new Error("race child timed out")), { once: true });
    });
  try {
    const ready = children.map(next);
    for (const [i, c] of children.entries()) c.send({ dbPath, now, ...job(i) });
    await Promise.all(ready);
    const results = children.map(next);
    for (const c of children) c.send("go");
    return (await Promise.all(results)) as T[];
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill();
  }
}
