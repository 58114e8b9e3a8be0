// The server-rendered admin pages: /audit (login, verify line, filters, paging, escaping) and
// the operators on the status page.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import Database from "better-sqlite3";
import { type WebFixture, webFixture } from "./web-test-kit.ts";

async function login(s: WebFixture): Promise<{ cookie: string }> {
  const res = await s.web.inject({
    method: "POST",
    url: "/login",
    payload: `token=${encodeURIComponent(s.token)}`,
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });
  assert.equal(res.statusCode, 303);
  return { cookie: String(res.headers["set-cookie"]).split(";")[0] };
}

/** The seq of every record row on the page. */
const rowSeqs = (html: string) => [...html.matchAll(/<tr data-seq="(\d+)">/g)].map((m) => Number(m[1]));

describe("admin pages", () => {
  it("sends a visitor without a session to the login page", async () => {
    await using s = await webFixture();
    const res = await s.web.inject("/audit");
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, "/login");
    const bearer = await s.web.inject({ url: "/audit", headers: s.bearer });
    assert.equal(bearer.statusCode, 200, "the admin token works too");
  });

  it("shows the chain status and every record, escaping what the records say", async () => {
    await using s = await webFixture();
    const res = await s.web.inject({ url: "/audit", headers: await login(s) });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /chain intact: 6 records/);
    assert.deepEqual(rowSeqs(res.body), [6, 5, 4, 3, 2, 1]);
    assert.ok(!res.body.includes("<script>alert"), "a reason with markup is not rendered as markup");
    assert.match(res.body, /&lt;script&gt;alert\(&#39;x&#39;\)&lt;\/script&gt; blocked by guard/);
    assert.match(
      res.body,
      /<code>\{&quot;container&quot;:&quot;web&quot;\}<\/code>/,
      "arguments as compact JSON",
    );
    assert.match(res.body, /restarted web/);
    assert.match(res.body, /<a href="\/audit">Audit<\/a>/);
  });

  it("filters, keeps the filters in the form and pages to older records", async () => {
    await using s = await webFixture();
    const headers = await login(s);
    const first = await s.web.inject({ url: "/audit?tool=docker.restart&limit=2", headers });
    assert.equal(first.statusCode, 200);
    assert.deepEqual(rowSeqs(first.body), [3, 2]);
    assert.match(first.body, /<input name="tool" value="docker.restart"/);
    const older = first.body.match(/<a href="([^"]+)" rel="next">/)?.[1];
    assert.equal(older, "/audit?tool=docker.restart&amp;limit=2&amp;beforeSeq=2");
    const second = await s.web.inject({ url: older.replaceAll("&amp;", "&"), headers });
    assert.deepEqual(rowSeqs(second.body), [1]);
    assert.doesNotMatch(second.body, /rel="next"/, "no older link on the last page");
    assert.match(second.body, /<a href="\/audit\?tool=docker.restart&amp;limit=2">Newest<\/a>/);

    const source = await s.web.inject({ url: "/audit?source=schedule&actor=", headers });
    assert.deepEqual(rowSeqs(source.body), [5]);
    assert.match(source.body, /<option value="schedule" selected>/);
  });

  it("explains a bad filter instead of showing records", async () => {
    await using s = await webFixture();
    const res = await s.web.inject({ url: "/audit?since=last%20week&tool=%3Cb%3E", headers: await login(s) });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /since must be an ISO time or epoch ms/);
    assert.match(res.body, /<input name="since" value="last week"/);
    assert.match(res.body, /value="&lt;b&gt;"/, "the submitted value is escaped back into the form");
    assert.deepEqual(rowSeqs(res.body), []);
  });

  it("shows tampering at the top of the page", async () => {
    await using s = await webFixture();
    const raw = new Database(s.store.path);
    try {
      raw.exec("DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq = 3");
    } finally {
      raw.close();
    }
    const res = await s.web.inject({ url: "/audit", headers: await login(s) });
    assert.match(res.body, /chain BROKEN: \d+ problem\(s\) in 5 records/);
    assert.match(res.body, /record 3: missing/);
    assert.doesNotMatch(res.body, /chain intact/);
  });

  it("lists operators with their edits on the status page and links to the audit log", async () => {
    await using s = await webFixture();
    s.operators.set("shell", { ceiling: "write", model: "openai/<img src=x>" }, "test");
    const res = await s.web.inject({ url: "/", headers: await login(s) });
    assert.equal(res.statusCode, 200);
    const table = res.body.match(/<table id="operators">[\s\S]*?<\/table>/)?.[0] ?? "";
    assert.match(
      table,
      /<tr><td>docker<\/td><td>write<\/td><td>strict<\/td><td>\(none\)<\/td><td>docker\.\*<\/td><td><\/td><\/tr>/,
    );
    assert.match(
      table,
      /<tr><td>shell<\/td><td>write<\/td><td>strict<\/td><td>openai\/&lt;img src=x&gt;<\/td><td>shell\.exec, filesystem\.\*<\/td><td>edited<\/td><\/tr>/,
    );
    assert.match(res.body, /<a href="\/audit">audit log<\/a>/);
  });
});
