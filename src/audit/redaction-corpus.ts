// A labelled corpus for the redactor: realistic log lines, env files, JSON, YAML, URLs and commands
// holding true secrets and PII (labelled spans), and look-alikes that must be left alone.
// Secret values are generated from a seeded PRNG so the file holds no live-looking credential and
// the detectors cannot be fitted to exact strings.

/** One labelled sample: `secrets` are the character spans that must be hidden (empty for a negative). */
export interface CorpusEntry {
  text: string;
  secrets: { kind: string; start: number; end: number }[];
}

interface Secret {
  kind: string;
  value: string;
}

/** Marks a value in a template as a secret of `kind`. */
function S(kind: string, value: string): Secret {
  return { kind, value };
}

/** Tagged template: interpolated `S(...)` values become labelled spans; plain strings are just text. */
function L(strings: TemplateStringsArray, ...parts: (string | number | Secret)[]): CorpusEntry {
  let text = strings[0];
  const secrets: CorpusEntry["secrets"] = [];
  parts.forEach((p, i) => {
    if (typeof p === "object") {
      secrets.push({ kind: p.kind, start: text.length, end: text.length + p.value.length });
      text += p.value;
    } else {
      text += String(p);
    }
    text += strings[i + 1];
  });
  return { text, secrets };
}

// mulberry32: small, seeded, good enough to make varied test values.
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LOWER = "abcdefghijklmnopqrstuvwxyz";
const DIGITS = "0123456789";
const ALNUM = UPPER + LOWER + DIGITS;
const B64URL = `${ALNUM}-_`;
const B64 = `${ALNUM}+/`;
const HEX = "0123456789abcdef";

