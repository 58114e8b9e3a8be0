// Decides whether a field name (env var, JSON key, header, flag) names a secret, and whether the value
// beside it looks like one. Shared by the free-text assignment detector and the deep JSON redactor.

/** What a field name says about its value: a password (any real value is secret) or a key/token. */
export type SecretNameClass = "password" | "secret";

// Words that name a secret on their own. `pass` counts only as a whole word (DB_PASS), not inside
// "bypass"; the others also count as a word's ending (PGPASSWORD, authtoken, apikey).
const PASSWORD_WORDS = new Set(["password", "passwd", "passphrase", "pass", "pwd"]);
const PASSWORD_ENDINGS = ["password", "passwd", "passphrase"];
const SECRET_WORDS = new Set([
  "secret",
  "token",
  "authorization",
  "auth",
  "credential",
  "credentials",
  "bearer",
]);
const SECRET_ENDINGS = [
  "secret",
  "token",
  "apikey",
  "accesskey",
  "privatekey",
  "secretkey",
  "authkey",
  "credentials",
];
// `key` names a secret only after one of these (api_key, access_key, SigningKey), never alone
// (cache_key, idempotency_key, public_key).
const KEY_QUALIFIERS = new Set([
  "api",
  "access",
  "private",
  "secret",
  "signing",
  "encryption",
  "master",
  "app",
  "account",
  "auth",
  "license",
  "subscription",
  "client",
  "service",
  "hmac",
  "webhook",
]);
// Words allowed after the secret noun: they still describe the secret itself (SECRET_KEY_BASE, token_b64).
const TRAILING_OK = new Set([
  "key",
  "value",
  "string",
  "str",
  "b64",
  "base64",
  "hex",
  "raw",
  "base",
  "plain",
  "text",
]);
// A token named by these is a cursor, not a credential (next_page_token, sync_token).
const NOT_CREDENTIAL_TOKENS = new Set([
  "page",
  "next",
  "continuation",
  "sync",
  "pagination",
  "cursor",
  "resume",
]);

/** Splits `SLACK_BOT_TOKEN`, `secretName`, `x-api-key`, `spring.datasource.password` into lowercase words. */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
}

/**
 * Classifies a field name. The last secret noun decides, and anything after it must still describe the
 * secret: `token_endpoint`, `secretName`, `password_min_length`, `max_tokens` are not secrets.
 */
export function classifySecretName(name: string): SecretNameClass | null {
  if (name.length > 80) return null;
  const words = nameWords(name);
  let found: SecretNameClass | null = null;
  let at = -1;
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    let cls: SecretNameClass | null = null;
    if (PASSWORD_WORDS.has(w) || PASSWORD_ENDINGS.some((e) => w.endsWith(e))) cls = "password";
    else if (SECRET_WORDS.has(w) || SECRET_ENDINGS.some((e) => w.endsWith(e))) cls = "secret";
    else if (w === "key" && i > 0 && KEY_QUALIFIERS.has(words[i - 1])) cls = "secret";
    if (cls !== null) {
      if (w === "token" && i > 0 && NOT_CREDENTIAL_TOKENS.has(words[i - 1])) cls = null;
      if (i > 0 && words[i - 1] === "public") cls = null;
      found = cls;
      at = i;
    }
  }
  if (found === null) return null;
  for (let i = at + 1; i < words.length; i++) {
    const w = words[i];
    if (!TRAILING_OK.has(w) && !/^v?\d+$/.test(w)) return null;
  }
  return found;
}

const PLACEHOLDER_WORDS = new Set([
  "null",
  "nil",
  "none",
  "undefined",
  "true",
  "false",
  "yes",
  "no",
  "on",
  "off",
  "empty",
  "unset",
  "required",
  "optional",
  "hidden",
  "masked",
  "redacted",
  "str",
  "string",
  "int",
  "bool",
  "boolean",
  "number",
  "bytes",
  "any",
  "object",
  "secretstr",
  // Log prose: "password: incorrect", "token: expired".
  "incorrect",
  "invalid",
  "wrong",
  "expired",
  "missing",
  "changed",
  "reset",
  "updated",
  "set",
  "ok",
  "failed",
  "denied",
  "accepted",
  "rejected",
  "mismatch",
  "unknown",
  "provided",
  "prompt",
  "not",
]);

/** True for values that stand in for a secret rather than being one: `${DB_PASSWORD}`, `<token>`, `****`. */
export function isPlaceholder(value: string): boolean {
  if (value.length === 0) return true;
  if (PLACEHOLDER_WORDS.has(value.toLowerCase())) return true;
  if (/^\$\{?[\w.:-]+\}?$/.test(value)) return true; // $VAR, ${VAR}
  if (/^\{\{.*\}\}$|^\{%.*%\}$|^%\(\w+\)s$|^%s$/.test(value)) return true; // templates
  if (/^<[^<>]*>$|^\[[A-Z_ -]+\]$/.test(value)) return true; // <your-token>, [REDACTED]
  if (/^(?:[*•.?_-]+|[xX]{3,})$/.test(value)) return true; // ****, xxxx, ???
  if (/REDACTED|EXAMPLE|PLACEHOLDER|CHANGE_?ME|YOUR_/i.test(value)) return true;
  if (/^[!&*]/.test(value)) return true; // YAML tags and anchors: !vault, &ref, *alias
  if (/^:\w+$|^@\w+$|^\?$/.test(value)) return true; // SQL bind parameters
  return false;
}

/** True for values that are code or a path rather than a literal: `os.environ[`, `getToken()`, `/run/secrets/db`. */
export function isReference(value: string): boolean {
  if (/[([]/.test(value)) return true;
  if (/^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/.test(value) && !/\d/.test(value)) return true;
  if (/^(?:\/|\.{1,2}\/|~\/|[A-Za-z]:\\)/.test(value)) return true;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return true; // URLs: credentials inside are found by their own detector
  return false;
}

/** Shannon entropy of the characters of `s`, in bits per character. */
export function shannonEntropy(s: string): number {
  const counts = new Map<number, number>();
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

/** Minimum entropy (bits/char) for a value next to a key/token name to count as a secret. */
export const DEFAULT_ENTROPY_THRESHOLD = 3.0;

/**
 * Whether the value beside a name of class `cls` is a secret. Passwords: any real literal. Keys and
 * tokens: long enough and random-looking (entropy), so `token_type: refresh_token`-style words pass.
 */
export function looksSecretValue(
  value: string,
  cls: SecretNameClass,
  words: string[],
  entropyThreshold = DEFAULT_ENTROPY_THRESHOLD,
): boolean {
  if (isPlaceholder(value) || isReference(value)) return false;
  if (cls === "password") {
    if (value.length < 4) return false;
    // "pass: 12" in test output is a count, not a password.
    if (words.includes("pass") && /^\d+$/.test(value)) return false;
    return true;
  }
  if (value.length < 8) return false;
  if (/^[a-z]+(?:[-_. ][a-z]+)*$/.test(value)) return false; // lowercase words: my-tls-secret
  if (/^[A-Z][a-z]+(?:[A-Z][a-z]+)*$/.test(value)) return false; // CamelWords
  if (/^[A-Z]+(?:_[A-Z]+)*$/.test(value)) return false; // CONSTANT_NAME
  if (/^\d+$/.test(value) && value.length < 12) return false; // counts, ports, ids
  return shannonEntropy(value) >= entropyThreshold;
}
