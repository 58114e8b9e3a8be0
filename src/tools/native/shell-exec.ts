// shell.exec: runs one program with an argument array (never a shell string) in the
// operator's working directory, with a scrubbed environment, a timeout and capped output.
//
// Confinement choices: a bare command name is looked up on a fixed PATH (never the caller's);
// a command containing "/" is a path and must resolve inside the working directory. Arguments
// that name a path outside it (absolute, `..`, or through a symlink; also after `--opt=`) are
// refused. That is a speed bump for honest mistakes, not a sandbox: a program can open any
// path it computes, which is why this tool needs `exec` and the guard watches processes.

import { accessSync, constants as C, statSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { ErrorCodes, isVigilError, VigilError } from "../../core/errors.ts";
import { resolveConfined } from "../confine.ts";
import { defineTool } from "../define-tool.ts";
import type { Tool } from "../tool.ts";
import { outcomeNotes, runProcess } from "./run-process.ts";
import { callRoot, describePath } from "./working-directory.ts";

/** The PATH every command is looked up on and runs with. */
export const FIXED_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

export interface ShellExecOptions {
  /** The operator's working directory: the cwd and HOME of every command. */
  readonly workingDirectory: string;
  /** Default and maximum timeout (default 30 s, max 10 min). */
  readonly timeoutMs?: number;
  readonly maxTimeoutMs?: number;
  /** Output cap in bytes, stdout and stderr together (default 64 KiB). */
  readonly maxOutputBytes?: number;
  /** PATH used for lookup and passed to the child (default FIXED_PATH). */
  readonly path?: string;
  /** LANG passed to the child (default C.UTF-8). */
  readonly lang?: string;
}

const schema = z.object({
  command: z
    .string()
    .min(1)
    .describe("Program name looked up on a fixed PATH, or a relative path inside the working directory"),
  args: z.array(z.string()).default([]).describe("Arguments, one per element; no shell expansion"),
  timeoutMs: z.number().int().positive().optional().describe("Timeout in milliseconds"),
});

export type ShellExecArgs = z.output<typeof schema>;

export function shellExecTool(opts: ShellExecOptions): Tool<ShellExecArgs> {
  const defaultTimeout = opts.timeoutMs ?? 30_000;
  const maxTimeout = opts.maxTimeoutMs ?? 600_000;
  const searchPath = opts.path ?? FIXED_PATH;
  return defineTool({
    name: "shell.exec",
    description:
      "Run one program with an argument array in the working directory (no shell: no pipes, globs or $VARS). " +
      "Paths outside the working directory are refused.",
    schema,
    permission: () => "exec",
    resource: (a) => `shell:${describePath(opts.workingDirectory, ".")}:${a.command}`,
    async run(a, ctx) {
      const root = callRoot(opts.workingDirectory, ctx);
      const file = resolveCommand(root, a.command, searchPath);
      for (const [i, arg] of a.args.entries()) checkArgument(root, arg, i);
      const timeoutMs = Math.min(a.timeoutMs ?? defaultTimeout, maxTimeout);
      const outcome = await runProcess({
        file,
        args: a.args,
        argv0: a.command,
        cwd: root,
        env: { PATH: searchPath, HOME: root, LANG: opts.lang ?? "C.UTF-8" },
        timeoutMs,
        maxOutputBytes: opts.maxOutputBytes ?? 64 * 1024,
        signal: ctx.signal,
      });
      const notes = outcomeNotes(outcome, timeoutMs);
      return {
        ok: outcome.exitCode === 0 && !outcome.timedOut && !outcome.aborted,
        output: [outcome.output, ...notes].filter((s) => s !== "").join("\n"),
        data: {
          exitCode: outcome.exitCode,
          signal: outcome.exitSignal,
          timedOut: outcome.timedOut,
          truncated: outcome.truncated,
          durationMs: outcome.durationMs,
        },
      };
    },
  });
}

/** Absolute path of the program to run. */
function resolveCommand(root: string, command: string, searchPath: string): string {
  if (command.includes("\0"))
    throw new VigilError(ErrorCodes.POLICY_DENIED, "the command contains a NUL byte");
  if (command.includes("/")) {
    const target = resolveConfined(root, command, { mustExist: true });
    if (!isExecutableFile(target.path)) {
      throw new VigilError(ErrorCodes.USAGE, `${command} is not an executable file in the working directory`);
    }
    return target.path;
  }
  for (const dir of searchPath.split(":")) {
    if (dir === "" || !path.isAbsolute(dir)) continue;
    const candidate = path.join(dir, command);
    if (isExecutableFile(candidate)) return candidate;
  }
  throw new VigilError(
    ErrorCodes.USAGE,
    `command ${JSON.stringify(command)} was not found on ${searchPath} — install it, or give a relative path to a program in the working directory`,
  );
}

function isExecutableFile(p: string): boolean {
  try {
    accessSync(p, C.X_OK);
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Refuses an argument that names a path outside the working directory. */
function checkArgument(root: string, arg: string, index: number): void {
  if (arg.includes("\0"))
    throw new VigilError(ErrorCodes.POLICY_DENIED, `argument ${index} contains a NUL byte`);
  const eq = arg.indexOf("=");
  const candidates = eq > 0 && arg.startsWith("-") ? [arg, arg.slice(eq + 1)] : [arg];
  for (const c of candidates) {
    if (c === "") continue;
    try {
      resolveConfined(root, c);
    } catch (err) {
      if (isVigilError(err) && err.code === ErrorCodes.POLICY_DENIED) {
        throw new VigilError(
          ErrorCodes.POLICY_DENIED,
          `argument ${index} (${JSON.stringify(arg)}) names a path outside the working directory ${root}`,
          { cause: err },
        );
      }
      // Not a path that exists, not a directory, etc.: an ordinary argument.
    }
  }
}
