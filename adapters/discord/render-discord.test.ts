// Card → Discord payloads: each markdown element, splitting, buttons within Discord's limits.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createCard, settleCard, textCard } from "../../src/core/card.ts";
import {
  DISCORD_CUSTOM_ID_LIMIT,
  DISCORD_MESSAGE_LIMIT,
  escapeDiscordMarkdown,
  renderDiscordCard,
  renderDiscordEdit,
} from "./render-discord.ts";

const one = (markdown: string) => {
  const parts = renderDiscordCard(textCard(markdown));
  assert.equal(parts.length, 1);
  return parts[0].content;
};

/** Counts ``` fences that open or close a block (at a line start). */
const fences = (s: string) => s.split("\n").filter((l) => /^```/.test(l)).length;

describe("render-discord", () => {
  it("renders bold, italics, strikethrough and code spans natively", () => {
    assert.equal(
      one("**bold** and *it* and ~~gone~~ and `x = 1`"),
      "**bold** and *it* and ~~gone~~ and `x = 1`",
    );
  });

  it("renders a code span containing a backtick with double backticks", () => {
    assert.equal(one("``a ` b``"), "`` a ` b ``");
  });

  it("renders fenced code with its language and defuses ``` inside it", () => {
    const out = one("```sh\necho hi\n```");
    assert.equal(out, "```sh\necho hi\n```");
    const tricky = one("````md\n```\ninner\n```\n````");
    assert.equal(fences(tricky), 2, tricky);
  });

  it("renders links as masked links and bare URLs as they are", () => {
    assert.equal(one("see [the runbook](https://ex.com/r_b)"), "see [the runbook](https://ex.com/r_b)");
    assert.equal(one("go to https://ex.com/a_b now"), "go to https://ex.com/a_b now");
  });

  it("renders headings and the title", () => {
    const parts = renderDiscordCard(createCard({ title: "Disk full", markdown: "# Big\n\n#### small" }));
    assert.equal(parts[0].content, "**Disk full**\n\n# Big\n\n**small**");
  });

  it("renders nested lists, ordered lists and task items", () => {
    assert.equal(one("- a\n- b\n  1. c\n  2. d"), "- a\n- b\n  1. c\n  2. d");
    assert.equal(one("3. x\n4. y"), "3. x\n4. y");
    assert.equal(one("- [x] done\n- [ ] todo"), "- ☑ done\n- ☐ todo");
  });

  it("renders quotes with > on every line", () => {
    assert.equal(one("> one\n> two"), "> one\n> two");
  });

  it("renders tables as aligned code blocks", () => {
    const out = one("| host | load |\n|---|---|\n| web-1 | **0.5** |\n| db | 12 |");
    assert.equal(out, "```\nhost  | load\n------+-----\nweb-1 | 0.5\ndb    | 12\n```");
  });

  it("escapes markdown and mentions in plain text", () => {
    assert.equal(one("a\\*b x_y_z"), "a\\*b x\\_y\\_z");
    assert.equal(escapeDiscordMarkdown("<@123> |spoiler| `x` ~"), "\\<@123> \\|spoiler\\| \\`x\\` \\~");
    assert.equal(
      escapeDiscordMarkdown("# not a header\n- not a list\n1. no"),
      "\\# not a header\n\\- not a list\n1\\. no",
    );
    const card = createCard({ title: "*t*", markdown: "", fields: [{ label: "Host_name", value: "a*b" }] });
    assert.equal(renderDiscordCard(card)[0].content, "**\\*t\\***\n\n**Host\\_name:** a\\*b");
  });

  it("never lets rendered text ping anyone", () => {
    for (const p of renderDiscordCard(textCard("@everyone look")))
      assert.deepEqual(p.allowed_mentions, { parse: [] });
  });

  it("renders fields as bold-label lines and the state as a final italic line", () => {
    const card = createCard({
      markdown: "Restart nginx?",
      fields: [
        { label: "Host", value: "web-1" },
        { label: "Risk", value: "write" },
      ],
      buttons: [{ id: "a1", label: "Approve", style: "primary" }],
    });
    const settled = settleCard(card, "Approved by ana");
    const [p] = renderDiscordCard(settled);
    assert.equal(p.content, "Restart nginx?\n\n**Host:** web-1\n**Risk:** write\n\n*Approved by ana*");
    assert.deepEqual(p.components, []);
  });

  it("renders buttons as action rows of at most five with Discord styles and custom_id = button id", () => {
    const buttons = Array.from({ length: 12 }, (_, i) => ({
      id: `btn.${i}`,
      label: `B${i}`,
      style: i === 0 ? ("primary" as const) : i === 1 ? ("danger" as const) : ("default" as const),
    }));
    const [p] = renderDiscordCard(createCard({ markdown: "pick", buttons }));
    assert.deepEqual(
      p.components.map((r) => r.components.length),
      [5, 5, 2],
    );
    const flat = p.components.flatMap((r) => r.components);
    assert.deepEqual(
      flat.map((b) => b.custom_id),
      buttons.map((b) => b.id),
    );
    assert.deepEqual(
      flat.slice(0, 3).map((b) => b.style),
      [1, 4, 2],
    );
  });

  it("keeps every custom_id within Discord's 100 chars, even for the longest ids a card allows", () => {
    const id = "x".repeat(32);
    const buttons = Array.from({ length: 25 }, (_, i) => ({
      id: `${id.slice(0, 30)}${String(i).padStart(2, "0")}`,
      label: "L",
    }));
    const parts = renderDiscordCard(createCard({ markdown: "many", buttons }));
    const all = parts.flatMap((p) => p.components.flatMap((r) => r.components));
    assert.equal(all.length, 25);
    for (const b of all) assert.ok(b.custom_id.length <= DISCORD_CUSTOM_ID_LIMIT, b.custom_id);
    assert.ok(parts.every((p) => p.components.length <= 5));
  });

  it("splits long output at 2000 chars without breaking a code block, buttons on the last part", () => {
    const code = Array.from({ length: 150 }, (_, i) => `line ${i} ${"x".repeat(20)}`).join("\n");
    const card = createCard({
      markdown: `Output:\n\n\`\`\`log\n${code}\n\`\`\`\n\nDone.`,
      buttons: [{ id: "again", label: "Run again" }],
    });
    const parts = renderDiscordCard(card);
    assert.ok(parts.length >= 3, `expected several parts, got ${parts.length}`);
    for (const p of parts) {
      assert.ok(p.content.length <= DISCORD_MESSAGE_LIMIT, `part of ${p.content.length} chars`);
      assert.equal(fences(p.content) % 2, 0, `unbalanced fence in part:\n${p.content.slice(0, 200)}`);
    }
    assert.ok(
      parts.slice(1).some((p) => p.content.startsWith("```log")),
      "a continued block reopens with its language",
    );
    assert.deepEqual(
      parts.map((p) => p.components.length),
      [...parts.slice(1).map(() => 0), 1],
    );
    const rejoined = parts.map((p) => p.content).join("\n");
    for (const i of [0, 75, 149]) assert.ok(rejoined.includes(`line ${i} `), `line ${i} kept`);
  });

  it("cuts an overlong edit to one message and keeps the state line", () => {
    const card = settleCard(textCard("y".repeat(3000)), "Expired");
    const p = renderDiscordEdit(card);
    assert.ok(p.content.length <= DISCORD_MESSAGE_LIMIT);
    assert.ok(p.content.endsWith("…\n*Expired*"), p.content.slice(-30));
  });

  it("never sends an empty message for an empty card", () => {
    assert.ok(renderDiscordCard(textCard(""))[0].content.length > 0);
  });
});
