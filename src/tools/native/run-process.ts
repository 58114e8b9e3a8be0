// Runs one local process for a tool: argument array (never a shell), its own process group
// so a timeout or Stop kills everything it started, and capped output.

import { spawn } from "node:child_process";
import { CappedOutput } from "./output-cap.ts";

export interface RunProcessOptions {
  /** Absolute path of the program; never a shell string. */
  readonly file: string;
  readonly args: readonly string[];
  /** argv[0] the program sees; defaults to `file`. */
  readonly argv0?: string;
  readonly cwd: string;
  /** The whole environment of the child; nothing is inherited. */
  readonly env: Record<string, string>;
  readonly timeoutMs: number;
  readonly maxOutputBytes: number;
  readonly signal?: AbortSignal;
}

export interface ProcessOutcome {
  readonly exitCode: number | null;
  readonly exitSignal: string | null;
  readonly timedOut: boolean;
  readonly aborted: boolean;
  /** stdout and stderr interleaved in arrival order, capped. */
  readonly output: string;
  readonly truncated: boolean;
  readonly durationMs: number;
}

/** Spawns, waits, and always kills the process group before returning. */
export function runProcess(opts: RunProcessOptions): Promise<ProcessOutcome> {
  const started = performance.now();
  const out = new CappedOutput(opts.maxOutputBytes);
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) {
      resolve({
        exitCode: null,
        exitSignal: null,
        timedOut: false,
        aborted: true,
        output: "",
        truncated: false,
        durationMs: 0,
      });
      return;
    }
    const child = spawn(opts.file, [...opts.args], {
      argv0: opts.argv0,
      cwd: opts.cwd,
      env: opts.env,
      shell: false,
      // A new process group, so the kill below reaches grandchildren too.
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let timedOut = false;
    let aborted = false;
    const killGroup = () => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // ESRCH: the group is already gone.
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, opts.timeoutMs);
    const onAbort = () => {
      aborted = true;
      killGroup();
    };
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => out.push(c));
    // A background grandchild holding the pipes open would keep "close" from firing.
    child.on("exit", killGroup);
    child.on("error", (err) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onAbort);
      reject(err);
    });
    child.on("close", (code, sig) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onAbort);
      resolve({
        exitCode: code,
        exitSignal: sig,
        timedOut,
        aborted,
        output: out.text(),
        truncated: out.truncated,
        durationMs: Math.round(performance.now() - started),
      });
    });
  });
}

/** One-line notes about how a process ended, for a tool's output. */
export function outcomeNotes(o: ProcessOutcome, timeoutMs: number): string[] {
  const notes: string[] = [];
  if (o.timedOut) notes.push(`[timed out after ${timeoutMs} ms; the process group was killed]`);
  else if (o.aborted) notes.push("[stopped; the process group was killed]");
  else if (o.exitCode !== 0)
    notes.push(o.exitCode === null ? `[killed by ${o.exitSignal}]` : `[exit code ${o.exitCode}]`);
  return notes;
}
