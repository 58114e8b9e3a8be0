// filesystem.read: reads a text file (or lists a directory) inside the operator's working
// directory, confined by realpath and re-checked on the opened fd.

import { readdir } from "node:fs/promises";
import { z } from "zod";
import { openConfined } from "../confine.ts";
import { defineTool } from "../define-tool.ts";
import type { Tool } from "../tool.ts";
import { callRoot, describePath } from "./working-directory.ts";

export interface FilesystemReadOptions {
  /** The operator's working directory; every path is confined to it. */
  readonly workingDirectory: string;
  /** Most bytes returned from one file (default 256 KiB). */
  readonly maxBytes?: number;
}

const schema = z.object({
  path: z.string().min(1).describe("File or directory, relative to the working directory"),
});

export type FilesystemReadArgs = z.output<typeof schema>;

export function filesystemReadTool(opts: FilesystemReadOptions): Tool<FilesystemReadArgs> {
  const maxBytes = opts.maxBytes ?? 256 * 1024;
  return defineTool({
    name: "filesystem.read",
    description: "Read a text file, or list a directory, inside the working directory.",
    schema,
    permission: () => "read",
    resource: (a) => `fs:${describePath(opts.workingDirectory, a.path)}`,
    async run(a, ctx) {
      const root = callRoot(opts.workingDirectory, ctx);
      const f = await openConfined(root, a.path, { mode: "read" });
      try {
        if (f.isDirectory) {
          const entries = await readdir(f.path, { withFileTypes: true });
          const names = entries
            .map((e) => (e.isDirectory() ? `${e.name}/` : e.isSymbolicLink() ? `${e.name}@` : e.name))
            .sort();
          return { ok: true, output: names.join("\n"), data: { path: f.path, entries: names } };
        }
        const buf = Buffer.alloc(Math.min(f.size, maxBytes));
        const { bytesRead } = await f.handle.read(buf, 0, buf.length, 0);
        const body = buf.subarray(0, bytesRead);
        const notes: string[] = [];
        if (f.size > maxBytes) notes.push(`[truncated: showed ${maxBytes} of ${f.size} bytes]`);
        if (f.hardlinked)
          notes.push("[note: this file has other hard links, possibly outside the working directory]");
        // A NUL in the first bytes means binary; dumping it would only confuse the model and the chat.
        const binary = body.subarray(0, 8192).includes(0);
        const text = binary ? `[binary file, ${f.size} bytes]` : body.toString("utf8");
        return {
          ok: true,
          output: [text, ...notes].join("\n"),
          data: {
            path: f.path,
            size: f.size,
            truncated: f.size > maxBytes,
            binary,
            hardlinked: f.hardlinked,
          },
        };
      } finally {
        await f.handle.close();
      }
    },
  });
}
