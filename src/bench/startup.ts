// Startup benchmark: time from spawn to a 200 on /healthz, and idle RSS. The first start on a
// fresh data dir (secret, database, admin token and compile cache created) is reported apart
// from the starts after it, which are what a running installation sees.

import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../testing/free-port.ts";

const VIGIL = join(import.meta.dirname, "..", "vigil.mjs");

async function once(dir: string): Promise<{ readyMs: number; idleRssMb: number }> {
  const port = await freePort();
  const started = performance.now();
  // Run as a user runs it (`npx vigil`, `npm start`): by its shebang, with its V8 settings.
  const child = spawn(VIGIL, ["start"], {
    env: {
      PATH: process.env.PATH,
      HOME: dir,
      VIGIL_DATA_DIR: dir,
      VIGIL_PORT: String(port),
      VIGIL_LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => {
    stderr += d;
  });
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once("exit", (code) => {
      exitCode = code;
      resolve();
    });
    child.once("error", (err) => {
      stderr += String(err);
      exitCode = -1;
      resolve();
    });
  });
  try {
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (exitCode !== undefined) throw new Error(`Vigil exited early (${exitCode}): ${stderr}`);
      if (Date.now() > deadline) throw new Error("Vigil did not become ready within 20 s");
      try {
        if ((await fetch(`http://127.0.0.1:${port}/healthz`)).status === 200) break;
      } catch {}
      await new Promise((r) => setTimeout(r, 5));
    }
    const readyMs = performance.now() - started;
    await new Promise((r) => setTimeout(r, 2000)); // let start-up garbage settle: "idle"
    const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
    const idleRssMb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]) / 1024;
    return { readyMs, idleRssMb };
  } finally {
    child.kill("SIGTERM");
    await exited;
  }
}

export async function benchStartup(runs = 5): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), "vigil-bench-"));
  try {
    const first = await once(dir);
    const results = [];
    for (let i = 0; i < runs; i++) results.push(await once(dir));
    return {
      firstStartReadyMs: Math.round(first.readyMs),
      firstStartIdleRssMb: round1(first.idleRssMb),
      ...summary(runs, results),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const round1 = (x: number) => Math.round(x * 10) / 10;

function summary(runs: number, results: { readyMs: number; idleRssMb: number }[]) {
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return {
    runs,
    readyMsMedian: Math.round(median(results.map((r) => r.readyMs))),
    readyMsMax: Math.round(Math.max(...results.map((r) => r.readyMs))),
    idleRssMbMedian: round1(median(results.map((r) => r.idleRssMb))),
  };
}
