// docker.list, docker.logs, docker.restart and docker.compose against a real private dockerd
// running a busybox container with no network.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { ErrorCodes, VigilError } from "../../core/errors.ts";
import { dockerdUnavailable, type PrivateDockerd, startDockerd } from "../../testing/dockerd.ts";
import { waitFor } from "../../testing/wait-for.ts";
import type { ToolContext } from "../tool.ts";
import { COMPOSE_MISSING, dockerComposeTool } from "./docker-compose.ts";
import { dockerListTool } from "./docker-list.ts";
import { demultiplexDockerStream, dockerLogsTool, sinceSeconds } from "./docker-logs.ts";
import { dockerRestartTool } from "./docker-restart.ts";
import { runProcess } from "./run-process.ts";

describe("docker log stream framing", () => {
  it("demultiplexes stdout and stderr frames in order", () => {
    const frame = (stream: number, text: string) => {
      const body = Buffer.from(text);
      const head = Buffer.alloc(8);
      head[0] = stream;
      head.writeUInt32BE(body.length, 4);
      return Buffer.concat([head, body]);
    };
    const raw = Buffer.concat([frame(1, "out 1\n"), frame(2, "err 1\n"), frame(1, "out 2\n")]);
    assert.equal(Buffer.concat(demultiplexDockerStream(raw)).toString(), "out 1\nerr 1\nout 2\n");
  });

  it("turns durations into unix seconds", () => {
    assert.equal(sinceSeconds("10m", 1_000_000_000), 1_000_000 - 600);
    assert.equal(sinceSeconds("2024-01-01T00:00:00Z", 0), 1704067200);
  });
});

