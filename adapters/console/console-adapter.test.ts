import assert from "node:assert/strict";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { describe, it } from "node:test";
import pino from "pino";
import { createCard, settleCard } from "../../src/core/card.ts";
import { ChatHub } from "../../src/core/chat-hub.ts";
import { openStore } from "../../src/store/index.ts";
import { tempDir } from "../../src/testing/temp-dir.ts";
import { ConsoleAdapter } from "./console-adapter.ts";
import { renderConsole } from "./render-console.ts";

async function converse(lines: string[], setup: (hub: ChatHub) => void): Promise<string> {
  using dir = tempDir();
  const store = openStore(join(dir.path, "v.db"));
  const hub = new ChatHub({ ...store, log: pino({ level: "silent" }) });
  setup(hub);
  const input = new PassThrough();
  const output = new PassThrough();
  let text = "";
  output.on("data", (chunk: Buffer) => {
    text += chunk.toString();
  });
  const adapter = new ConsoleAdapter({ input, output, user: { id: "ops", name: "ops" } });
  hub.attach(adapter);
  await hub.start();
  input.end(`${lines.join("\n")}\n`);
  await adapter.done;
  await hub.idle();
  store.close();
  return text;
}

describe("console adapter", () => {
  it("shows buttons as numbered choices and a typed number clicks the button as the console user", async () => {
    const clicks: string[] = [];
    const out = await converse(["deploy", "2", "2"], (hub) => {
      hub.onAction("choose", async (ctx, payload) => {
        clicks.push(`${ctx.event.user.id}:${String(payload)}`);
        if (ctx.event.kind === "action")
          await ctx.update(
            ctx.event.message,
            settleCard(createCard({ markdown: "Deploy?" }), `${payload} by ${ctx.event.user.id}`),
          );
      });
      hub.use(async (ctx) => {
        await ctx.reply(
          createCard({
            markdown: "Deploy?",
            buttons: [
              ctx.button("Yes", "choose", "yes", "primary"),
              ctx.button("No", "choose", "no", "danger"),
            ],
          }),
        );
      });
    });
    assert.match(out, /Deploy\?\n\[1\] Yes {2}\[2\] No/);
    assert.deepEqual(clicks, ["ops:no"], "the second '2' no longer matches a live button");
    assert.match(out, /\(no by ops\)/);
  });

  it("answers each line in order and treats every line as one session", async () => {
    const sessions = new Set<string>();
    const out = await converse(["one", "two"], (hub) => {
      hub.use(async (ctx) => {
        sessions.add(ctx.session.id);
        await ctx.reply(`got ${ctx.text}`);
      });
    });
    assert.match(out, /got one\n\ngot two/);
    assert.equal(sessions.size, 1);
  });

  it("renders markdown as plain terminal text", () => {
    const text = renderConsole(
      createCard({
        title: "T",
        markdown:
          "**bold** and _it_ and `code` [docs](https://x.example)\n\n- a\n- b\n\n```\nline\n```\n\n| k | v |\n|---|---|\n| a | 1 |",
        fields: [{ label: "Risk", value: "high" }],
      }),
    );
    assert.match(text, /^== T ==\nbold and it and `code` docs \(https:\/\/x\.example\)/);
    assert.match(text, /• a\n• b/);
    assert.match(text, / {4}line/);
    assert.match(text, /k {2}v\n- {2}-\na {2}1/);
    assert.match(text, /Risk {2}high/);
  });
});
