// docker.logs: the last lines of a container's logs, stdout and stderr demultiplexed, capped.

import { z } from "zod";
import { defineTool } from "../define-tool.ts";
import type { Tool } from "../tool.ts";
import {
  containerName,
  containerResource,
  type DockerToolOptions,
  dockerErrorText,
} from "./docker-target.ts";
import { CappedOutput } from "./output-cap.ts";

export interface DockerLogsOptions extends DockerToolOptions {
  /** Output cap in bytes (default 64 KiB). */
  readonly maxOutputBytes?: number;
  readonly now?: () => number;
}

const schema = z.object({
  container: containerName,
  tail: z.number().int().min(1).max(10_000).default(200).describe("Number of lines from the end"),
  since: z
    .string()
    .regex(
      /^(\d+[smhd]|\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2})?)$/,
      "expected a duration like 10m, 2h, 1d or an ISO time",
    )
    .optional()
    .describe("Only logs newer than this: 30s, 10m, 2h, 1d, or an ISO time"),
  timestamps: z.boolean().default(false),
});

export type DockerLogsArgs = z.output<typeof schema>;

/** Unix seconds for a `since` value. */
export function sinceSeconds(since: string, nowMs: number): number {
  const m = /^(\d+)([smhd])$/.exec(since);
  if (m) {
    const unit = { s: 1, m: 60, h: 3600, d: 86400 }[m[2] as "s" | "m" | "h" | "d"];
    return Math.floor(nowMs / 1000) - Number(m[1]) * unit;
  }
  return Math.floor(Date.parse(since) / 1000);
}

/**
 * Splits Docker's multiplexed log stream (8-byte header: stream, 0, 0, 0, uint32 size) into
 * the payloads, in order. A truncated last frame is kept as far as it goes.
 */
export function demultiplexDockerStream(buf: Buffer): Buffer[] {
  const frames: Buffer[] = [];
  let at = 0;
  while (at + 8 <= buf.length) {
    const size = buf.readUInt32BE(at + 4);
    frames.push(buf.subarray(at + 8, Math.min(at + 8 + size, buf.length)));
    at += 8 + size;
  }
  return frames;
}

export function dockerLogsTool(opts: DockerLogsOptions): Tool<DockerLogsArgs> {
  const now = opts.now ?? Date.now;
  return defineTool({
    name: "docker.logs",
    description: "Show the last lines of a container's logs (stdout and stderr).",
    schema,
    permission: () => "read",
    resource: (a) => containerResource(opts, a.container),
    async run(a, ctx) {
      const container = opts.docker.getContainer(a.container);
      let raw: Buffer;
      let tty: boolean;
      try {
        const info = await container.inspect({ abortSignal: ctx.signal });
        tty = info.Config.Tty;
        raw = await container.logs({
          follow: false,
          stdout: true,
          stderr: true,
          tail: a.tail,
          timestamps: a.timestamps,
          ...(a.since ? { since: sinceSeconds(a.since, now()) } : {}),
          abortSignal: ctx.signal,
        });
      } catch (err) {
        return { ok: false, output: `could not read logs: ${dockerErrorText(err, a.container)}` };
      }
      // A TTY container's log is one raw stream; otherwise it is framed.
      const out = new CappedOutput(opts.maxOutputBytes ?? 64 * 1024);
      for (const frame of tty ? [raw] : demultiplexDockerStream(raw)) out.push(frame);
      return { ok: true, output: out.text(), data: { truncated: out.truncated, bytes: out.totalBytes } };
    },
  });
}
