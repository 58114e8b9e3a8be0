// The audit API: filters, paging, parameter errors, admin auth, verify and the OpenAPI entry.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import Database from "better-sqlite3";
import { T0, webFixture } from "./web-test-kit.ts";

type Page = { entries: { seq: number; tool: string | null; actor: string }[]; nextBeforeSeq: number | null };

describe("audit API", () => {
  it("refuses callers without the admin token", async () => {
    await using s = await webFixture();
    assert.equal((await s.web.inject("/api/audit")).statusCode, 401);
    assert.equal((await s.web.inject("/api/audit/verify")).statusCode, 401);
    const wrong = await s.web.inject({ url: "/api/audit", headers: { authorization: "Bearer vgl_nope" } });
    assert.equal(wrong.statusCode, 401);
  });

  it("returns records newest first, whole, with the chain fields", async () => {
    await using s = await webFixture();
    const res = await s.web.inject({ url: "/api/audit", headers: s.bearer });
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.deepEqual(
      body.entries.map((e: { seq: number }) => e.seq),
      [6, 5, 4, 3, 2, 1],
    );
    assert.equal(body.nextBeforeSeq, null);
    const executed = body.entries.find((e: { seq: number }) => e.seq === 3);
    assert.deepEqual(executed.arguments, { container: "web" });
    assert.equal(executed.resultSummary, "restarted web");
    assert.equal(executed.grantId, "g-1");
    assert.equal(executed.hash, s.audit.get(3)?.hash);
  });

  it("filters by tool, actor, decision, operator, source, conversation and time", async () => {
    await using s = await webFixture();
    const seqs = async (qs: string) => {
      const res = await s.web.inject({ url: `/api/audit?${qs}`, headers: s.bearer });
      assert.equal(res.statusCode, 200, res.body);
      return (res.json() as Page).entries.map((e) => e.seq);
    };
    assert.deepEqual(await seqs("tool=docker.restart"), [3, 2, 1]);
    assert.deepEqual(await seqs("actor=U-alice"), [3, 1]);
    assert.deepEqual(await seqs("decision=executed"), [5, 3]);
    assert.deepEqual(await seqs("operator=observer"), [5, 4]);
    assert.deepEqual(await seqs("source=guard"), [6]);
    assert.deepEqual(await seqs("conversation=C2"), [4]);
    assert.deepEqual(await seqs("tool=docker.restart&decision=executed&actor=U-alice"), [3]);
    assert.deepEqual(await seqs("tool=nothing.like.this"), []);
    // Records are one minute apart from T0: since is inclusive, until exclusive.
    assert.deepEqual(await seqs(`since=${new Date(T0 + 120_000).toISOString()}`), [6, 5, 4, 3]);
    assert.deepEqual(await seqs(`since=${T0 + 60_000}&until=${T0 + 180_000}`), [3, 2]);
    assert.deepEqual(await seqs("tool=&actor="), [6, 5, 4, 3, 2, 1], "empty values mean no filter");
  });

  it("pages with limit and nextBeforeSeq until the oldest record", async () => {
    await using s = await webFixture();
    const seen: number[][] = [];
    let url = "/api/audit?limit=2";
    for (let i = 0; i < 10; i++) {
      const page = (await s.web.inject({ url, headers: s.bearer })).json() as Page;
      seen.push(page.entries.map((e) => e.seq));
      if (page.nextBeforeSeq === null) break;
      url = `/api/audit?limit=2&beforeSeq=${page.nextBeforeSeq}`;
    }
    assert.deepEqual(seen, [
      [6, 5],
      [4, 3],
      [2, 1],
    ]);
    const filtered = (
      await s.web.inject({ url: "/api/audit?tool=docker.restart&limit=2", headers: s.bearer })
    ).json();
    assert.deepEqual(
      filtered.entries.map((e: { seq: number }) => e.seq),
      [3, 2],
    );
    assert.equal(filtered.nextBeforeSeq, 2);
    const last = (
      await s.web.inject({ url: "/api/audit?tool=docker.restart&limit=2&beforeSeq=2", headers: s.bearer })
    ).json();
    assert.deepEqual(
      last.entries.map((e: { seq: number }) => e.seq),
      [1],
    );
    assert.equal(last.nextBeforeSeq, null);
  });

  it("answers a bad parameter with 400 and what to send instead", async () => {
    await using s = await webFixture();
    const cases: [string, RegExp][] = [
      ["since=yesterday", /since must be an ISO time or epoch ms/],
      ["until=2024-13-45T00:00:00Z", /until must be an ISO time or epoch ms/],
      ["since=2024-05-02&until=2024-05-01", /since must be earlier than until/],
      ["limit=0", /limit must be a whole number from 1 to 1000/],
      ["limit=1001", /limit must be a whole number from 1 to 1000/],
      ["limit=ten", /limit must be a whole number/],
      ["beforeSeq=-3", /beforeSeq must be a record number/],
      ["source=web", /source must be one of chat, schedule, incident, guard, system/],
      ["tools=docker.list", /unknown parameter "tools"/],
      ["tool=a&tool=b", /tool must be given once/],
    ];
    for (const [qs, message] of cases) {
      const res = await s.web.inject({ url: `/api/audit?${qs}`, headers: s.bearer });
      assert.equal(res.statusCode, 400, qs);
      assert.equal(res.json().error, "bad_request");
      assert.match(res.json().message, message, qs);
    }
    assert.equal((await s.web.inject({ url: "/api/audit?limit=1000", headers: s.bearer })).statusCode, 200);
  });

  it("verifies the chain and reports tampering done behind Vigil's back", async () => {
    await using s = await webFixture();
    const ok = (await s.web.inject({ url: "/api/audit/verify", headers: s.bearer })).json();
    assert.deepEqual(ok, { ok: true, checked: 6, lastSeq: 6, problems: [] });

    const raw = new Database(s.store.path);
    try {
      raw.exec("DROP TRIGGER audit_log_no_update; UPDATE audit_log SET decision = 'allow' WHERE seq = 6");
    } finally {
      raw.close();
    }
    const bad = (await s.web.inject({ url: "/api/audit/verify", headers: s.bearer })).json();
    assert.equal(bad.ok, false);
    assert.deepEqual(
      bad.problems.map((p: { seq: number; kind: string }) => [p.seq, p.kind]),
      [[6, "edited"]],
    );
  });

  it("documents the audit and operator API in the OpenAPI spec", async () => {
    await using s = await webFixture();
    const spec = (await s.web.inject("/docs/json")).json();
    const params = spec.paths["/api/audit"].get.parameters.map((p: { name: string }) => p.name);
    for (const name of [
      "since",
      "until",
      "actor",
      "tool",
      "decision",
      "operator",
      "source",
      "limit",
      "beforeSeq",
    ]) {
      assert.ok(params.includes(name), `${name} is documented`);
    }
    assert.ok(spec.paths["/api/audit/verify"].get);
    assert.ok(spec.paths["/api/operators"].get);
    assert.ok(spec.paths["/api/operators/{name}"].put.requestBody);
    assert.ok(spec.paths["/api/operators/{name}/overrides"].delete);
    assert.equal(spec.paths["/audit"], undefined, "the HTML page is not API");
  });
});
