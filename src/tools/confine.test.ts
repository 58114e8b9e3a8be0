// Tries to break invariant 6: every path escape from the working directory is refused,
// including a symlink swapped in between the check and the open.

import assert from "node:assert/strict";
import {
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { ErrorCodes, VigilError } from "../core/errors.ts";
import { type OpenMode, openConfined, resolveConfined } from "./confine.ts";

const SECRET = "OUTSIDE SECRET";

describe("path confinement", () => {
  let base: string;
  let root: string;

  before(() => {
    base = mkdtempSync(path.join(tmpdir(), "vigil-confine-"));
    root = path.join(base, "work");
    mkdirSync(root);
    writeFileSync(path.join(base, "outside.txt"), SECRET);
    mkdirSync(path.join(base, "outdir"));
    writeFileSync(path.join(base, "outdir", "secret.txt"), SECRET);
    mkdirSync(path.join(base, "work-evil"));
    writeFileSync(path.join(base, "work-evil", "secret.txt"), SECRET);
    writeFileSync(path.join(base, "outside-hard.txt"), SECRET);

    writeFileSync(path.join(root, "a.txt"), "inside a");
    mkdirSync(path.join(root, "sub"));
    writeFileSync(path.join(root, "sub", "b.txt"), "inside b");
    mkdirSync(path.join(root, "~"));
    symlinkSync("../outside.txt", path.join(root, "link-out"));
    symlinkSync(path.join(base, "outside.txt"), path.join(root, "abs-link-out"));
    symlinkSync(path.join(base, "outdir"), path.join(root, "dir-out"));
    symlinkSync("chain2", path.join(root, "chain1"));
    symlinkSync("sub/chain3", path.join(root, "chain2"));
    symlinkSync("../../outside.txt", path.join(root, "sub", "chain3"));
    symlinkSync("/nonexistent-vigil-confine/file", path.join(root, "dangling-out"));
    symlinkSync("../never-created.txt", path.join(root, "dangling-rel-out"));
    symlinkSync("/", path.join(root, "rootlink"));
    symlinkSync("/proc/self/root", path.join(root, "proclink"));
    symlinkSync("/proc/self/cwd", path.join(root, "cwdlink"));
    symlinkSync("loop2", path.join(root, "loop1"));
    symlinkSync("loop1", path.join(root, "loop2"));
    symlinkSync("/dev/zero", path.join(root, "devlink"));
    symlinkSync("..", path.join(root, "parentlink"));
    symlinkSync(base, path.join(root, "baselink"));
    symlinkSync("a.txt", path.join(root, "in-link"));
    symlinkSync("sub", path.join(root, "sub-link"));
    writeFileSync(path.join(root, "%2e%2e%2foutside.txt"), "literal percent name");
    writeFileSync(path.join(root, "..%2f..%2foutside.txt"), "literal dotdot-percent name");
    writeFileSync(path.join(root, "..\\..\\outside.txt"), "literal backslash name");
    writeFileSync(path.join(root, "...."), "four dots");
    linkSync(path.join(base, "outside-hard.txt"), path.join(root, "hard-in"));
  });

  after(() => {
    rmSync(base, { recursive: true, force: true });
  });

  const escapes: { what: string; path: () => string; mode: OpenMode }[] = [
    { what: "plain dot-dot", path: () => "..", mode: "read" },
    { what: "dot-dot with trailing slash", path: () => "../", mode: "read" },
    { what: "dot-dot to a sibling file", path: () => "../outside.txt", mode: "read" },
    { what: "many dot-dots to /etc/passwd", path: () => "../../../../../../../../etc/passwd", mode: "read" },
    { what: "dot-dot after a subdirectory", path: () => "sub/../../outside.txt", mode: "read" },
    { what: "dot-slash then dot-dot", path: () => "./../outside.txt", mode: "read" },
    { what: "mixed dots and double slashes", path: () => "sub/./../..//outside.txt", mode: "read" },
    { what: "double slashes between dot-dots", path: () => "..//..//..//etc/passwd", mode: "read" },
    { what: "in and out of a subdirectory twice", path: () => "sub/../sub/../../outside.txt", mode: "read" },
    { what: "tilde is literal, dot-dots still leave", path: () => "~/../../outside.txt", mode: "read" },
    { what: "absolute /etc/passwd", path: () => "/etc/passwd", mode: "read" },
    { what: "absolute path of a sibling file", path: () => path.join(base, "outside.txt"), mode: "read" },
    {
      what: "sibling directory sharing the root's name prefix",
      path: () => `${root}-evil/secret.txt`,
      mode: "read",
    },
    {
      what: "relative path into the prefix-sharing sibling",
      path: () => "../work-evil/secret.txt",
      mode: "read",
    },
    { what: "leading double slash", path: () => "//etc/passwd", mode: "read" },
    {
      what: "absolute path with dot-dot from inside the root",
      path: () => `${root}/sub/../../outside.txt`,
      mode: "read",
    },
    { what: "/proc/self/root", path: () => "/proc/self/root/etc/passwd", mode: "read" },
    { what: "/proc/self/cwd", path: () => "/proc/self/cwd/package.json", mode: "read" },
    { what: "relative symlink to an outside file", path: () => "link-out", mode: "read" },
    { what: "absolute symlink to an outside file", path: () => "abs-link-out", mode: "read" },
    { what: "symlinked directory in the path", path: () => "dir-out/secret.txt", mode: "read" },
    { what: "symlinked directory with trailing slash", path: () => "dir-out/", mode: "read" },
    { what: "symlink chain in, in, out", path: () => "chain1", mode: "read" },
    { what: "dangling symlink pointing out (read)", path: () => "dangling-out", mode: "read" },
    { what: "symlink to /", path: () => "rootlink/etc/passwd", mode: "read" },
    { what: "symlink to /proc/self/root", path: () => "proclink/etc/passwd", mode: "read" },
    { what: "symlink to /proc/self/cwd", path: () => "cwdlink", mode: "read" },
    { what: "symlink to a device outside", path: () => "devlink", mode: "read" },
    { what: "symlink to the parent directory", path: () => "parentlink/outside.txt", mode: "read" },
    {
      what: "symlink to the parent, then back into a sibling",
      path: () => "baselink/work-evil/secret.txt",
      mode: "read",
    },
    { what: "symlink loop", path: () => "loop1", mode: "read" },
    { what: "NUL byte hiding a traversal", path: () => "a.txt\0../../outside.txt", mode: "read" },
    { what: "trailing NUL byte", path: () => "a.txt\0", mode: "read" },
    { what: "writing the root itself as '.'", path: () => ".", mode: "overwrite" },
    { what: "writing the root itself as 'sub/..'", path: () => "sub/..", mode: "overwrite" },
    { what: "writing the root by its absolute path", path: () => root, mode: "overwrite" },
    { what: "writing through a dot-dot", path: () => "../outside.txt", mode: "overwrite" },
    { what: "writing through a symlink to an outside file", path: () => "link-out", mode: "overwrite" },
    { what: "appending through a symlink chain", path: () => "chain1", mode: "append" },
    {
      what: "writing a new file in a symlinked outside directory",
      path: () => "dir-out/new.txt",
      mode: "create",
    },
    {
      what: "writing through a dangling symlink pointing out",
      path: () => "dangling-out",
      mode: "overwrite",
    },
    { what: "creating through a relative dangling symlink", path: () => "dangling-rel-out", mode: "create" },
    { what: "writing with a NUL byte", path: () => "new\0.txt", mode: "create" },
    {
      what: "writing an absolute outside path",
      path: () => path.join(base, "outside.txt"),
      mode: "overwrite",
    },
  ];

  it(`has at least 30 distinct escape attempts (${escapes.length})`, () => {
    assert.ok(escapes.length >= 30);
    assert.equal(new Set(escapes.map((e) => e.what)).size, escapes.length);
  });

  for (const e of escapes) {
    it(`refuses ${e.what}`, async () => {
      await assert.rejects(openConfined(root, e.path(), { mode: e.mode }), (err: unknown) => {
        assert.ok(err instanceof VigilError, `expected a VigilError, got ${String(err)}`);
        assert.equal(err.code, ErrorCodes.POLICY_DENIED, err.message);
        return true;
      });
    });
  }

  it("left every outside file untouched and created nothing outside", () => {
    assert.equal(readFileSync(path.join(base, "outside.txt"), "utf8"), SECRET);
    assert.equal(readFileSync(path.join(base, "outdir", "secret.txt"), "utf8"), SECRET);
    assert.equal(existsSync(path.join(base, "outdir", "new.txt")), false);
    assert.equal(existsSync(path.join(base, "never-created.txt")), false);
    assert.equal(existsSync("/nonexistent-vigil-confine"), false);
  });

  describe("symlink swapped after the check", () => {
    it("refuses a read when the last component becomes a symlink", async () => {
      const dir = mkdtempSync(path.join(root, "swap-"));
      writeFileSync(path.join(dir, "f.txt"), "inside");
      await assert.rejects(
        openConfined(root, `${path.basename(dir)}/f.txt`, {
          mode: "read",
          beforeOpen: () => {
            rmSync(path.join(dir, "f.txt"));
            symlinkSync(path.join(base, "outside.txt"), path.join(dir, "f.txt"));
          },
        }),
        denied,
      );
    });

    it("refuses an overwrite when the last component becomes a symlink, outside file intact", async () => {
      const dir = mkdtempSync(path.join(root, "swap-"));
      writeFileSync(path.join(dir, "f.txt"), "inside");
      await assert.rejects(
        openConfined(root, `${path.basename(dir)}/f.txt`, {
          mode: "overwrite",
          beforeOpen: () => {
            rmSync(path.join(dir, "f.txt"));
            symlinkSync(path.join(base, "outside.txt"), path.join(dir, "f.txt"));
          },
        }),
        denied,
      );
      assert.equal(readFileSync(path.join(base, "outside.txt"), "utf8"), SECRET);
    });

    it("refuses a read when a directory in the path becomes a symlink out", async () => {
      const dir = mkdtempSync(path.join(root, "swap-"));
      mkdirSync(path.join(dir, "d"));
      writeFileSync(path.join(dir, "d", "secret.txt"), "inside");
      await assert.rejects(
        openConfined(root, `${path.basename(dir)}/d/secret.txt`, {
          mode: "read",
          beforeOpen: () => {
            renameSync(path.join(dir, "d"), path.join(dir, "d.old"));
            symlinkSync(path.join(base, "outdir"), path.join(dir, "d"));
          },
        }),
        denied,
      );
    });

    it("refuses a create when a directory becomes a symlink out, and removes the stray file", async () => {
      const dir = mkdtempSync(path.join(root, "swap-"));
      mkdirSync(path.join(dir, "d"));
      await assert.rejects(
        openConfined(root, `${path.basename(dir)}/d/planted.txt`, {
          mode: "create",
          beforeOpen: () => {
            renameSync(path.join(dir, "d"), path.join(dir, "d.old"));
            symlinkSync(path.join(base, "outdir"), path.join(dir, "d"));
          },
        }),
        denied,
      );
      assert.equal(existsSync(path.join(base, "outdir", "planted.txt")), false);
    });

    it("refuses an overwrite when a directory becomes a symlink out, without truncating", async () => {
      const dir = mkdtempSync(path.join(root, "swap-"));
      mkdirSync(path.join(dir, "d"));
      writeFileSync(path.join(dir, "d", "secret.txt"), "inside");
      await assert.rejects(
        openConfined(root, `${path.basename(dir)}/d/secret.txt`, {
          mode: "overwrite",
          beforeOpen: () => {
            renameSync(path.join(dir, "d"), path.join(dir, "d.old"));
            symlinkSync(path.join(base, "outdir"), path.join(dir, "d"));
          },
        }),
        denied,
      );
      assert.equal(readFileSync(path.join(base, "outdir", "secret.txt"), "utf8"), SECRET);
    });
  });

  describe("legitimate paths", () => {
    const reads: [string, string][] = [
      ["a.txt", "inside a"],
      ["./a.txt", "inside a"],
      ["sub/b.txt", "inside b"],
      ["sub/../a.txt", "inside a"],
      ["sub//b.txt", "inside b"],
      ["in-link", "inside a"],
      ["sub-link/b.txt", "inside b"],
      ["%2e%2e%2foutside.txt", "literal percent name"],
      ["..%2f..%2foutside.txt", "literal dotdot-percent name"],
      ["..\\..\\outside.txt", "literal backslash name"],
      ["....", "four dots"],
    ];
    for (const [p, content] of reads) {
      it(`reads ${JSON.stringify(p)}`, async () => {
        const f = await openConfined(root, p, { mode: "read" });
        try {
          assert.equal(await f.handle.readFile("utf8"), content);
          assert.ok(f.path.startsWith(`${f.root}/`));
        } finally {
          await f.handle.close();
        }
      });
    }

    it("reads an absolute path inside the root", async () => {
      const f = await openConfined(root, path.join(root, "sub", "b.txt"), { mode: "read" });
      await f.handle.close();
      assert.equal(f.path, path.join(f.root, "sub", "b.txt"));
    });

    it("resolves through a root that is itself a symlink", () => {
      const alias = path.join(base, "work-alias");
      symlinkSync(root, alias);
      const r = resolveConfined(alias, "sub/b.txt", { mustExist: true });
      assert.equal(r.path, path.join(root, "sub", "b.txt"));
    });

    it("opens a directory for reading", async () => {
      const f = await openConfined(root, "sub/", { mode: "read" });
      await f.handle.close();
      assert.equal(f.isDirectory, true);
    });

    it("allows a hard link but notes it", async () => {
      const f = await openConfined(root, "hard-in", { mode: "read" });
      await f.handle.close();
      assert.equal(f.hardlinked, true);
    });

    it("creates, overwrites without leftovers and appends", async () => {
      const c = await openConfined(root, "sub/new.txt", { mode: "create" });
      await c.handle.writeFile("12345");
      await c.handle.close();
      assert.equal(c.created, true);
      const o = await openConfined(root, "sub/new.txt", { mode: "overwrite" });
      await o.handle.truncate(0);
      await o.handle.writeFile("ab");
      await o.handle.close();
      const a = await openConfined(root, "sub/new.txt", { mode: "append" });
      await a.handle.writeFile("c");
      await a.handle.close();
      assert.equal(readFileSync(path.join(root, "sub", "new.txt"), "utf8"), "abc");
    });

    it("says what to fix for a missing file and a missing parent", async () => {
      await assert.rejects(openConfined(root, "nope.txt", { mode: "read" }), /does not exist/);
      await assert.rejects(openConfined(root, "no/such/dir.txt", { mode: "create" }), /parent directory/);
      await assert.rejects(openConfined(root, "a.txt", { mode: "create" }), /already exists/);
    });

    it("refuses / as a working directory", () => {
      assert.throws(() => resolveConfined("/", "etc/passwd"), /filesystem root/);
    });
  });
});

function denied(err: unknown): boolean {
  assert.ok(err instanceof VigilError, `expected a VigilError, got ${String(err)}`);
  assert.equal(err.code, ErrorCodes.POLICY_DENIED, err.message);
  return true;
}