class Gen {
  readonly rand: () => number;
  constructor(seed: number) {
    this.rand = prng(seed);
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.rand() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rand() * xs.length)];
  }
  str(alphabet: string, n: number): string {
    let s = "";
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(this.rand() * alphabet.length)];
    return s;
  }
  /** Random string from `alphabet` that has at least an upper, a lower and a digit, like real keys. */
  mixed(alphabet: string, n: number): string {
    for (let tries = 0; tries < 1000; tries++) {
      const s = this.str(alphabet, n);
      if (/[A-Z]/.test(s) && /[a-z]/.test(s) && /\d/.test(s)) return s;
    }
    throw new Error(`alphabet ${alphabet} cannot make a mixed string of ${n}`);
  }
  hex(n: number): string {
    return this.str(HEX, n);
  }
  uuid(): string {
    const h = this.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`;
  }
  // ---- secrets ----
  awsKeyId(): string {
    return this.pick(["AKIA", "ASIA"]) + this.str(`${UPPER}234567`, 16);
  }
  awsSecret(): string {
    return this.mixed(B64, 40);
  }
  gcpKey(): string {
    return `AIza${this.mixed(B64URL, 35)}`;
  }
  github(): string {
    const prefix = this.pick(["ghp_", "gho_", "ghs_", "ghu_", "ghr_"]);
    return prefix + this.mixed(ALNUM, 36);
  }
  githubPat(): string {
    return `github_pat_11${this.str(`${UPPER}${DIGITS}`, 20)}_${this.mixed(ALNUM, 59)}`;
  }
  slackToken(): string {
    const kind = this.pick(["xoxb", "xoxp", "xoxa"]);
    return `${kind}-${this.str(DIGITS, 12)}-${this.str(DIGITS, 13)}-${this.mixed(ALNUM, 24)}`;
  }
  slackAppToken(): string {
    return `xapp-1-A${this.str(`${UPPER}${DIGITS}`, 10)}-${this.str(DIGITS, 13)}-${this.hex(64)}`;
  }
  slackWebhook(): string {
    return `https://hooks.slack.com/services/T${this.str(`${UPPER}${DIGITS}`, 8)}/B${this.str(`${UPPER}${DIGITS}`, 10)}/${this.mixed(ALNUM, 24)}`;
  }
  discordToken(): string {
    const id = String(this.int(1, 9)) + this.str(DIGITS, 17);
    const first = Buffer.from(id).toString("base64url");
    return `${first}.${this.mixed(B64URL, 6)}.${this.mixed(B64URL, 38)}`;
  }
  discordWebhook(): string {
    return `https://discord.com/api/webhooks/${this.str(DIGITS, 19)}/${this.mixed(B64URL, 68)}`;
  }
  telegram(): string {
    return `${this.int(1, 9)}${this.str(DIGITS, this.int(8, 9))}:AA${this.mixed(B64URL, 33)}`;
  }
  openai(): string {
    return this.pick([`sk-proj-${this.mixed(B64URL, 120)}`, `sk-${this.mixed(ALNUM, 48)}`]);
  }
  anthropic(): string {
    return `sk-ant-api03-${this.mixed(B64URL, 93)}AA`;
  }
  stripe(): string {
    return this.pick([
      `sk_live_${this.mixed(ALNUM, 24)}`,
      `rk_live_${this.mixed(ALNUM, 99)}`,
      `sk_test_${this.mixed(ALNUM, 24)}`,
    ]);
  }
  stripeWebhook(): string {
    return `whsec_${this.mixed(ALNUM, 32)}`;
  }
  pem(kind: "RSA" | "EC" | "OPENSSH" | "", nl = "\n"): string {
    const label = kind === "" ? "PRIVATE KEY" : `${kind} PRIVATE KEY`;
    const lines = [`-----BEGIN ${label}-----`];
    for (let i = 0; i < 5; i++) lines.push(this.str(B64, 64));
    lines.push(`${this.str(B64, 20)}==`, `-----END ${label}-----`);
    return lines.join(nl);
  }
  jwt(): string {
    const header = Buffer.from(
      JSON.stringify({ alg: this.pick(["HS256", "RS256", "ES256"]), typ: "JWT" }),
    ).toString("base64url");
    const payload = Buffer.from(
      JSON.stringify({ sub: this.uuid(), iat: 1_700_000_000 + this.int(0, 9_999_999), scope: "ops" }),
    ).toString("base64url");
    return `${header}.${payload}.${this.str(B64URL, 43)}`;
  }
  password(): string {
    const words = [
      "Summer",
      "tango",
      "Falcon",
      "orbit",
      "Maple",
      "quartz",
      "river",
      "Copper",
      "velvet",
      "Nimbus",
    ];
    return this.pick([
      `${this.pick(words)}${this.int(10, 9999)}${this.pick(["!", "#", "$", "%", "*", "?"])}`,
      this.mixed(`${ALNUM}!#%*`, this.int(12, 24)),
      `${this.pick(words).toLowerCase()}-${this.pick(words).toLowerCase()}-${this.int(100, 999)}`,
    ]);
  }
  highEntropy(n = 32): string {
    return this.mixed(ALNUM, n);
  }
  // ---- PII ----
  email(): string {
    const first = this.pick([
      "alice",
      "bob",
      "carol",
      "dave",
      "erin",
      "frank",
      "grace",
      "heidi",
      "ivan",
      "judy",
    ]);
    const last = this.pick(["smith", "nguyen", "garcia", "okafor", "tanaka", "muller", "rossi", "kowalski"]);
    const domain = this.pick([
      "example.com",
      "acme.io",
      "corp.example.org",
      "mail.example.net",
      "shop.co.uk",
    ]);
    return this.pick([
      `${first}.${last}@${domain}`,
      `${first}${this.int(1, 99)}@${domain}`,
      `${first}+ops@${domain}`,
    ]);
  }
  card(format: "plain" | "spaced" | "dashed" = "spaced", valid = true): string {
    const prefix = this.pick(["4", "51", "52", "55", "2221", "34", "37", "6011", "65", "3530"]);
    const length = prefix === "34" || prefix === "37" ? 15 : 16;
    let body = prefix + this.str(DIGITS, length - prefix.length - 1);
    let check = luhnCheckDigit(body);
    if (!valid) check = (check + this.int(1, 9)) % 10;
    body += String(check);
    if (format === "plain") return body;
    const sep = format === "spaced" ? " " : "-";
    if (length === 15) return [body.slice(0, 4), body.slice(4, 10), body.slice(10)].join(sep);
    return body.match(/\d{4}/g)!.join(sep);
  }
  ssn(): string {
    let area = this.int(1, 899);
    if (area === 666) area = 667;
    return `${String(area).padStart(3, "0")}-${String(this.int(1, 99)).padStart(2, "0")}-${String(this.int(1, 9999)).padStart(4, "0")}`;
  }
  phone(): string {
    const a = this.int(201, 989);
    const e = this.int(200, 999);
    const n = String(this.int(0, 9999)).padStart(4, "0");
    return this.pick([
      `(${a}) ${e}-${n}`,
      `${a}-${e}-${n}`,
      `${a}.${e}.${n}`,
      `+1 ${a} ${e} ${n}`,
      `+1-${a}-${e}-${n}`,
      `+44 20 ${this.int(7000, 8999)} ${this.int(1000, 9999)}`,
      `+49 30 ${this.int(10000000, 99999999)}`,
      `+33 6 ${this.int(10, 99)} ${this.int(10, 99)} ${this.int(10, 99)} ${this.int(10, 99)}`,
      `+61${this.int(400000000, 499999999)}`,
      `+91 ${this.int(70000, 99999)} ${this.int(10000, 99999)}`,
    ]);
  }
}

