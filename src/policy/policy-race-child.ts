// Test child process: opens its own connection to the shared database file, says it is ready,
// and on "go" consumes a grant or clicks an approval, then reports what happened.
// A process, not a worker thread: better-sqlite3 12 can abort at worker teardown on Node 24.

import type { BoundCall, Grant } from "./grants.ts";
import type { VigilUser } from "./identities.ts";
import { KEY_A, policyRig } from "./policy-test-kit.ts";

export interface RaceJob {
  dbPath: string;
  now: number;
  op: "consume" | "decide";
  grant?: Grant;
  call?: BoundCall;
  approvalId?: string;
  clicker?: VigilUser;
}

process.once("message", (job: RaceJob) => {
  const rig = policyRig(job.dbPath, { keys: [KEY_A], now: job.now });
  process.once("message", () => {
    let result: unknown;
    if (job.op === "consume") {
      const r = rig.grants.consume(job.grant!, job.call!);
      result = r.ok ? { ok: true } : { ok: false, code: r.code };
    } else {
      const r = rig.approvals.decide(job.approvalId!, "approve", job.clicker);
      result = { outcome: r.outcome, code: r.outcome === "refused" ? r.code : undefined };
    }
    rig.db.close();
    process.send!(result, () => process.disconnect?.());
  });
  process.send!("ready");
});
