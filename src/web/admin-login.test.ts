import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { openStore } from "../store/index.ts";
import { tempDir } from "../testing/temp-dir.ts";
import { AdminAuth } from "./admin-auth.ts";
import { buildWeb } from "./build-web.ts";

async function setup() {
  const dir = tempDir();
  const store = openStore(join(dir.path, "v.db"));
  const auth = new AdminAuth({ meta: store.meta, cookieKey: Buffer.alloc(32, 7) });
  const token = auth.ensureToken();
  assert.ok(token);
  const web = await buildWeb({
    auth,
    status: {
      version: "1.2.3",
      startedAt: new Date(),
      adapters: () => [
        {
          platform: "slack",
          state: "error",
          since: new Date(0),
          lastError: "Slack refused the bot token <script>",
        },
      ],
      sessionCount: () => 4,
    },
    corsOrigins: ["https://ops.example.com"],
  });
  return {
    web,
    token,
    auth,
    async [Symbol.asyncDispose]() {
      await web.close();
      store.close();
      dir[Symbol.dispose]();
    },
  };
}

describe("admin web", () => {
  it("serves /healthz without login, with each adapter's state", async () => {
    await using s = await setup();
    const res = await s.web.inject("/healthz");
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.equal(body.status, "ok");
    assert.equal(body.version, "1.2.3");
    assert.deepEqual(body.adapters[0], {
      platform: "slack",
      state: "error",
      since: "1970-01-01T00:00:00.000Z",
      lastError: "Slack refused the bot token <script>",
    });
  });

  it("refuses the API with no token and with a wrong token, and accepts the admin token", async () => {
    await using s = await setup();
    assert.equal((await s.web.inject("/api/status")).statusCode, 401);
    assert.equal(
      (await s.web.inject({ url: "/api/status", headers: { authorization: "Bearer vgl_wrong" } })).statusCode,
      401,
    );
    const ok = await s.web.inject({ url: "/api/status", headers: { authorization: `Bearer ${s.token}` } });
    assert.equal(ok.statusCode, 200);
    assert.equal(ok.json().sessions, 4);
  });

  it("logs in with the token through the form, and refuses a wrong or missing one", async () => {
    await using s = await setup();
    const page = await s.web.inject("/");
    assert.equal(page.statusCode, 303);
    assert.equal(page.headers.location, "/login");

    const wrong = await s.web.inject({
      method: "POST",
      url: "/login",
      payload: "token=vgl_nope",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    assert.equal(wrong.statusCode, 401);
    assert.equal(wrong.headers["set-cookie"], undefined);
    const missing = await s.web.inject({
      method: "POST",
      url: "/login",
      payload: {},
      headers: { "content-type": "application/json" },
    });
    assert.equal(missing.statusCode, 401);

    const good = await s.web.inject({
      method: "POST",
      url: "/login",
      payload: `token=${encodeURIComponent(s.token)}`,
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    assert.equal(good.statusCode, 303);
    const cookie = String(good.headers["set-cookie"]).split(";")[0];
    const home = await s.web.inject({ url: "/", headers: { cookie } });
    assert.equal(home.statusCode, 200);
    assert.match(home.body, /Vigil 1\.2\.3/);
    assert.match(home.body, /Slack refused the bot token &lt;script&gt;/, "adapter errors are escaped");
    const forged = await s.web.inject({
      url: "/",
      headers: { cookie: `vigil_admin=${Date.now() + 1e6}.AAAA` },
    });
    assert.equal(forged.statusCode, 303);
  });

  it("stores the token only as a hash and never issues it twice", async () => {
    await using s = await setup();
    assert.equal(s.auth.ensureToken(), undefined);
    assert.ok(s.auth.verifyToken(s.token));
    assert.ok(!s.auth.verifyToken(undefined));
  });

  it("publishes the OpenAPI UI and answers CORS only for configured origins", async () => {
    await using s = await setup();
    assert.equal((await s.web.inject("/docs/")).statusCode, 200);
    const spec = (await s.web.inject("/docs/json")).json();
    assert.ok(spec.paths["/api/status"]);
    const allowed = await s.web.inject({ url: "/healthz", headers: { origin: "https://ops.example.com" } });
    assert.equal(allowed.headers["access-control-allow-origin"], "https://ops.example.com");
    const other = await s.web.inject({ url: "/healthz", headers: { origin: "https://evil.example" } });
    assert.equal(other.headers["access-control-allow-origin"], undefined);
  });
});
