import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createCard, textCard } from "../../src/core/card.ts";
import { renderSlack, SLACK_LIMITS, type SlackBlock, tokensToMrkdwn } from "./render-slack.ts";

const md = (markdown: string) => tokensToMrkdwn(textCard(markdown).tokens);
const sectionTexts = (blocks: SlackBlock[]) =>
  blocks.filter((b) => b.type === "section" && b.text).map((b) => (b.text as { text: string }).text);

/** Fences outside of code must pair up in every message. */
function fencesBalanced(text: string): boolean {
  return (text.match(/^```/gm) ?? []).length % 2 === 0;
}

describe("render-slack: markdown to mrkdwn", () => {
  it("renders bold, italics and strikethrough with Slack's markers", () => {
    assert.equal(md("**bold** and *it* and ~~gone~~"), "*bold* and _it_ and ~gone~");
  });

  it("renders code spans and code blocks, escaping inside them", () => {
    assert.equal(md("run `a<b>`"), "run `a&lt;b&gt;`");
    assert.equal(md("```sh\nif [ a > b ]; then\n```"), "```\nif [ a &gt; b ]; then\n```");
  });

  it("renders links as <url|text> and bare urls as <url>", () => {
    assert.equal(md("[docs](https://x.io/a?b=1&c=2)"), "<https://x.io/a?b=1&amp;c=2|docs>");
    assert.equal(md("<https://x.io>"), "<https://x.io>");
    assert.equal(md("[bad](javascript:alert(1))"), "bad");
  });

  it("escapes &, < and > in text so nothing becomes a mention or link", () => {
    assert.equal(md("a & b <!channel> c > d"), "a &amp; b &lt;!channel&gt; c &gt; d");
  });

  it("renders lists with bullets, numbers and nesting", () => {
    assert.equal(md("- one\n- two\n  - deep"), "• one\n• two\n    ◦ deep");
    assert.equal(md("3. c\n4. d"), "3. c\n4. d");
  });

  it("renders headings bold without nesting bold markers", () => {
    assert.equal(md("# Disk **full**"), "*Disk full*");
  });

  it("renders tables as an aligned code block", () => {
    const out = md("| host | load |\n|---|---|\n| web-1 | 0.5 |\n| db | 12 |");
    assert.equal(out, "```\nhost  | load\n------+-----\nweb-1 | 0.5\ndb    | 12\n```");
  });

  it("renders block quotes and keeps paragraphs apart", () => {
    assert.equal(md("one\n\n> quoted"), "one\n\n> quoted");
  });
});

describe("render-slack: cards", () => {
  it("puts the title in a header, fields in a fields section, buttons in actions and state in context", () => {
    const [part, ...rest] = renderSlack(
      createCard({
        title: "Restart nginx?",
        markdown: "on **web-1**",
        fields: [{ label: "Risk", value: "write" }],
        buttons: [
          { id: "ap:1", label: "Approve", style: "primary" },
          { id: "dn:1", label: "Deny", style: "danger" },
          { id: "mo:1", label: "More" },
        ],
        state: "Waiting for an approver",
      }),
    );
    assert.equal(rest.length, 0);
    assert.deepEqual(
      part.blocks.map((b) => b.type),
      ["header", "section", "section", "actions", "context"],
    );
    assert.deepEqual(part.blocks[0].text, { type: "plain_text", text: "Restart nginx?", emoji: true });
    assert.deepEqual(part.blocks[2].fields, [{ type: "mrkdwn", text: "*Risk*\nwrite" }]);
    const elements = part.blocks[3].elements as Record<string, unknown>[];
    assert.deepEqual(
      elements.map((e) => [e.action_id, e.value, e.style]),
      [
        ["ap:1", "ap:1", "primary"],
        ["dn:1", "dn:1", "danger"],
        ["mo:1", "mo:1", undefined],
      ],
    );
    assert.match(part.text, /\*Restart nginx\?\*\non \*web-1\*/);
  });

  it("splits a long body into several messages, each within a section, without breaking a code block", () => {
    const code = Array.from({ length: 400 }, (_, i) => `line ${i} ${"x".repeat(20)}`).join("\n");
    const card = createCard({
      title: "Logs",
      markdown: `Here:\n\n\`\`\`\n${code}\n\`\`\`\n\nend`,
      buttons: [{ id: "again", label: "Again" }],
      state: "done",
    });
    const parts = renderSlack(card);
    assert.ok(parts.length >= 4, `expected several parts, got ${parts.length}`);
    for (const [i, part] of parts.entries()) {
      const body = sectionTexts(part.blocks).join("\n");
      assert.ok(body.length <= SLACK_LIMITS.sectionText, `part ${i} is ${body.length} chars`);
      assert.ok(fencesBalanced(body), `part ${i} breaks a code block`);
      assert.ok(part.blocks.length <= SLACK_LIMITS.blocksPerMessage);
      assert.equal(part.blocks[0].type === "header", i === 0, "title only on the first part");
      assert.equal(
        part.blocks.some((b) => b.type === "actions" || b.type === "context"),
        i === parts.length - 1,
        "buttons and state only on the last part",
      );
    }
    const all = parts.map((p) => sectionTexts(p.blocks).join("\n")).join("\n");
    for (const i of [0, 199, 399]) assert.ok(all.includes(`line ${i} `), `line ${i} is lost`);
  });

  it("keeps Slack's limits on headers, button labels and fields", () => {
    const [part] = renderSlack(
      createCard({
        title: "t".repeat(400),
        markdown: "x",
        buttons: [{ id: "b", label: "l".repeat(200) }],
        fields: Array.from({ length: 12 }, (_, i) => ({ label: `f${i}`, value: "v".repeat(3000) })),
      }),
    );
    const header = part.blocks[0].text as { text: string };
    assert.ok(header.text.length <= SLACK_LIMITS.headerText);
    const fieldSections = part.blocks.filter((b) => Array.isArray(b.fields));
    assert.equal(fieldSections.length, 2);
    for (const s of fieldSections) {
      const fields = s.fields as { text: string }[];
      assert.ok(fields.length <= SLACK_LIMITS.fieldsPerSection);
      for (const f of fields) assert.ok(f.text.length <= SLACK_LIMITS.fieldText);
    }
    const actions = part.blocks.find((b) => b.type === "actions");
    assert.ok(actions, "the card keeps its button");
    const [button] = actions.elements as { text: { text: string } }[];
    assert.ok(button.text.text.length <= SLACK_LIMITS.buttonText);
  });

  it("renders an empty card as something Slack accepts", () => {
    const [part] = renderSlack(createCard({}));
    assert.ok(part.text.length > 0);
    assert.ok(part.blocks.length > 0);
  });
});
