// The one redactor for secrets and PII, applied to tool output and arguments before they reach the
// model, the chat or the audit log (security invariant 5).

import { buildDetectors, type Detector } from "./detectors.ts";
import {
  classifySecretName,
  DEFAULT_ENTROPY_THRESHOLD,
  isPlaceholder,
  type SecretNameClass,
} from "./secret-names.ts";

/** One sensitive span found in the input, in UTF-16 offsets of the original text. */
export interface Finding {
  kind: string;
  start: number;
  end: number;
}

/** The redacted text and what was replaced. */
export interface RedactResult {
  text: string;
  findings: Finding[];
}

/** Options for {@link Redactor}. */
export interface RedactorOptions {
  /** Kinds to leave alone (e.g. `["phone"]` where phone numbers are expected output). */
  disabled?: string[];
  /** Extra detectors: any match of `pattern` (made global) is redacted as `kind`. */
  extra?: { kind: string; pattern: RegExp }[];
  /** Bits per character a value next to a key/token name needs to count as a secret. Default 3.0. */
  entropyThreshold?: number;
  /** Builds the replacement; default `[REDACTED:<kind>]`. */
  replacement?: (kind: string) => string;
  /** Text past this length is dropped (never passed through unscanned), bounding the cost. Default 1 MiB. */
  maxLength?: number;
}

interface Candidate extends Finding {
  priority: number;
}

/** Finds and replaces secrets (keys, tokens, passwords, private keys) and PII (emails, cards, SSNs, phones). */
export class Redactor {
  readonly #detectors: Detector[];
  readonly #replacement: (kind: string) => string;
  readonly #maxLength: number;
  readonly #keyClasses = new Map<string, SecretNameClass | null>();

  constructor(opts: RedactorOptions = {}) {
    const disabled = new Set(opts.disabled ?? []);
    const detectors = buildDetectors({
      entropyThreshold: opts.entropyThreshold ?? DEFAULT_ENTROPY_THRESHOLD,
    });
    for (const e of opts.extra ?? []) {
      const flags = new Set(`${e.pattern.flags}gd`);
      detectors.push({ kind: e.kind, priority: 1, re: new RegExp(e.pattern.source, [...flags].join("")) });
    }
    this.#detectors = detectors.filter((d) => !disabled.has(d.kind));
    this.#replacement = opts.replacement ?? ((kind) => `[REDACTED:${kind}]`);
    this.#maxLength = opts.maxLength ?? 1 << 20;
  }

  /** Finds the sensitive spans in `text` without changing it; spans are sorted and do not overlap. */
  find(text: string): Finding[] {
    if (text.length < 6) return [];
    const input = text.length > this.#maxLength ? text.slice(0, this.#maxLength) : text;
    const candidates: Candidate[] = [];
    for (const d of this.#detectors) {
      const hint = d.hint;
      if (hint !== undefined && (typeof hint === "string" ? !input.includes(hint) : !hint.test(input)))
        continue;
      const re = d.re;
      re.lastIndex = 0;
      for (let m = re.exec(input); m !== null; m = re.exec(input)) {
        if (m[0].length === 0) {
          re.lastIndex++;
          continue;
        }
        let kind = d.kind;
        if (d.check !== undefined) {
          const verdict = d.check(m, input);
          if (verdict === false) continue;
          if (typeof verdict === "string") kind = verdict;
        }
        let span: [number, number] | undefined = m.indices?.[0];
        if (d.groups !== undefined) {
          span = undefined;
          for (const g of d.groups) {
            const s = m.indices?.[g];
            if (s !== undefined) {
              span = s;
              break;
            }
          }
        }
        if (span !== undefined && span[1] > span[0]) {
          candidates.push({ kind, start: span[0], end: span[1], priority: d.priority });
        }
      }
    }
    return resolveOverlaps(candidates);
  }

  /** Replaces every sensitive span in `text` with `[REDACTED:<kind>]`. */
  redact(text: string): RedactResult {
    const findings = this.find(text);
    let tail = "";
    if (text.length > this.#maxLength) {
      tail = `[…${text.length - this.#maxLength} more characters dropped unscanned]`;
      text = text.slice(0, this.#maxLength);
    }
    if (findings.length === 0) return { text: text + tail, findings };
    let out = "";
    let at = 0;
    for (const f of findings) {
      out += text.slice(at, f.start) + this.#replacement(f.kind);
      at = f.end;
    }
    out += text.slice(at) + tail;
    return { text: out, findings };
  }

  /**
   * Redacts a JSON-like value deeply: every string is scanned, and values under secret-like keys
   * (password, token, secret, api_key, authorization …) are replaced whole. Returns a copy.
   */
  redactValue(value: unknown): unknown {
    return this.#redactValue(value, 0);
  }

  // Argument objects repeat the same few keys; remember how each was classified.
  #classify(key: string): SecretNameClass | null {
    let cls = this.#keyClasses.get(key);
    if (cls === undefined) {
      if (this.#keyClasses.size >= 4096) this.#keyClasses.clear();
      cls = classifySecretName(key);
      this.#keyClasses.set(key, cls);
    }
    return cls;
  }

  #redactValue(value: unknown, depth: number): unknown {
    if (typeof value === "string") return this.redact(value).text;
    if (value === null || typeof value !== "object") return value;
    // Deeper than any real tool argument: cut rather than recurse without bound.
    if (depth > 32) return "[REDACTED:too-deep]";
    if (Array.isArray(value)) return value.map((v) => this.#redactValue(v, depth + 1));
    // fromEntries defines own properties: a "__proto__" key from JSON.parse stays data.
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => {
        const cls = this.#classify(k);
        return [
          k,
          cls !== null && isSecretLeaf(v) ? this.#replacement(cls) : this.#redactValue(v, depth + 1),
        ];
      }),
    );
  }
}

function isSecretLeaf(v: unknown): boolean {
  if (typeof v === "number") return true;
  return typeof v === "string" && !isPlaceholder(v.trim());
}

// Keeps the most specific finding where detectors overlap (a GitHub token inside `TOKEN=…` is a
// github-token), then the earliest, then the longest.
function resolveOverlaps(candidates: Candidate[]): Finding[] {
  if (candidates.length <= 1) {
    return candidates.map(({ kind, start, end }) => ({ kind, start, end }));
  }
  candidates.sort((a, b) => a.priority - b.priority || a.start - b.start || b.end - a.end);
  const kept: Finding[] = [];
  for (const c of candidates) {
    if (kept.some((k) => c.start < k.end && k.start < c.end)) continue;
    kept.push({ kind: c.kind, start: c.start, end: c.end });
  }
  kept.sort((a, b) => a.start - b.start);
  return kept;
}

/** Builds a redactor; same as `new Redactor(opts)`. */
export function createRedactor(opts?: RedactorOptions): Redactor {
  return new Redactor(opts);
}
