// The `provider` chat command and `vigil provider test` against a real store, hub and the fake
// model servers: admins add providers with sealed keys that are never echoed, tests report latency
// or advice, bad input says what to fix, and every change is audited.

import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import pino from "pino";
import { AuditLog } from "../audit/index.ts";
import type { InboundMessage } from "../core/chat-adapter.ts";
import { ChatHub } from "../core/chat-hub.ts";
import { commandRouter } from "../core/router.ts";
import { openStore, type Store } from "../store/index.ts";
import { SecretBox } from "../store/secret-box.ts";
import { type FakeLlmServer, startFakeOpenAi } from "../testing/fake-llm.ts";
import { freePort } from "../testing/free-port.ts";
import { RecordingAdapter } from "../testing/recording-adapter.ts";
import { tempDir } from "../testing/temp-dir.ts";
import { providerCommands, providerTestCli } from "./provider-commands.ts";
import type { ProviderConfig } from "./provider-config.ts";
import { ProviderStore } from "./provider-store.ts";

const ADMIN = "U_ADMIN";
const KEY = "sk-test-0123456789abcdefSECRET";

describe("provider command", () => {
  const dir = tempDir();
  let store: Store;
  let providers: ProviderStore;
  let audit: AuditLog;
  let chat: ChatHub;
  let fake: FakeLlmServer;
  const changes: [string, ProviderConfig | undefined][] = [];
  const slack = new RecordingAdapter("slack");
  let n = 0;
  let yaml: ProviderConfig;

  before(async () => {
    fake = await startFakeOpenAi({ script: [{ text: "ok" }], apiKey: KEY });
    yaml = { name: "yaml-llm", kind: "openai", baseUrl: fake.baseUrl, model: "gpt-test", apiKey: KEY };
    store = openStore(join(dir.path, "vigil.db"));
    providers = new ProviderStore({ db: store.db, box: new SecretBox("a-test-secret-of-enough-length") });
    audit = new AuditLog({ db: store.db });
    const log = pino({ level: "silent" });
    chat = new ChatHub({ ...store, log });
    chat.use(
      commandRouter({
        commands: providerCommands({
          store: providers,
          configured: [yaml],
          isAdmin: (ctx) => ctx.event.user.id === ADMIN,
          canView: (ctx) => ctx.event.user.id !== "U_STRANGER",
          actorOf: (ctx) => (ctx.event.user.id === ADMIN ? "ada" : `slack:${ctx.event.user.id}`),
          audit,
          onChange: (name, p) => changes.push([name, p]),
        }),
      }),
    );
    chat.attach(slack);
    await chat.start();
  });
  after(async () => {
    await chat.stop();
    await fake.close();
    store.close();
    dir[Symbol.dispose]();
  });

  async function say(user: string, text: string): Promise<string> {
    const before = slack.sent.length;
    const event: InboundMessage = {
      kind: "message",
      platform: "slack",
      conversation: "C1",
      user: { id: user },
      eventId: `e${++n}`,
      receivedAt: new Date(),
      messageId: `1.${n}`,
      text,
    };
    await slack.deliver(event);
    assert.equal(slack.sent.length, before + 1, `one reply to "${text}"`);
    const card = slack.sent.at(-1)!.card;
    return [card.title, card.markdown].join("\n");
  }

  const lastAudit = () => audit.query({ limit: 1 })[0];
  const everyAudit = () => JSON.stringify(audit.query({ limit: 1000 }));

  it("refuses add and remove to non-admins, audits it, and still warns about a pasted key", async () => {
    const reply = await say("U_BOB", `provider add mine openai apiKey=${KEY}`);
    assert.match(reply, /Only a Vigil admin may use `provider add`/);
    assert.match(reply, /contains the API key and slack keeps it: delete that message now/);
    assert.ok(!reply.includes(KEY));
    assert.equal(providers.get("mine"), undefined);
    assert.deepEqual([lastAudit().actor, lastAudit().decision], ["slack:U_BOB", "refused"]);
    assert.match(
      await say("U_BOB", "provider remove yaml-llm"),
      /Only a Vigil admin may use `provider remove`/,
    );
  });

  it("answers bad input with what to fix, never quoting a key back", async () => {
    assert.match(
      await say(ADMIN, "provider add x gpt"),
      /Unknown kind `gpt`; kinds are anthropic, openai, .*openai-compatible/,
    );
    assert.match(
      await say(ADMIN, "provider add x openai-compatible model=m"),
      /Not added: baseUrl: kind openai-compatible needs a baseUrl/,
    );
    assert.match(await say(ADMIN, "provider add x openai baseUrl=not-a-url"), /Not added: baseUrl: /);
    const bare = await say(ADMIN, `provider add x openai ${KEY}`);
    assert.match(bare, /Each option is key=value with key one of baseUrl, model, apiKey/);
    assert.ok(!bare.includes(KEY), "a key pasted without apiKey= is not echoed");
    assert.ok(!(await say(ADMIN, `provider add x ${KEY}`)).includes(KEY));
    assert.match(await say(ADMIN, "provider add"), /Usage: `provider add <name> <kind>/);
    assert.match(
      await say(ADMIN, "provider test nosuch"),
      /There is no provider `nosuch`\. Providers: `yaml-llm`/,
    );
    assert.match(await say(ADMIN, "provider frob"), /`provider frob` is not a subcommand/);
    assert.match(await say("U_STRANGER", "provider list"), /You need a Vigil role/);
    assert.equal(providers.list().length, 0);
  });

  it("adds a provider with its key sealed, never echoing the key, audited without it", async () => {
    const reply = await say(
      ADMIN,
      `provider add fake openai baseUrl=${fake.baseUrl} model=gpt-test apiKey=${KEY}`,
    );
    assert.match(
      reply,
      /Added provider fake \(openai, http:\/\/127\.0\.0\.1:\d+\/v1, model gpt-test\) with its API key sealed/,
    );
    assert.match(reply, /delete that message now/);
    assert.ok(!reply.includes(KEY));
    assert.equal(providers.get("fake")?.apiKey, KEY);
    const row = store.db
      .prepare("SELECT config_json, api_key_sealed FROM llm_providers WHERE name = 'fake'")
      .get() as {
      config_json: string;
      api_key_sealed: string;
    };
    assert.ok(!row.config_json.includes(KEY) && !row.api_key_sealed.includes(KEY), "sealed at rest");
    const entry = lastAudit();
    assert.deepEqual([entry.actor, entry.decision, entry.source], ["ada", "info", "chat"]);
    assert.match(entry.reason ?? "", /^added provider fake \(openai, .*; key sealed\)$/);
    assert.ok(!everyAudit().includes(KEY), "the key is in no audit record");
    assert.equal(changes.at(-1)?.[0], "fake");
    assert.equal(changes.at(-1)?.[1]?.apiKey, KEY);

    const list = await say("U_BOB", "provider list");
    assert.match(list, /\*\*fake\*\*: openai, .*; key sealed \(added by command\)/);
    assert.match(list, /\*\*yaml-llm\*\*: .*key set \(vigil\.yaml\)/);
    assert.ok(!list.includes(KEY));
  });

  it("tests a provider: latency when it answers, advice when the key is wrong", async () => {
    assert.match(
      await say("U_BOB", "provider test fake"),
      /Provider fake \(openai, .*\) answered in \d+ ms\./,
    );
    assert.ok(fake.requests.length > 0);
    await say(
      ADMIN,
      `provider add wrongkey openai baseUrl=${fake.baseUrl} model=gpt-test apiKey=sk-wrong-key-000000`,
    );
    const failed = await say("U_BOB", "provider test wrongkey");
    assert.match(failed, /Provider wrongkey .* failed after \d+ ms: the provider refused the API key/);
    assert.match(failed, /Add it again with the right key: `provider add wrongkey openai apiKey=…`/);
    await say(ADMIN, "provider add nomodel openai baseUrl=http://127.0.0.1:9/v1");
    assert.match(
      await say("U_BOB", "provider test nomodel"),
      /has no default model; name one: `provider test nomodel <model>`/,
    );
  });

  it("removes a provider added by command, not one from vigil.yaml", async () => {
    assert.match(await say(ADMIN, "provider remove yaml-llm"), /defined in vigil\.yaml; remove it there/);
    assert.match(await say(ADMIN, "provider remove wrongkey"), /Removed provider wrongkey\./);
    assert.equal(providers.get("wrongkey"), undefined);
    assert.deepEqual(changes.at(-1), ["wrongkey", undefined]);
    assert.equal(lastAudit().reason, "removed provider wrongkey");
    assert.match(await say(ADMIN, "provider remove wrongkey"), /There is no provider `wrongkey`/);
    assert.equal(audit.verify().ok, true);
  });
});

describe("vigil provider test", () => {
  let fake: FakeLlmServer;
  before(async () => {
    fake = await startFakeOpenAi({ script: [{ text: "ok" }], apiKey: KEY });
  });
  after(() => fake.close());

  it("reports latency for a provider that answers", async () => {
    const providers: ProviderConfig[] = [
      { name: "fake", kind: "openai", baseUrl: fake.baseUrl, model: "m", apiKey: KEY },
    ];
    const result = await providerTestCli("fake", { providers });
    assert.equal(result.ok, true);
    assert.match(
      result.text,
      /^Provider fake \(openai, http:\/\/127\.0\.0\.1:\d+\/v1, model m\) answered in \d+ ms\.$/,
    );
  });

  it("gives advice for an unreachable provider", async () => {
    const port = await freePort();
    const providers: ProviderConfig[] = [
      { name: "down", kind: "openai-compatible", baseUrl: `http://127.0.0.1:${port}/v1`, model: "m" },
    ];
    const result = await providerTestCli("down", { providers });
    assert.equal(result.ok, false);
    assert.match(
      result.text,
      new RegExp(`failed after \\d+ ms: cannot reach http://127\\.0\\.0\\.1:${port}/v1`),
    );
  });

  it("lists the known providers for an unknown name", async () => {
    const result = await providerTestCli("nope", {
      providers: [
        { name: "b", kind: "ollama" },
        { name: "a", kind: "ollama" },
      ],
    });
    assert.deepEqual(result, { ok: false, text: 'There is no provider "nope". Known providers: a, b.' });
    assert.match((await providerTestCli("nope", { providers: [] })).text, /No providers are configured/);
  });
});
