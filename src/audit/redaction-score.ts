// Scores a redactor against a labelled corpus: span-level precision and recall, plus the misses and
// false alarms so a failing run says which sample to look at.

import type { Finding } from "./redact.ts";
import type { CorpusEntry } from "./redaction-corpus.ts";

/** Precision/recall figures and the samples behind any error. */
export interface RedactionScore {
  precision: number;
  recall: number;
  /** Share of recalled secrets whose finding carried the labelled kind. */
  kindAccuracy: number;
  secrets: number;
  recalled: number;
  findings: number;
  correctFindings: number;
  positiveSamples: number;
  negativeSamples: number;
  misses: { text: string; kind: string; value: string }[];
  falseAlarms: { text: string; kind: string; value: string }[];
}

/**
 * Span-level scoring. A labelled secret counts as recalled when the findings together cover every one
 * of its characters (nothing of it leaks). A finding counts as correct when at least half of its
 * characters lie inside labelled secrets (it hides a secret, not mostly ordinary text).
 * recall = recalled secrets / labelled secrets; precision = correct findings / findings.
 */
export function scoreRedaction(
  redactor: { find(text: string): Finding[] },
  corpus: CorpusEntry[],
): RedactionScore {
  let secrets = 0;
  let recalled = 0;
  let kindRight = 0;
  let findingsCount = 0;
  let correct = 0;
  let positiveSamples = 0;
  const misses: RedactionScore["misses"] = [];
  const falseAlarms: RedactionScore["falseAlarms"] = [];
  for (const entry of corpus) {
    if (entry.secrets.length > 0) positiveSamples++;
    const found = redactor.find(entry.text);
    const covered = new Uint8Array(entry.text.length);
    for (const f of found) covered.fill(1, f.start, f.end);
    const labelled = new Uint8Array(entry.text.length);
    for (const s of entry.secrets) labelled.fill(1, s.start, s.end);
    for (const s of entry.secrets) {
      secrets++;
      let all = true;
      for (let i = s.start; i < s.end && all; i++) all = covered[i] === 1;
      if (all) {
        recalled++;
        if (found.some((f) => f.start < s.end && s.start < f.end && f.kind === s.kind)) kindRight++;
      } else {
        misses.push({ text: entry.text, kind: s.kind, value: entry.text.slice(s.start, s.end) });
      }
    }
    for (const f of found) {
      findingsCount++;
      let inside = 0;
      for (let i = f.start; i < f.end; i++) inside += labelled[i];
      if (inside * 2 >= f.end - f.start) correct++;
      else falseAlarms.push({ text: entry.text, kind: f.kind, value: entry.text.slice(f.start, f.end) });
    }
  }
  return {
    precision: findingsCount === 0 ? 1 : correct / findingsCount,
    recall: secrets === 0 ? 1 : recalled / secrets,
    kindAccuracy: recalled === 0 ? 1 : kindRight / recalled,
    secrets,
    recalled,
    findings: findingsCount,
    correctFindings: correct,
    positiveSamples,
    negativeSamples: corpus.length - positiveSamples,
    misses,
    falseAlarms,
  };
}
