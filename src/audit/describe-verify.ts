// Turns a verify result into the text `vigil audit verify` prints.

import type { VerifyResult } from "./verify-chain.ts";

/** One line when the log is intact; otherwise one line per problem and what to do. */
export function describeVerifyResult(r: VerifyResult): string {
  if (r.ok) return `audit log intact: ${r.checked} records, chain verified through record ${r.lastSeq}`;
  const lines = [`audit log TAMPERED: ${r.problems.length} problem(s) in ${r.checked} records`];
  for (const p of r.problems) lines.push(`  record ${p.seq}: ${p.kind} — ${p.detail}`);
  lines.push(
    "The database was changed outside Vigil. Keep this copy as evidence and compare it with a backup or an exported JSONL file.",
  );
  return lines.join("\n");
}
