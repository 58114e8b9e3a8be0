// The redactor: one case per detector, one per look-alike it must leave alone, deep JSON redaction,
// and the labelled corpus held to recall ≥ 0.98 and precision ≥ 0.95.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildRedactionCorpus, classifySecretName, Redactor, scoreRedaction } from "./index.ts";

const r = new Redactor();
// Built at run time so no file holds a credential-shaped literal that secret scanners would flag.
const rep = (s: string, n: number) => s.repeat(n);
let seed = 7;
/** Deterministic random-looking text (real keys are random; repeated patterns have low entropy). */
function rnd(n: number, alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"): string {
  let s = "";
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    s += alphabet[(seed >>> 16) % alphabet.length];
  }
  return s;
}
const GH = `ghp_${rnd(36)}`;

function kinds(text: string): string[] {
  return r.find(text).map((f) => f.kind);
}

function redacted(text: string): string {
  return r.redact(text).text;
}

describe("redactor: secrets", () => {
  const cases: [string, string, string][] = [
    ["aws-access-key", `key id AKIA${rnd(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")} in use`, "AKIA"],
    ["aws-secret-key", `aws_secret_access_key = wJ8r/${rnd(35)}`, "wJ8r/"],
    ["gcp-api-key", `?key=AIza${rep("Sy9_x", 7)}`, "AIzaSy"],
    ["github-token", `token ${GH} rejected`, GH],
    ["github-token", `github_pat_11${rep("AB3", 7)}_${rep("xY9", 20)}`, "github_pat_"],
    ["slack-token", `xoxb-${rep("1", 12)}-${rep("2", 13)}-${rep("aB3d", 6)}`, "xoxb-"],
    ["slack-token", `SLACK_APP_TOKEN=xapp-1-A${rep("B", 10)}-${rep("4", 13)}-${rep("ab12", 16)}`, "xapp-"],
    [
      "slack-webhook",
      `https://hooks.slack.com/services/T0${rep("A", 7)}/B0${rep("C", 9)}/${rep("xY1", 8)}`,
      "hooks.slack",
    ],
    [
      "discord-token",
      `${Buffer.from("123456789012345678").toString("base64url")}.G${rep("a", 5)}.${rep("Zx9_", 9)}`,
      "MTIz",
    ],
    ["discord-webhook", `https://discord.com/api/webhooks/${rep("1", 19)}/${rep("aB3-", 17)}`, "webhooks/"],
    ["telegram-bot-token", `https://api.telegram.org/bot123456789:AA${rnd(33)}/getMe`, "123456789:"],
    ["openai-key", `OPENAI_API_KEY=sk-proj-${rep("Ab3_", 30)}`, "sk-proj-"],
    ["anthropic-key", `"sk-ant-api03-${rep("Qw9-", 24)}AA"`, "sk-ant-"],
    ["stripe-key", `Stripe.api_key = 'sk_live_${rep("4eC3", 6)}'`, "sk_live_"],
    ["stripe-key", `whsec_${rep("Ab12", 8)}`, "whsec_"],
    [
      "private-key",
      `-----BEGIN RSA PRIVATE KEY-----\nMIIE${rep("q", 60)}\n-----END RSA PRIVATE KEY-----`,
      "MIIE",
    ],
    [
      "private-key",
      `"-----BEGIN OPENSSH PRIVATE KEY-----\\nb3Bl${rep("z", 60)}\\n-----END OPENSSH PRIVATE KEY-----\\n"`,
      "b3Bl",
    ],
    [
      "jwt",
      `${Buffer.from('{"alg":"HS256","typ":"JWT"}').toString("base64url")}.${Buffer.from('{"sub":"42"}').toString("base64url")}.${rep("s1G_", 10)}`,
      "eyJ",
    ],
    ["url-password", "mysql://root:Tr0ub4dor&3@db.internal/app", "Tr0ub4dor&3"],
    ["url-password", "redis://:p4ssw0rdXyz@cache:6379", "p4ssw0rdXyz"],
    ["password", "DB_PASSWORD=correct-horse-9", "correct-horse-9"],
    ["password", '{"user": "bob", "passwd": "s3cr3t!Z"}', "s3cr3t!Z"],
    ["password", "PASSWORD: hunter22", "hunter22"],
    ["password", "mysqldump --password=Kx9!pass db", "Kx9!pass"],
    ["password", "curl -u admin:Adm1nPass https://x", "Adm1nPass"],
    ["password", "machine example.com login bob password n3trcPass", "n3trcPass"],
    ["secret", `export X_TOKEN=f00dBA5e${rnd(24)}`, "f00dBA5e"],
    ["secret", `"client_secret": "Zq8${rnd(29)}"`, "Zq8"],
    ["bearer-token", `Authorization: Bearer aZ09${rnd(28)}`, "aZ09"],
    ["bearer-token", `Authorization: Basic ${Buffer.from("admin:pw").toString("base64")}`, "YWRtaW46cHc="],
  ];
  for (const [kind, text, part] of cases) {
    it(`redacts ${kind}: ${text.slice(0, 40)}`, () => {
      const out = redacted(text);
      assert.ok(out.includes(`[REDACTED:${kind}]`), `expected ${kind} in ${out}`);
      assert.ok(!out.includes(part), `${part} leaked: ${out}`);
    });
  }
});