function luhnCheckDigit(body: string): number {
  let sum = 0;
  let double = true;
  for (let i = body.length - 1; i >= 0; i--) {
    let d = body.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return (10 - (sum % 10)) % 10;
}

function positives(g: Gen): CorpusEntry[] {
  const out: CorpusEntry[] = [];
  const host = () => g.pick(["db-1.internal", "10.0.3.17", "pg.prod.example.com", "cache.svc.cluster.local"]);
  const ts = () => `2024-0${g.int(1, 9)}-1${g.int(0, 9)}T0${g.int(0, 9)}:${g.int(10, 59)}:${g.int(10, 59)}Z`;
  for (let round = 0; round < 3; round++) {
    out.push(
      // cloud keys
      L`AWS_ACCESS_KEY_ID=${S("aws-access-key", g.awsKeyId())}\nAWS_SECRET_ACCESS_KEY=${S("aws-secret-key", g.awsSecret())}\nAWS_REGION=eu-west-1`,
      L`{"Credentials": {"AccessKeyId": "${S("aws-access-key", g.awsKeyId())}", "SecretAccessKey": "${S("aws-secret-key", g.awsSecret())}", "Expiration": "2024-05-01T12:00:00Z"}}`,
      L`[default]\naws_access_key_id = ${S("aws-access-key", g.awsKeyId())}\naws_secret_access_key = ${S("aws-secret-key", g.awsSecret())}`,
      L`${ts()} WARN boto: request signed with ${S("aws-access-key", g.awsKeyId())} was throttled`,
      L`curl "https://maps.googleapis.com/maps/api/geocode/json?address=Berlin&key=${S("gcp-api-key", g.gcpKey())}"`,
      L`firebase: { apiKey: "${S("gcp-api-key", g.gcpKey())}", projectId: "shop-prod" }`,
      // source forges
      L`export GITHUB_TOKEN=${S("github-token", g.github())}`,
      L`git clone https://x-access-token:${S("github-token", g.github())}@github.com/acme/infra.git`,
      L`gh auth login --with-token <<< ${S("github-token", g.githubPat())}`,
      L`${ts()} ERROR fetch failed: 401 for token ${S("github-token", g.github())} (rate limit 5000)`,
      // chat platforms
      L`SLACK_BOT_TOKEN=${S("slack-token", g.slackToken())}\nSLACK_SIGNING_SECRET=${S("secret", g.hex(32))}`,
      L`slack:\n  app_token: ${S("slack-token", g.slackAppToken())}\n  channel: "#ops"`,
      L`posting alert to ${S("slack-webhook", g.slackWebhook())} failed: 404 no_service`,
      L`{"webhook_url": "${S("discord-webhook", g.discordWebhook())}", "username": "vigil"}`,
      L`DISCORD_TOKEN=${S("discord-token", g.discordToken())}`,
      L`client.login("${S("discord-token", g.discordToken())}")`,
      L`GET https://api.telegram.org/bot${S("telegram-bot-token", g.telegram())}/getUpdates 200 31ms`,
      L`telegram:\n  token: "${S("telegram-bot-token", g.telegram())}"`,
      // AI providers, payments
      L`OPENAI_API_KEY=${S("openai-key", g.openai())}`,
      L`Incorrect API key provided: ${S("openai-key", g.openai())}. You can find your API key at https://platform.openai.com/account/api-keys.`,
      L`{"provider": "anthropic", "apiKey": "${S("anthropic-key", g.anthropic())}"}`,
      L`x-api-key: ${S("anthropic-key", g.anthropic())}`,
      L`stripe.api_key = "${S("stripe-key", g.stripe())}"`,
      L`STRIPE_WEBHOOK_SECRET=${S("stripe-key", g.stripeWebhook())}`,
      // key material and tokens
      L`$ cat ~/.ssh/id_ed25519\n${S("private-key", g.pem("OPENSSH"))}\n$ `,
      L`{"type": "service_account", "project_id": "acme-prod", "private_key": "${S("private-key", g.pem("", "\\n"))}\\n", "client_email": "${S("email", "deployer@acme-prod.iam.gserviceaccount.com")}"}`,
      L`tls.key: |\n  ${S("private-key", g.pem(g.pick(["RSA", "EC"] as const), "\n  "))}`,
      L`Authorization: Bearer ${S("jwt", g.jwt())}`,
      L`${ts()} DEBUG auth ok session=${S("jwt", g.jwt())} user=42`,
      L`curl -H "Authorization: Bearer ${S("bearer-token", g.highEntropy(40))}" https://api.internal/v1/nodes`,
      // passwords
      L`DATABASE_URL=postgres://app:${S("url-password", g.password())}@${host()}:5432/app?sslmode=require`,
      L`redis://:${S("url-password", g.highEntropy(24))}@${host()}:6379/0`,
      L`mongodb+srv://backup:${S("url-password", g.password())}@cluster0.ab12c.mongodb.net/admin`,
      L`amqp://guest:${S("url-password", g.password())}@rabbit.internal:5672/`,
      L`DB_PASSWORD=${S("password", g.password())}`,
      L`export PGPASSWORD='${S("password", g.password())}'`,
      L`{"username": "admin", "password": "${S("password", g.password())}", "remember": true}`,
      L`spring.datasource.password=${S("password", g.password())}`,
      L`mysql:\n  user: root\n  password: ${S("password", g.password())}\n  port: 3306`,
      L`Server=sql01;Database=crm;User Id=sa;Password=${S("password", g.password())};Encrypt=true`,
      L`docker login registry.example.com -u ci --password ${S("password", g.password())}`,
      L`curl -u deploy:${S("password", g.password())} https://nexus.internal/repository/raw/`,
      L`ansible_become_pass: ${S("password", g.password())}`,
      L`machine api.heroku.com login ${S("email", g.email())} password ${S("password", g.password())}`,
      L`GET /admin/login?user=root&password=${S("password", g.password())}&next=%2F HTTP/1.1`,
      L`Authorization: Basic ${S("bearer-token", Buffer.from(`admin:${g.password()}`).toString("base64"))}`,
      L`{"auth": {"user": "svc-backup", "password": "${S("password", `${g.password()}\\"x`)}"}}`,
      L`Reply-To: ${S("email", g.email().toUpperCase())}`,
      // high entropy beside secret-like names
      L`CLIENT_SECRET=${S("secret", g.highEntropy(40))}`,
      L`{"client_id": "vigil-prod", "client_secret": "${S("secret", g.highEntropy(32))}"}`,
      L`session_secret: "${S("secret", g.mixed(B64, 44))}"`,
      L`SECRET_KEY_BASE=${S("secret", g.hex(128))}`,
      L`datadog:\n  api_key: ${S("secret", g.hex(32))}\n  site: datadoghq.eu`,
      L`headers: {"X-Auth-Token": "${S("secret", g.highEntropy(32))}"}`,
      // PII
      L`${ts()} INFO password reset mail sent to ${S("email", g.email())}`,
      L`{"customer": {"name": "Jane Roe", "email": "${S("email", g.email())}", "phone": "${S("phone", g.phone())}"}}`,
      L`From: On-call <${S("email", g.email())}>`,
      L`payment declined for card ${S("credit-card", g.card("spaced"))} (insufficient funds)`,
      L`card_number=${S("credit-card", g.card("plain"))}&exp=12/27`,
      L`charge: ${S("credit-card", g.card("dashed"))} amount=49.00 EUR`,
      L`applicant ssn: ${S("ssn", g.ssn())}, dob 1984-02-11`,
      L`{"ssn": "${S("ssn", g.ssn())}", "state": "OH"}`,
      L`call back ${S("phone", g.phone())} after 5pm`,
      L`escalation: page Bob on ${S("phone", g.phone())} if the primary does not ack`,
      L`tel: ${S("phone", g.phone())}`,
    );
  }
  return out;
}

function negatives(g: Gen): CorpusEntry[] {
  const out: CorpusEntry[] = [];
  const ts = () =>
    `2024-0${g.int(1, 9)}-1${g.int(0, 9)}T0${g.int(0, 9)}:${g.int(10, 59)}:${g.int(10, 59)}.${g.int(100, 999)}Z`;
  const ip = () => `${g.int(10, 192)}.${g.int(0, 255)}.${g.int(0, 255)}.${g.int(1, 254)}`;
  const pod = () =>
    `${g.pick(["api", "worker", "web", "ingest"])}-${g.str("bcdfghjklmnpqrstvwxz2456789", 9)}-${g.str("bcdfghjklmnpqrstvwxz2456789", 5)}`;
  for (let round = 0; round < 3; round++) {
    const base64Png = `iVBORw0KGgoAAAANSUhEUgAA${g.str(B64, 120)}`;
    out.push(
      // identifiers and hashes
      L`${ts()} INFO request_id=${g.uuid()} trace_id=${g.hex(32)} span_id=${g.hex(16)} status=200`,
      L`commit ${g.hex(40)}\nAuthor: CI Bot\nDate:   Tue Mar 12 10:22:33 2024 +0100`,
      L`Merge pull request #${g.int(100, 9999)} from acme/fix-${g.hex(7)}`,
      L`image: ghcr.io/acme/api@sha256:${g.hex(64)}`,
      L`sha256sum: ${g.hex(64)}  vigil-${g.int(1, 3)}.${g.int(0, 20)}.${g.int(0, 9)}-linux-amd64.tar.gz`,
      L`etag: "${g.hex(32)}"`,
      L`{"id": "${g.uuid()}", "parent": "${g.uuid()}", "kind": "deployment"}`,
      L`integrity: sha512-${g.str(B64, 86)}==`,
      L`ulid=01H${g.str("0123456789ABCDEFGHJKMNPQRSTVWXYZ", 23)} created`,
      L`cache_key=${g.hex(40)} hit=true`,
      // documented placeholders and look-alike names
      L`aws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`,
      L`export AWS_ACCESS_KEY_ID=AKIAI44QH8DHBEXAMPLE`,
      L`DB_PASSWORD=\${DB_PASSWORD}\nAPI_TOKEN=$API_TOKEN`,
      L`password: <your-password-here>\napi_key: YOUR_API_KEY`,
      L`password: "{{ vault_db_password }}"`,
      L`secretName: ${g.pick(["db-credentials", "tls-cert", "registry-auth"])}\nsecretKeyRef:\n  name: api-secrets\n  key: token`,
      L`max_tokens: ${g.int(256, 8192)}\ntemperature: 0.${g.int(0, 9)}\ntoken_count: ${g.int(10, 9000)}`,
      L`{"usage": {"prompt_tokens": ${g.int(10, 999)}, "completion_tokens": ${g.int(10, 999)}, "total_tokens": ${g.int(1000, 1999)}}}`,
      L`token_type: bearer\nexpires_in: 3600\ntoken_endpoint: https://auth.example.com/oauth/token`,
      L`password_min_length: 12\npassword_policy: strong\npasswordless: true`,
      L`PWD=/home/ops/vigil\nOLDPWD=/home/ops`,
      L`${ts()} WARN login failed for user=admin: password incorrect (attempt ${g.int(1, 5)}/5)`,
      L`${ts()} INFO token expired, refreshing (next refresh in ${g.int(100, 900)}s)`,
      L`public_key: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${g.str(B64, 43)} ops@bastion`,
      L`-----BEGIN CERTIFICATE-----\nMIID${g.str(B64, 60)}\n-----END CERTIFICATE-----`,
      L`-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE${g.str(B64, 40)}\n-----END PUBLIC KEY-----`,
      L`pip install scikit-learn  # sk-learn-compatible-estimators`,
      L`task-runner-${g.hex(8)} finished; disk-usage-report-weekly queued`,
      L`const password = process.env.DB_PASSWORD;\nconst token = getToken();`,
      L`def connect(host: str, password: str) -> Connection:`,
      L`curl -u $CI_USER:$CI_PASSWORD https://nexus.internal/`,
      L`Authorization: Bearer <token>`,
      L`${ts()} ERROR 401 Unauthorized: missing Authorization header`,
      // versions, dates, times, numbers, network
      L`vigil v${g.int(0, 3)}.${g.int(0, 40)}.${g.int(0, 20)} (node ${g.int(18, 24)}.${g.int(0, 20)}.${g.int(0, 9)}, linux-x64)`,
      L`kernel 6.${g.int(1, 9)}.${g.int(0, 99)}-${g.int(100, 200)}-generic #${g.int(100, 200)}-Ubuntu SMP`,
      L`backup finished ${ts()} duration=${g.int(1, 59)}m${g.int(10, 59)}s size=${g.int(100, 999)}MB`,
      L`date=${g.int(2019, 2025)}-${String(g.int(1, 12)).padStart(2, "0")}-${String(g.int(1, 28)).padStart(2, "0")} time=${g.int(10, 23)}:${g.int(10, 59)}:${g.int(10, 59)} tz=+01:00`,
      L`last seen ${String(g.int(1, 28)).padStart(2, "0")}/${String(g.int(1, 12)).padStart(2, "0")}/${g.int(2019, 2025)} ${g.int(10, 23)}:${g.int(10, 59)}`,
      L`epoch=${g.int(1_600_000_000, 1_750_000_000)} epoch_ms=${g.int(1_600_000_000, 1_750_000_000)}${g.int(100, 999)}`,
      L`listening on ${ip()}:${g.int(1024, 65535)} and [::1]:${g.int(1024, 65535)}`,
      L`inet ${ip()}/24 brd ${ip()} scope global eth0`,
      L`traceroute hop ${g.int(1, 30)}: ${ip()} ${g.int(1, 99)}.${g.int(100, 999)} ms`,
      L`ping statistics: ${g.int(1, 100)} packets transmitted, rtt min/avg/max = ${g.int(1, 9)}.${g.int(100, 999)}/${g.int(10, 20)}.${g.int(100, 999)}/${g.int(20, 99)}.${g.int(100, 999)} ms`,
      L`order ${g.card("spaced", false)} shipped, invoice ${g.card("plain", false)}`,
      L`ticket #${g.int(10000, 99999)} ref ${g.int(100, 999)}-${g.int(10, 99)}-${g.int(1000, 9999)}-${g.int(10, 99)}`,
      L`ISBN 978-${g.int(0, 9)}-${g.int(10, 99)}-${g.int(100000, 999999)}-${g.int(0, 9)}`,
      L`test ids: 000-${g.int(10, 99)}-${g.int(1000, 9999)}, 666-${g.int(10, 99)}-${g.int(1000, 9999)}, 9${g.int(10, 99)}-${g.int(10, 99)}-${g.int(1000, 9999)}`,
      L`build ${g.int(2019, 2025)}.${g.int(10, 12)}.${g.int(1000, 9999)} (+${g.int(10, 999)} -${g.int(10, 999)} lines)`,
      L`latency p50=${g.int(1, 99)}ms p99=${g.int(100, 999)}ms rps=${g.int(1000, 99999)} errors=0.0${g.int(1, 9)}%`,
      L`memory: ${g.int(1000000, 9999999)} kB total, ${g.int(100000, 999999)} kB free`,
      L`TZ offset +0${g.int(1, 9)}00, retry +${g.int(1, 9)}s, counter +${g.int(1000, 99999)}`,
      // images, encodings, k8s
      L`<img src="data:image/png;base64,${base64Png}">`,
      L`{"avatar": "data:image/jpeg;base64,/9j/4AAQSkZJRgABAQ${g.str(B64, 90)}"}`,
      L`pod/${pod()} Running 0 ${g.int(1, 59)}m node=ip-${g.int(10, 99)}-${g.int(0, 99)}-${g.int(0, 99)}-${g.int(1, 99)}.eu-west-1.compute.internal`,
      L`deployment.apps/${pod().split("-").slice(0, 2).join("-")} rolled out; replicaset ${pod().split("-").slice(0, 2).join("-")}`,
      L`kubectl get secret db-credentials -n payments -o yaml`,
      L`configmap "feature-flags" updated (resourceVersion ${g.int(100000, 999999)})`,
      // addresses that are not mailboxes
      L`git remote add origin git@github.com:acme/${g.pick(["infra", "api", "vigil"])}.git`,
      L`ssh deploy@web-${g.int(1, 9)}.prod.example.com 'systemctl restart api'`,
      L`assets: logo@2x.png, icon@3x.png, npm i @types/node@${g.int(18, 24)}.${g.int(0, 9)}.${g.int(0, 9)}`,
      L`docker pull nginx@sha256:${g.hex(64)}`,
      L`ssh -i ~/.ssh/ci -p ${g.int(2000, 2999)} ops@bastion.example.com uptime`,
      L`{"bucket": "reports", "key": "uploads/${g.int(2019, 2025)}/0${g.int(1, 9)}/report-${g.hex(8)}.pdf"}`,
      L`${ts()} WARN Bearer authentication required for /metrics`,
      L`x-amz-content-sha256: ${g.hex(64)}`,
      // ordinary prose
      L`The deploy went fine; rolling back is not needed. Secrets were rotated last week per the runbook.`,
      L`Reminder: never paste your password or API token into chat. Use the vault link instead.`,
      L`CPU ${g.int(1, 99)}% on ${g.int(2, 64)} cores, load average: ${g.int(0, 9)}.${g.int(10, 99)}, ${g.int(0, 9)}.${g.int(10, 99)}, ${g.int(0, 9)}.${g.int(10, 99)}`,
      L`next_page_token: ${g.mixed(B64URL, 40)}`,
    );
  }
  return out;
}

/** Builds the labelled corpus (deterministic for a given seed). */
export function buildRedactionCorpus(seed = 20240501): CorpusEntry[] {
  const g = new Gen(seed);
  return [...positives(g), ...negatives(g)];
}
