// filesystem.write: writes a file inside the operator's working directory. The file is opened
// without following a final symlink and checked by fd before anything is truncated or written.

import { z } from "zod";
import { ErrorCodes, VigilError } from "../../core/errors.ts";
import { openConfined } from "../confine.ts";
import { defineTool } from "../define-tool.ts";
import type { Tool } from "../tool.ts";
import { callRoot, describePath } from "./working-directory.ts";

export interface FilesystemWriteOptions {
  /** The operator's working directory; every path is confined to it. */
  readonly workingDirectory: string;
  /** Largest content accepted, in bytes (default 1 MiB). */
  readonly maxBytes?: number;
}

const schema = z.object({
  path: z.string().min(1).describe("File to write, relative to the working directory"),
  content: z.string().describe("UTF-8 text to write"),
  mode: z
    .enum(["overwrite", "append", "create"])
    .default("overwrite")
    .describe("overwrite replaces, append adds to the end, create fails if the file exists"),
});

export type FilesystemWriteArgs = z.output<typeof schema>;

export function filesystemWriteTool(opts: FilesystemWriteOptions): Tool<FilesystemWriteArgs> {
  const maxBytes = opts.maxBytes ?? 1024 * 1024;
  return defineTool({
    name: "filesystem.write",
    description: "Write a text file inside the working directory (overwrite, append or create).",
    schema,
    permission: () => "write",
    resource: (a) => `fs:${describePath(opts.workingDirectory, a.path)}`,
    async run(a, ctx) {
      const root = callRoot(opts.workingDirectory, ctx);
      const data = Buffer.from(a.content, "utf8");
      if (data.length > maxBytes) {
        throw new VigilError(
          ErrorCodes.USAGE,
          `the content is ${data.length} bytes; the limit is ${maxBytes} bytes`,
        );
      }
      const f = await openConfined(root, a.path, { mode: a.mode });
      try {
        // Truncate only now: the fd was checked to lie inside the working directory.
        if (a.mode === "overwrite" && !f.created) await f.handle.truncate(0);
        await f.handle.writeFile(data);
      } finally {
        await f.handle.close();
      }
      const notes = f.hardlinked
        ? ["[note: this file has other hard links, possibly outside the working directory]"]
        : [];
      const verb = f.created ? "created" : a.mode === "append" ? "appended to" : "overwrote";
      return {
        ok: true,
        output: [`${verb} ${f.path} (${data.length} bytes)`, ...notes].join("\n"),
        data: { path: f.path, bytes: data.length, created: f.created, hardlinked: f.hardlinked },
      };
    },
  });
}
