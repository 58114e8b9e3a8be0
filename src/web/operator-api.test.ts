// The operator API: list and show, an edit that persists and is attributed to admin-api,
// validation errors that name the field, unknown operators, reset, and admin auth.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { webFixture } from "./web-test-kit.ts";

const json = { "content-type": "application/json" };

describe("operator API", () => {
  it("lists the shipped operators and shows one", async () => {
    await using s = await webFixture();
    const list = await s.web.inject({ url: "/api/operators", headers: s.bearer });
    assert.equal(list.statusCode, 200);
    assert.deepEqual(
      list
        .json()
        .map((o: { name: string; ceiling: string; edited: boolean }) => [o.name, o.ceiling, o.edited]),
      [
        ["docker", "write", false],
        ["observer", "read", false],
        ["shell", "exec", false],
      ],
    );
    const one = await s.web.inject({ url: "/api/operators/observer", headers: s.bearer });
    assert.equal(one.statusCode, 200);
    assert.deepEqual(one.json().tools, [
      "docker.list",
      "docker.logs",
      "http.check",
      "filesystem.read",
      "mcp.*",
    ]);
    assert.match(one.json().systemPrompt, /read-only/);
    const missing = await s.web.inject({ url: "/api/operators/nobody", headers: s.bearer });
    assert.equal(missing.statusCode, 404);
    assert.match(missing.json().message, /there is no operator "nobody"/);
  });

  it("refuses every operator route without the admin token", async () => {
    await using s = await webFixture();
    assert.equal((await s.web.inject("/api/operators")).statusCode, 401);
    assert.equal((await s.web.inject("/api/operators/docker")).statusCode, 401);
    const put = await s.web.inject({
      method: "PUT",
      url: "/api/operators/docker",
      headers: json,
      payload: { ceiling: "elevate" },
    });
    assert.equal(put.statusCode, 401);
    assert.equal(s.operators.get("docker")?.ceiling, "write", "nothing changed");
    const del = await s.web.inject({ method: "DELETE", url: "/api/operators/docker/overrides" });
    assert.equal(del.statusCode, 401);
  });

  it("edits fields, keeps the edit, attributes it to admin-api and resets to the file", async () => {
    await using s = await webFixture();
    const put = await s.web.inject({
      method: "PUT",
      url: "/api/operators/docker",
      headers: { ...s.bearer, ...json },
      payload: { ceiling: "read", tools: ["docker.list"], model: "openai/gpt-4o-mini", trust: "lenient" },
    });
    assert.equal(put.statusCode, 200, put.body);
    assert.equal(put.json().ceiling, "read");
    assert.deepEqual(put.json().model, { provider: "openai", model: "gpt-4o-mini" });
    assert.equal(put.json().edited, true);

    const again = (await s.web.inject({ url: "/api/operators/docker", headers: s.bearer })).json();
    assert.equal(again.ceiling, "read");
    assert.deepEqual(again.tools, ["docker.list"]);
    assert.equal(again.trust, "lenient");
    assert.equal(s.operators.get("docker")?.ceiling, "read");
    const row = s.store.db
      .prepare("SELECT updated_by FROM operator_overrides WHERE name = 'docker'")
      .get() as {
      updated_by: string;
    };
    assert.equal(row.updated_by, "admin-api");

    const noModel = await s.web.inject({
      method: "PUT",
      url: "/api/operators/docker",
      headers: { ...s.bearer, ...json },
      payload: { model: null },
    });
    assert.equal(noModel.statusCode, 200, noModel.body);
    assert.equal(noModel.json().model, undefined);
    assert.equal(noModel.json().ceiling, "read", "earlier edits stay");

    const reset = await s.web.inject({
      method: "DELETE",
      url: "/api/operators/docker/overrides",
      headers: s.bearer,
    });
    assert.equal(reset.statusCode, 200);
    assert.equal(reset.json().reset, true);
    assert.equal(reset.json().operator.ceiling, "write");
    assert.equal(reset.json().operator.edited, false);
    assert.deepEqual(s.operators.get("docker")?.tools, ["docker.*"]);
    const twice = await s.web.inject({
      method: "DELETE",
      url: "/api/operators/docker/overrides",
      headers: s.bearer,
    });
    assert.equal(twice.json().reset, false);
  });

  it("refuses an invalid edit with 400 naming the field, and stores nothing", async () => {
    await using s = await webFixture();
    const cases: [unknown, RegExp][] = [
      [{ ceiling: "root" }, /ceiling/],
      [{ tools: "docker.*" }, /tools/],
      [{ tools: ["rm -rf /"] }, /tools\.0: a tool name or glob/],
      [{ model: "gpt-4o" }, /model: write the model as provider\/model-id/],
      [{ workingDirectory: "relative/dir" }, /workingDirectory: use an absolute path/],
      [{ description: "" }, /description: describe what this operator is for/],
      [{ trust: "maybe" }, /trust/],
      [{ celing: "read" }, /celing: not an operator field/],
      [{ name: "other" }, /name: an operator cannot be renamed/],
      [{}, /nothing to change/],
      [["ceiling", "read"], /send a JSON object/],
    ];
    for (const [payload, message] of cases) {
      const res = await s.web.inject({
        method: "PUT",
        url: "/api/operators/docker",
        headers: { ...s.bearer, ...json },
        payload: JSON.stringify(payload),
      });
      assert.equal(res.statusCode, 400, JSON.stringify(payload));
      assert.equal(res.json().error, "bad_request");
      assert.match(res.json().message, message, JSON.stringify(payload));
    }
    assert.equal(s.operators.isEdited("docker"), false);
    assert.equal(s.operators.get("docker")?.ceiling, "write");

    const unknown = await s.web.inject({
      method: "PUT",
      url: "/api/operators/ghost",
      headers: { ...s.bearer, ...json },
      payload: { ceiling: "read" },
    });
    assert.equal(unknown.statusCode, 404);
    assert.equal(s.operators.get("ghost"), undefined, "PUT does not create operators");
    const resetUnknown = await s.web.inject({
      method: "DELETE",
      url: "/api/operators/ghost/overrides",
      headers: s.bearer,
    });
    assert.equal(resetUnknown.statusCode, 404);
  });
});
