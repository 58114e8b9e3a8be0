// The table of secret and PII detectors the redactor runs: one precompiled regex each, an optional
// capture group that holds the sensitive part, and an optional check that rejects look-alikes.

import { classifySecretName, looksSecretValue, nameWords, shannonEntropy } from "./secret-names.ts";

/** One detector: `re` is global with indices (`dg`) so capture groups can mark the sensitive part. */
export interface Detector {
  kind: string;
  /** Lower wins when two findings overlap: specific token formats beat generic rules. */
  priority: number;
  re: RegExp;
  /** Something every match contains; text without it skips `re` entirely (most text lacks most hints). */
  hint?: string | RegExp;
  /** Capture groups that may hold the sensitive part; the first that matched wins. Default: whole match. */
  groups?: number[];
  /** Returns false to drop a match, or a kind to relabel it. */
  check?: (m: RegExpExecArray, text: string) => boolean | string;
}

/** Options the detector table depends on. */
export interface DetectorOptions {
  entropyThreshold: number;
}

// Characters that continue a token; used for "not inside a longer token" lookarounds.
const T = "A-Za-z0-9_\\-";

function base64urlDecode(s: string): string {
  return Buffer.from(s, "base64url").toString("latin1");
}

/** Luhn checksum over a digit string. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

// Issuer prefixes and lengths of the major card networks; a Luhn-valid number outside them is an id.
function cardIssuerValid(d: string): boolean {
  const n = d.length;
  const p2 = Number(d.slice(0, 2));
  const p3 = Number(d.slice(0, 3));
  const p4 = Number(d.slice(0, 4));
  if (d[0] === "4") return n === 13 || n === 16 || n === 19; // Visa
  if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) return n === 16; // Mastercard
  if (p2 === 34 || p2 === 37) return n === 15; // Amex
  if (p4 === 6011 || p2 === 65 || (p3 >= 644 && p3 <= 649)) return n >= 16 && n <= 19; // Discover
  if (p4 >= 3528 && p4 <= 3589) return n >= 16 && n <= 19; // JCB
  if (p2 === 36 || p2 === 38 || (p3 >= 300 && p3 <= 305)) return n >= 14 && n <= 19; // Diners
  if (p2 === 62) return n >= 16 && n <= 19; // UnionPay
  return false;
}

function cardCheck(m: RegExpExecArray): boolean {
  const raw = m[0];
  const digits = raw.replace(/[ -]/g, "");
  if (digits.length < 13 || digits.length > 19) return false;
  const seps = raw.match(/[ -]/g);
  if (seps !== null) {
    // Grouped numbers must be grouped like cards (4-4-4-4, 4-6-5) with one kind of separator.
    if (new Set(seps).size !== 1) return false;
    const groups = raw.split(/[ -]/).map((g) => g.length);
    const shape = groups.join("-");
    const fours = groups.slice(0, -1).every((g) => g === 4) && groups[groups.length - 1] <= 4;
    if (!fours && shape !== "4-6-5" && shape !== "4-6-4") return false;
  }
  return cardIssuerValid(digits) && luhnValid(digits);
}

function ssnCheck(m: RegExpExecArray): boolean {
  const area = Number(m[1]);
  const group = Number(m[3]);
  const serial = Number(m[4]);
  if (area === 0 || area === 666 || area >= 900) return false;
  if (group === 0 || serial === 0) return false;
  // Numbers the SSA published in advertising; never issued to a person.
  if (m[0].startsWith("078-05-1120") || m[0].startsWith("219-09-9999")) return false;
  return true;
}

function digitCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) n++;
  }
  return n;
}

const FILE_EXTENSIONS = new Set(
  "png jpg jpeg gif svg webp ico bmp css js mjs cjs ts tsx jsx json yaml yml toml xml html htm md txt log lock py rb go rs java kt c h cpp sh zip gz tgz tar so dll exe wasm map pdf".split(
    " ",
  ),
);

function emailCheck(m: RegExpExecArray, text: string): boolean {
  const at = m[0].lastIndexOf("@");
  const domain = m[0].slice(at + 1);
  const tld = domain.slice(domain.lastIndexOf(".") + 1).toLowerCase();
  if (FILE_EXTENSIONS.has(tld)) return false; // icon@2x.png
  const end = m.index + m[0].length;
  // git@github.com:org/repo.git is an SSH remote, not a mailbox.
  if (text[end] === ":" && end + 1 < text.length && !/\s/.test(text[end + 1])) return false;
  // `ssh deploy@web-1.prod.example.com` names a login on a host.
  const before = text.slice(Math.max(0, m.index - 40), m.index);
  if (/\b(?:ssh|scp|sftp|rsync|mosh|ssh-copy-id)\s+(?:-\S+\s+(?:\S+\s+)?)*$/.test(before)) return false;
  return true;
}

function phoneCheck(m: RegExpExecArray): boolean {
  const n = digitCount(m[0]);
  return n >= 8 && n <= 15;
}

function nanpCheck(m: RegExpExecArray): boolean {
  const digits = m[0].replace(/\D/g, "");
  const ten = digits.length === 11 ? digits.slice(1) : digits;
  if (ten.length !== 10) return false;
  // North American area codes and exchanges start with 2-9.
  return ten[0] >= "2" && ten[3] >= "2";
}

function jwtCheck(m: RegExpExecArray): boolean {
  try {
    const header = JSON.parse(base64urlDecode(m[1]));
    return typeof header === "object" && header !== null && ("alg" in header || "typ" in header);
  } catch {
    return false;
  }
}

function discordCheck(m: RegExpExecArray): boolean {
  // The first part of a bot token is the bot's user id (a snowflake) in base64.
  return /^\d{17,20}$/.test(base64urlDecode(m[1]));
}

function mixedCase(s: string): boolean {
  return /[a-z]/.test(s) && /[A-Z]/.test(s) && /\d/.test(s);
}

function assignmentCheck(opts: DetectorOptions) {
  return (m: RegExpExecArray): boolean | string => {
    const name = m[1];
    const value = m[3] ?? m[4] ?? m[5] ?? "";
    const cls = classifySecretName(name);
    if (cls === null) return false;
    const words = nameWords(name);
    // `Authorization: Bearer x` — the scheme word is not the secret; the bearer detector takes the token.
    if (words.includes("authorization") && /^(?:bearer|basic|token|bot|digest|negotiate)$/i.test(value)) {
      return false;
    }
    if (!looksSecretValue(value, cls, words, opts.entropyThreshold)) return false;
    if (cls === "password") return "password";
    if (/^[A-Za-z0-9/+]{40}$/.test(value) && (words.includes("aws") || words.includes("access"))) {
      return "aws-secret-key";
    }
    return "secret";
  };
}

// Names that may hold a secret; the full check happens in classifySecretName.
const NAME_HINT = "(?:pass|pwd|secret|token|key|auth|credential|bearer)";
// An assignment: NAME = value, NAME: value, "NAME": "value", export NAME=value, --name=value, --name value.
const ASSIGNMENT = new RegExp(
  `(?<![\\w.-])(?:--?)?([A-Za-z0-9_.-]*${NAME_HINT}[A-Za-z0-9_.-]*)(["']?)` +
    `(?:\\s*(?:=|:=|=>|:)\\s*|(?<=--[\\w-]+)\\s+)` +
    `(?:"((?:[^"\\\\\\r\\n]|\\\\.){1,500})"|'([^'\\r\\n]{1,500})'|([^\\s"',;&}{)\\]<>]{1,500}))`,
  "dgi",
);

/** Builds the detector table. Priorities: key material and provider formats first, generic rules last. */
export function buildDetectors(opts: DetectorOptions): Detector[] {
  return [
    {
      kind: "private-key",
      hint: "-----BEGIN",
      priority: 0,
      re: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|$)/dg,
    },
    {
      kind: "jwt",
      hint: "eyJ",
      priority: 1,
      re: new RegExp(
        `(?<![${T}])(eyJ[${T}]{6,})\\.(eyJ[${T}]{6,}|[${T}]{8,})\\.[${T}]{0,1000}(?![${T}])`,
        "dg",
      ),
      check: jwtCheck,
    },
    {
      kind: "aws-access-key",
      hint: /A(?:KI|SI|BI|CC)A/,
      priority: 1,
      // Access key ids only; AIDA/AROA… are user and role ids, which are not secret.
      re: /(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])/dg,
      // AWS documentation keys (AKIAIOSFODNN7EXAMPLE) are published placeholders.
      check: (m) => !m[0].endsWith("EXAMPLE"),
    },
    {
      kind: "gcp-api-key",
      hint: "AIza",
      priority: 1,
      re: new RegExp(`(?<![${T}])AIza[${T}]{35}(?![${T}])`, "dg"),
    },
    {
      kind: "github-token",
      hint: /gh[pousr]_|github_pat_/,
      priority: 1,
      re: /(?<![A-Za-z0-9_])(?:(?:ghp|gho|ghs|ghu|ghr)_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})(?![A-Za-z0-9_])/dg,
    },
    { kind: "gitlab-token", hint: "glpat-", priority: 1, re: /(?<![\w-])glpat-[\w-]{20,}(?![\w-])/dg },
    { kind: "npm-token", hint: "npm_", priority: 1, re: /(?<![\w])npm_[A-Za-z0-9]{36}(?![\w])/dg },
    {
      kind: "slack-webhook",
      hint: "hooks.slack.com",
      priority: 1,
      re: /https:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9_/-]{8,}/dg,
    },
    {
      kind: "slack-token",
      hint: /xox|xapp/,
      priority: 1,
      re: /(?<![\w-])(?:xox[abposre]-[0-9A-Za-z-]{10,250}|xapp-\d-[0-9A-Za-z-]{10,250})(?![\w-])/dg,
    },
    {
      kind: "discord-webhook",
      hint: "/webhooks/",
      priority: 1,
      re: /https:\/\/(?:(?:ptb|canary)\.)?discord(?:app)?\.com\/api\/(?:v\d+\/)?webhooks\/\d+\/[\w-]{20,}/dg,
    },
    {
      kind: "discord-token",
      hint: ".",
      priority: 1,
      re: new RegExp(`(?<![${T}.])([MNO][${T}]{23,27})\\.[${T}]{6}\\.[${T}]{27,40}(?![${T}.])`, "dg"),
      check: discordCheck,
    },
    {
      kind: "telegram-bot-token",
      hint: ":",
      priority: 1,
      // `bot<token>` in Bot API URLs, so only digits may not precede it.
      re: new RegExp(`(?<![0-9])[0-9]{8,10}:[${T}]{35}(?![${T}])`, "dg"),
    },
    {
      kind: "anthropic-key",
      hint: "sk-ant-",
      priority: 1,
      re: new RegExp(`(?<![${T}])sk-ant-(?:api|admin|oat)\\d{2}-[${T}]{32,}(?![${T}])`, "dg"),
    },
    {
      kind: "openai-key",
      hint: "sk-",
      priority: 2,
      re: new RegExp(`(?<![${T}])sk-(?:proj-|svcacct-|admin-)?([${T}]{20,})(?![${T}])`, "dg"),
      // `sk-learn-compatible-models` is prose; real keys mix cases and digits.
      check: (m) => mixedCase(m[1]),
    },
    {
      kind: "stripe-key",
      hint: /_(?:live|test)_|whsec_/,
      priority: 1,
      re: /(?<![\w])(?:(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,247}|whsec_[A-Za-z0-9+/=]{24,})(?![\w])/dg,
    },
    {
      kind: "url-password",
      hint: "://",
      priority: 2,
      // Unencoded '?' and '#' are allowed in the password: people paste them raw, and leaking beats a rare miss.
      re: /(?<![\w+.-])[a-z][a-z0-9+.-]{1,30}:\/\/[^\s:/?#@"'<>]{0,128}:([^\s/@"'<>]{1,256})@/dgi,
      groups: [1],
      check: (m) => !/^(?:\$\{?[\w.]+\}?|\*+|<[^>]*>|x+|\d{1,5}(?:[?#].*)?)$/i.test(m[1]),
    },
    {
      kind: "password",
      priority: 2,
      // curl -u user:pass, wget --user user --password … (the latter is an assignment)
      hint: /-u|--user/,
      re: /(?<!\S)(?:-u|--user)\s+['"]?[^\s:'"]{1,64}:([^\s'"]{1,256})/dg,
      groups: [1],
      check: (m) => !/^\$\{?\w+\}?$/.test(m[1]),
    },
    {
      kind: "password",
      priority: 2,
      // .netrc: machine HOST login USER password PASS
      hint: "machine",
      re: /\bmachine\s+\S+\s+login\s+\S+\s+password\s+(\S+)/dg,
      groups: [1],
    },
    {
      kind: "bearer-token",
      hint: /bearer|basic/i,
      priority: 3,
      re: /\b(bearer|basic)\s+([A-Za-z0-9._~+/-]{8,}=*)/dgi,
      groups: [2],
      check: (m) => {
        const v = m[2];
        // Basic carries base64("user:password"); Bearer carries an opaque, random-looking token.
        if (m[1].toLowerCase() === "basic") return Buffer.from(v, "base64").toString("latin1").includes(":");
        const classes = Number(/[a-z]/.test(v)) + Number(/[A-Z]/.test(v)) + Number(/\d/.test(v));
        return classes >= 2 && shannonEntropy(v) >= 3;
      },
    },
    {
      kind: "secret",
      hint: /pass|pwd|secret|token|key|auth|credential|bearer/i,
      priority: 4,
      re: ASSIGNMENT,
      groups: [3, 4, 5],
      check: assignmentCheck(opts),
    },
    {
      kind: "email",
      hint: "@",
      priority: 5,
      re: /(?<![\w.%+/-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![\w-])/dg,
      check: emailCheck,
    },
    {
      kind: "credit-card",
      hint: /\d{4}/,
      priority: 5,
      re: /(?<![\w.+-])(?:[2-6]\d{12,18}|[2-6]\d{3}([ -])\d{4,6}\1\d{4,5}(?:\1\d{1,4})?)(?![\w]|[.-]\d)/dg,
      check: cardCheck,
    },
    {
      kind: "ssn",
      priority: 5,
      hint: "-",
      re: /(?<![\w.-])(\d{3})(-)(\d{2})-(\d{4})(?![\w-]|\.\d)/dg,
      check: ssnCheck,
    },
    {
      kind: "ssn",
      priority: 5,
      hint: /ssn|social/i,
      re: /\b(?:ssn|social[ _-]?security(?:[ _-]?(?:number|no))?)["']?\s*[:=#]?\s*["']?(\d{9})(?!\d)/dgi,
      groups: [1],
      check: (m) => ssnCheck(/^(\d{3})()(\d{2})(\d{4})$/.exec(m[1]) as RegExpExecArray),
    },
    {
      kind: "phone",
      priority: 6,
      // International: +<country> then digits with the usual separators.
      hint: "+",
      re: /(?<![\w+./-])\+[1-9](?:[ .-]?\(?\d{1,4}\)?){1,2}(?:[ .-]?\d{2,5}){1,4}(?![\w]|[.:-]\d)/dg,
      check: phoneCheck,
    },
    {
      kind: "phone",
      priority: 6,
      // North American: (555) 123-4567, 555-123-4567, 555.123.4567, 1-555-123-4567.
      hint: /\d{3}[ .-]\d{4}/,
      re: /(?<![\w.+/:-])(?:1[ .-]?)?(?:\(\d{3}\)[ .-]?|\d{3}[ .-])\d{3}[ .-]\d{4}(?![\w]|[.:-]\d)/dg,
      check: nanpCheck,
    },
    {
      kind: "phone",
      priority: 6,
      // Any format when the field says it is a phone number.
      hint: /phone|tel|mobile|cell|fax|whatsapp/i,
      re: /\b(?:phone|tel|telephone|mobile|cell|fax|whatsapp)(?:[ _-]?(?:number|no))?["']?\s*[:=]\s*["']?(\+?\d[\d ().-]{5,18}\d)/dgi,
      groups: [1],
      check: (m) => {
        const n = digitCount(m[1]);
        return n >= 7 && n <= 15;
      },
    },
  ];
}
