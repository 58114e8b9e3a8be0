// Walks the audit chain in seq order and says where it was tampered with: a row edited, rows
// deleted, rows moved to another position, or a link that does not follow its predecessor.

import {
  GENESIS_HASH,
  HASH_INDEX,
  HASHED_COLUMNS,
  hashFields,
  PREV_HASH_INDEX,
  type RawAuditRow,
} from "./audit-hash.ts";

export type AuditProblemKind = "edited" | "missing" | "reordered" | "broken-chain";

/** One place where the log is not what Vigil wrote. */
export interface AuditProblem {
  seq: number;
  kind: AuditProblemKind;
  detail: string;
}

export interface VerifyResult {
  ok: boolean;
  /** Rows read. */
  checked: number;
  /** Highest seq seen (0 for an empty log). */
  lastSeq: number;
  problems: AuditProblem[];
}

export interface VerifyOptions {
  /** Highest seq the database says was ever written (sqlite_sequence); rows above the last one are missing. */
  highestSeqWritten?: number;
  /** A head recorded elsewhere earlier ({seq, hash}); the row at that seq must still carry that hash. */
  anchor?: { seq: number; hash: string };
  /** Stop collecting details after this many problems (the walk still finishes). Default 1000. */
  maxProblems?: number;
}

// Rows whose content does not match their hash are compared pairwise to tell a move from an edit;
// past this many the comparison is skipped (each is reported as edited).
const MAX_PAIRWISE = 2000;
const SEQ = 0;

/** Verifies rows given in ascending seq order. */
export function verifyChain(rows: Iterable<RawAuditRow>, opts: VerifyOptions = {}): VerifyResult {
  const maxProblems = opts.maxProblems ?? 1000;
  const problems: AuditProblem[] = [];
  const mismatched: RawAuditRow[] = [];
  let mismatchedCount = 0;
  let checked = 0;
  let expectSeq = 1;
  let prevHash = GENESIS_HASH;
  let prevMismatched = false;
  let anchorSeen = false;
  const report = (p: AuditProblem) => {
    if (problems.length < maxProblems) problems.push(p);
  };

  for (const row of rows) {
    checked++;
    const seq = row[SEQ] as number;
    const rowPrev = row[PREV_HASH_INDEX] as string;
    const rowHash = row[HASH_INDEX] as string;
    let afterGap = false;
    if (seq > expectSeq) {
      afterGap = true;
      report({
        seq: expectSeq,
        kind: "missing",
        detail:
          seq - 1 === expectSeq
            ? `record ${expectSeq} is missing: the log jumps from ${expectSeq - 1} to ${seq}`
            : `records ${expectSeq}–${seq - 1} are missing: the log jumps from ${expectSeq - 1} to ${seq}`,
      });
    }
    const selfOk = hashFields(rowPrev, row) === rowHash;
    if (!selfOk) {
      mismatchedCount++;
      if (mismatched.length < MAX_PAIRWISE) mismatched.push(row);
    } else if (rowPrev !== prevHash && !afterGap && !prevMismatched) {
      // The row is intact but does not follow its predecessor: the predecessor was rewritten with a
      // recomputed hash, or this row was forged or moved here whole.
      report({
        seq,
        kind: "broken-chain",
        detail:
          seq === 1
            ? "record 1 does not start the chain: records before it were removed and the rest renumbered, or it was forged"
            : `record ${seq} does not follow record ${seq - 1}: record ${seq - 1} was rewritten, or record ${seq} was forged or moved`,
      });
    }
    if (opts.anchor !== undefined && seq === opts.anchor.seq) {
      anchorSeen = true;
      if (rowHash !== opts.anchor.hash) {
        report({
          seq,
          kind: "edited",
          detail: `record ${seq} no longer carries the anchored hash ${opts.anchor.hash.slice(0, 12)}…: the log was rewritten from here or earlier`,
        });
      }
    }
    prevHash = rowHash;
    prevMismatched = !selfOk;
    expectSeq = seq + 1;
  }

  // Content that hashes correctly at another position was moved (rows swapped), not edited.
  const movedFrom = new Map<RawAuditRow, number>();
  if (mismatchedCount <= MAX_PAIRWISE) {
    for (const a of mismatched) {
      for (const b of mismatched) {
        if (a === b) continue;
        const asB = a.slice(0, HASHED_COLUMNS.length);
        asB[SEQ] = b[SEQ];
        // Only the fields were swapped (b's hashes stayed put), or the whole row but its seq moved.
        if (
          hashFields(b[PREV_HASH_INDEX] as string, asB) === b[HASH_INDEX] ||
          hashFields(a[PREV_HASH_INDEX] as string, asB) === a[HASH_INDEX]
        ) {
          movedFrom.set(a, b[SEQ] as number);
          break;
        }
      }
    }
  }
  for (const row of mismatched) {
    const seq = row[SEQ] as number;
    const from = movedFrom.get(row);
    report(
      from !== undefined
        ? { seq, kind: "reordered", detail: `record ${seq} holds the content written as record ${from}` }
        : {
            seq,
            kind: "edited",
            detail: `record ${seq} does not match its hash: a field was changed after it was written`,
          },
    );
  }
  if (mismatchedCount > mismatched.length) {
    report({
      seq: mismatched[mismatched.length - 1][SEQ] as number,
      kind: "edited",
      detail: `${mismatchedCount - mismatched.length} more records after this one do not match their hash`,
    });
  }

  const lastSeq = expectSeq - 1;
  if (opts.highestSeqWritten !== undefined && opts.highestSeqWritten > lastSeq) {
    report({
      seq: lastSeq + 1,
      kind: "missing",
      detail:
        opts.highestSeqWritten === lastSeq + 1
          ? `record ${lastSeq + 1}, the last one written, is missing from the end of the log`
          : `records ${lastSeq + 1}–${opts.highestSeqWritten} are missing from the end of the log`,
    });
  }
  if (opts.anchor !== undefined && !anchorSeen) {
    report({
      seq: opts.anchor.seq,
      kind: "missing",
      detail: `the anchored record ${opts.anchor.seq} is not in the log`,
    });
  }
  problems.sort((x, y) => x.seq - y.seq);
  return { ok: problems.length === 0 && mismatchedCount === 0, checked, lastSeq, problems };
}