describe("docker tools on a private dockerd", { skip: dockerdUnavailable() }, () => {
  let engine: PrivateDockerd;
  let wd: string;
  const ctx = (): ToolContext => ({ signal: new AbortController().signal, workingDirectory: wd });

  before(async () => {
    engine = await startDockerd();
    wd = mkdtempSync(path.join(tmpdir(), "vigil-docker-wd-"));
    await engine.runContainer("web", ["sh", "-c", "echo hello; echo oops >&2; sleep 1000"]);
    await engine.runContainer("chatty", ["sh", "-c", "seq 1 20000; sleep 1000"]);
  });

  after(async () => {
    await engine?.stop();
    if (wd) rmSync(wd, { recursive: true, force: true });
  });

  it("lists the running containers", async () => {
    const tool = dockerListTool({ docker: engine.docker, hostLabel: "test" });
    const args = tool.parseArgs({});
    assert.equal(tool.permission(args), "read");
    assert.equal(tool.resource(args), "docker:test/containers");
    const r = await tool.run(args, ctx());
    assert.equal(r.ok, true, r.output);
    const rows = r.data as { name: string; image: string; state: string }[];
    assert.deepEqual(
      rows.map((x) => [x.name, x.image, x.state]),
      [
        ["chatty", "vigil-test/busybox:latest", "running"],
        ["web", "vigil-test/busybox:latest", "running"],
      ],
    );
  });

  it("reads demultiplexed logs with tail", async () => {
    const tool = dockerLogsTool({ docker: engine.docker });
    await waitFor(
      async () => {
        const r = await tool.run(tool.parseArgs({ container: "web" }), ctx());
        return r.output.includes("oops") && r;
      },
      { timeoutMs: 10_000, what: "web's logs" },
    );
    const r = await tool.run(tool.parseArgs({ container: "web", tail: 10 }), ctx());
    assert.equal(r.ok, true);
    // stdout and stderr are read from two pipes, so their relative order is not fixed.
    assert.deepEqual(r.output.split("\n").sort(), ["", "hello", "oops"]);
    // No 8-byte frame headers leak into the text.
    assert.ok(![0, 1, 2].some((b) => Buffer.from(r.output).includes(b)), JSON.stringify(r.output));
    assert.equal(tool.resource(tool.parseArgs({ container: "web" })), "docker:local/container/web");
  });

  it("caps long logs", async () => {
    const tool = dockerLogsTool({ docker: engine.docker, maxOutputBytes: 2000 });
    await waitFor(
      async () =>
        (await tool.run(tool.parseArgs({ container: "chatty", tail: 1 }), ctx())).output === "20000\n",
      { timeoutMs: 10_000, what: "chatty to finish printing" },
    );
    const r = await tool.run(tool.parseArgs({ container: "chatty", tail: 10_000 }), ctx());
    assert.match(r.output, /output truncated: showed 2000 of \d+ bytes/);
    assert.ok(r.output.startsWith("10001\n"), r.output.slice(0, 20));
  });

  it("says which container is missing", async () => {
    const tool = dockerLogsTool({ docker: engine.docker });
    const r = await tool.run(tool.parseArgs({ container: "nope" }), ctx());
    assert.equal(r.ok, false);
    assert.match(r.output, /no container named nope/);
  });

  it("refuses container names that are not names", () => {
    const tool = dockerRestartTool({ docker: engine.docker });
    assert.throws(() => tool.parseArgs({ container: "../../x" }), /`container`: expected a container name/);
    assert.throws(() => tool.parseArgs({ container: "web; rm -rf /" }), /`container`/);
  });

  it("restarts a container: StartedAt changes and it runs again", async () => {
    const tool = dockerRestartTool({ docker: engine.docker });
    const args = tool.parseArgs({ container: "web", timeoutSeconds: 0 });
    assert.equal(tool.permission(args), "write");
    const before = (await engine.docker.getContainer("web").inspect()).State.StartedAt;
    const r = await tool.run(args, ctx());
    assert.equal(r.ok, true, r.output);
    const after = (await engine.docker.getContainer("web").inspect()).State;
    assert.equal(after.Running, true);
    assert.notEqual(after.StartedAt, before);
    assert.equal((r.data as { startedAt: string }).startedAt, after.StartedAt);
  });

  it("runs docker compose through the plugin, or says how to install it", async () => {
    writeFileSync(
      path.join(wd, "compose.yaml"),
      "services:\n  app:\n    image: vigil-test/busybox:latest\n    command: ['sleep', '1000']\n    network_mode: none\n",
    );
    const tool = dockerComposeTool({ workingDirectory: wd, dockerHost: engine.dockerHost });
    assert.equal(tool.permission(tool.parseArgs({ action: "ps" })), "read");
    assert.equal(tool.permission(tool.parseArgs({ action: "up" })), "write");
    assert.equal(tool.permission(tool.parseArgs({ action: "down" })), "exec");
    await assert.rejects(
      tool.run(tool.parseArgs({ action: "ps", projectDirectory: "../" }), ctx()),
      (err: unknown) => err instanceof VigilError && err.code === ErrorCodes.POLICY_DENIED,
    );
    const probe = await runProcess({
      file: "/bin/sh",
      args: ["-c", "docker compose version"],
      cwd: wd,
      env: { PATH: "/usr/local/bin:/usr/bin:/bin", DOCKER_HOST: engine.dockerHost },
      timeoutMs: 15_000,
      maxOutputBytes: 4096,
    });
    if (probe.exitCode !== 0) {
      await assert.rejects(tool.run(tool.parseArgs({ action: "ps" }), ctx()), (err: unknown) => {
        assert.ok(err instanceof VigilError);
        assert.equal(err.message, COMPOSE_MISSING);
        return true;
      });
      return;
    }
    const up = await tool.run(tool.parseArgs({ action: "up" }), ctx());
    assert.equal(up.ok, true, up.output);
    const ps = await tool.run(tool.parseArgs({ action: "ps" }), ctx());
    assert.match(ps.output, /app/);
    const down = await tool.run(tool.parseArgs({ action: "down" }), ctx());
    assert.equal(down.ok, true, down.output);
  });
});