describe("redactor: PII", () => {
  const cases: [string, string][] = [
    ["email", "contact jane.roe+ops@mail.example.co.uk today"],
    ["credit-card", "card 4242 4242 4242 4242 declined"],
    ["credit-card", "pan=5555555555554444"],
    ["credit-card", "amex 3782-822463-10005"],
    ["ssn", "SSN 536-22-1234 on file"],
    ["ssn", "ssn: 536221234"],
    ["phone", "call +1 (415) 555-2671"],
    ["phone", "call (415) 555-2671 now"],
    ["phone", "mobile: 0171 1234567"],
    ["phone", "+442079460958"],
    ["phone", "+33 6 12 34 56 78"],
  ];
  for (const [kind, text] of cases) {
    it(`redacts ${kind}: ${text}`, () => {
      assert.deepEqual(kinds(text), [kind]);
    });
  }
});

describe("redactor: look-alikes left alone", () => {
  const cases: [string, string][] = [
    ["documented AWS example key", "AKIAIOSFODNN7EXAMPLE / wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"],
    ["UUID", "request 3f2b8c4e-9d1a-4b7e-a6c3-1f0e2d3c4b5a done"],
    ["git SHA", "HEAD is now at 9fceb02d0ae598e95dc970b74767f19372d61af8"],
    ["sha256", "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"],
    ["version", "upgraded 1.24.3 -> 1.25.0-rc.1 (build 2024.03.1234)"],
    ["dates and times", "2024-03-15T10:22:33.456+01:00 and 15/03/2024 and 2024-03-15"],
    ["IP addresses", "from 192.168.100.200:8080 via 10.0.0.1 and 2001:db8::1"],
    ["epoch timestamps", "ts=1700000000 ts_ms=1700000000123"],
    ["Luhn-failing order number", "order 4111 1111 1111 1112 shipped"],
    ["non-card prefix", "ref 1234 5678 9012 3452"],
    ["invalid SSN areas", "000-12-3456 666-12-3456 912-34-5678 123-00-4567"],
    ["base64 image", `data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAA${rep("Ab+/9", 20)}`],
    ["k8s names", "pod/api-7d9f8b6c5-x2x4z secretName: db-credentials"],
    ["token counts", "max_tokens=4096 prompt_tokens: 12 token_count: 300"],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal ${VAR} placeholder is the input under test
    ["placeholders", "password: ${DB_PASSWORD} token=<your-token> api_key: YOUR_API_KEY secret: ****"],
    ["code references", "password = os.environ['PW']; token = getToken();"],
    ["type annotations", "def login(user: str, password: str):"],
    ["ssh remotes", "git@github.com:acme/api.git and ssh ops@web-1.example.com"],
    ["retina assets", "logo@2x.png"],
    ["prose", "the password was reset; tokens rotate weekly; see secret management docs"],
    ["log prose", "login failed: password incorrect"],
    ["pagination cursor", `next_page_token: ${rep("Ab9", 12)}`],
    ["public key", `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${rep("x", 43)} ops@host`],
    ["certificate", `-----BEGIN CERTIFICATE-----\nMIID${rep("A", 60)}\n-----END CERTIFICATE-----`],
    ["sk- in prose", "sk-learn-compatible-estimators-for-timeseries"],
    ["URL with port only", "https://example.com:8443/path"],
  ];
  for (const [what, text] of cases) {
    it(`leaves ${what}`, () => {
      assert.deepEqual(r.find(text), [], redacted(text));
    });
  }
});

