// Routing without a model: BM25 over each operator's name, description and tool names. When
// the best two are close the caller asks the person instead of guessing.

import type { Operator } from "./operator.ts";

export interface RankedOperator {
  readonly name: string;
  readonly score: number;
}

const STOP_WORDS = new Set(
  "a an and are as at be by can could do does for from have how i in is it me my of on or please show the this to us we what whats when where which who why will with would you your".split(
    " ",
  ),
);

/** Lowercase words; a dotted tool name also yields its parts (`docker.logs` → docker, logs). */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.toLowerCase().match(/[a-z0-9][a-z0-9._-]*/g) ?? []) {
    const word = raw.replace(/[._-]+$/, "");
    if (word.includes(".")) out.push(word);
    for (const part of word.split(/[._-]+/)) {
      if (part.length > 1 && !STOP_WORDS.has(part)) out.push(stem(part));
    }
  }
  return out;
}

// A light plural/verb stem so "containers" meets "container" and "restarting" meets "restart".
function stem(word: string): string {
  if (word.length > 5 && word.endsWith("ing")) return word.slice(0, -3);
  if (word.length > 4 && word.endsWith("es") && !word.endsWith("ses")) return word.slice(0, -2);
  if (word.length > 3 && word.endsWith("s") && !word.endsWith("ss")) return word.slice(0, -1);
  return word;
}

/** BM25 scores of `text` against every operator, best first (ties by name). */
export function rankOperators(text: string, operators: readonly Operator[]): RankedOperator[] {
  const k1 = 1.2;
  const b = 0.75;
  const docs = operators.map((op) =>
    tokenize(`${op.name} ${op.name} ${op.description} ${op.tools.join(" ")}`),
  );
  const avg = docs.reduce((n, d) => n + d.length, 0) / Math.max(1, docs.length);
  const df = new Map<string, number>();
  for (const d of docs) for (const t of new Set(d)) df.set(t, (df.get(t) ?? 0) + 1);
  const query = [...new Set(tokenize(text))];
  const n = docs.length;
  return operators
    .map((op, i) => {
      const doc = docs[i];
      let score = 0;
      for (const term of query) {
        const tf = doc.filter((t) => t === term).length;
        if (tf === 0) continue;
        const idf = Math.log(1 + (n - (df.get(term) ?? 0) + 0.5) / ((df.get(term) ?? 0) + 0.5));
        score += (idf * tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * doc.length) / avg));
      }
      return { name: op.name, score };
    })
    .sort((x, y) => y.score - x.score || x.name.localeCompare(y.name));
}

export type LexicalPick =
  | { readonly kind: "chosen"; readonly operator: string; readonly ranking: readonly RankedOperator[] }
  | {
      readonly kind: "ask";
      readonly candidates: readonly string[];
      readonly ranking: readonly RankedOperator[];
    };

/**
 * Picks the top operator when it leads clearly; otherwise the close candidates to ask about
 * (every operator, at most `maxChoices`, when nothing matched at all).
 */
export function pickLexically(
  text: string,
  operators: readonly Operator[],
  { closeRatio = 0.85, maxChoices = 4 }: { closeRatio?: number; maxChoices?: number } = {},
): LexicalPick {
  const ranking = rankOperators(text, operators);
  const top = ranking[0];
  if (!top) return { kind: "ask", candidates: [], ranking };
  if (top.score <= 0) {
    return { kind: "ask", candidates: ranking.slice(0, maxChoices).map((r) => r.name), ranking };
  }
  const close = ranking.filter((r) => r.score >= top.score * closeRatio).slice(0, maxChoices);
  if (close.length === 1) return { kind: "chosen", operator: top.name, ranking };
  return { kind: "ask", candidates: close.map((r) => r.name), ranking };
}