describe("redactor: structured values", () => {
  it("redacts values under secret-like keys, deeply, and scans every string", () => {
    const out = r.redactValue({
      host: "web-1",
      password: "x",
      auth: { token: "short", user: "bob" },
      "x-api-key": "k",
      max_tokens: 4096,
      secretName: "db-creds",
      list: [{ Authorization: "Bearer abc" }, `see ${GH}`],
      nothing: null,
    });
    assert.deepEqual(out, {
      host: "web-1",
      password: "[REDACTED:password]",
      auth: { token: "[REDACTED:secret]", user: "bob" },
      "x-api-key": "[REDACTED:secret]",
      max_tokens: 4096,
      secretName: "db-creds",
      list: [{ Authorization: "[REDACTED:secret]" }, "see [REDACTED:github-token]"],
      nothing: null,
    });
  });

  it("keeps a __proto__ key as data", () => {
    const input = JSON.parse('{"__proto__": {"password": "pw123456"}}');
    const out = r.redactValue(input) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.deepEqual(Object.getOwnPropertyDescriptor(out, "__proto__")?.value, {
      password: "[REDACTED:password]",
    });
  });

  it("classifies field names by their last secret word", () => {
    assert.equal(classifySecretName("SLACK_BOT_TOKEN"), "secret");
    assert.equal(classifySecretName("PGPASSWORD"), "password");
    assert.equal(classifySecretName("secret_key_base"), "secret");
    assert.equal(classifySecretName("secretName"), null);
    assert.equal(classifySecretName("token_endpoint"), null);
    assert.equal(classifySecretName("public_key"), null);
    assert.equal(classifySecretName("cache_key"), null);
  });

  it("drops text past maxLength instead of passing it through unscanned", () => {
    const small = new Redactor({ maxLength: 100 });
    const out = small.redact(`${"a ".repeat(60)}password=hunter22`).text;
    assert.ok(!out.includes("hunter22"));
    assert.match(out, /dropped unscanned/);
  });

  it("honours disabled kinds and extra patterns", () => {
    const custom = new Redactor({
      disabled: ["phone"],
      extra: [{ kind: "ticket", pattern: /\bINC-\d{6}\b/ }],
    });
    assert.equal(
      custom.redact("call (415) 555-2671 about INC-123456").text,
      "call (415) 555-2671 about [REDACTED:ticket]",
    );
  });
});

describe("redactor: labelled corpus", () => {
  it("reaches recall ≥ 0.98 and precision ≥ 0.95", () => {
    const corpus = buildRedactionCorpus();
    const s = scoreRedaction(r, corpus);
    assert.ok(s.secrets >= 150, `only ${s.secrets} labelled secrets`);
    assert.ok(s.negativeSamples >= 150, `only ${s.negativeSamples} look-alike samples`);
    const detail = JSON.stringify(
      { misses: s.misses.slice(0, 5), falseAlarms: s.falseAlarms.slice(0, 5) },
      null,
      1,
    );
    assert.ok(s.recall >= 0.98, `recall ${s.recall}: ${detail}`);
    assert.ok(s.precision >= 0.95, `precision ${s.precision}: ${detail}`);
  });

  it("scores a redactor that finds nothing as recall 0", () => {
    const s = scoreRedaction({ find: () => [] }, buildRedactionCorpus());
    assert.equal(s.recall, 0);
  });
});
