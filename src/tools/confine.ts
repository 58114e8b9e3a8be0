// Path confinement for the filesystem and shell tools (invariant 6): a user path is resolved
// by realpath inside the operator's working directory, and an opened file is re-checked by fd.

import { constants as C, lstatSync, realpathSync, statSync } from "node:fs";
import { type FileHandle, open, readlink, unlink } from "node:fs/promises";
import path from "node:path";
import { ErrorCodes, VigilError } from "../core/errors.ts";

/** A path that was checked to lie inside the working directory. */
export interface ConfinedPath {
  /** Realpath of the working directory. */
  readonly root: string;
  /** Absolute path inside `root`; every existing component is resolved, no `..`, no symlinks. */
  readonly path: string;
  /** Whether the whole path existed when it was checked. */
  readonly exists: boolean;
}

export interface ResolveOptions {
  /** The path must already exist (reads). */
  readonly mustExist?: boolean;
  /** The path will be written: not the root itself, and its parent directory must exist. */
  readonly forWrite?: boolean;
}

function refuse(message: string): never {
  throw new VigilError(ErrorCodes.POLICY_DENIED, message);
}

function usage(message: string, cause?: unknown): never {
  throw new VigilError(ErrorCodes.USAGE, message, { cause });
}

function errCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

/** True when `p` is `root` or below it. Both must be absolute and normalized. */
export function isInside(root: string, p: string): boolean {
  return p === root || p.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

/** Realpath of a working directory; refuses `/` (confining to `/` confines nothing). */
export function realRoot(root: string): string {
  if (typeof root !== "string" || root === "" || root.includes("\0")) {
    usage("the working directory is not a valid path — check the operator's workingDirectory");
  }
  let real: string;
  try {
    real = realpathSync.native(root);
  } catch (err) {
    usage(
      `the working directory ${root} does not exist — create it or fix the operator's workingDirectory`,
      err,
    );
  }
  if (!statSync(real).isDirectory()) usage(`the working directory ${root} is not a directory`);
  if (real === path.parse(real).root) {
    usage("the working directory must not be the filesystem root — set the operator's workingDirectory");
  }
  return real;
}

/**
 * Resolves `userPath` (relative to `root`, or absolute) to a real path inside `root`, or throws
 * VIGIL_ERR_POLICY_DENIED. The longest existing prefix is resolved with realpath and re-checked,
 * so `..`, absolute paths, symlinks (in a directory or the last component) and dangling links
 * cannot lead out. Callers must use the returned path, never the user's string.
 */
export function resolveConfined(root: string, userPath: string, opts: ResolveOptions = {}): ConfinedPath {
  if (typeof userPath !== "string") refuse("the path must be a string");
  if (userPath.includes("\0")) refuse("the path contains a NUL byte");
  if (userPath === "") refuse("the path is empty — give a file inside the working directory");
  const rootReal = realRoot(root);
  const outside = () =>
    refuse(`${JSON.stringify(userPath)} is outside the working directory ${rootReal} — use a path inside it`);

  // Lexical check first: `..` and absolute paths that leave the root never touch the disk.
  const lexical = path.resolve(rootReal, userPath);
  if (!isInside(rootReal, lexical)) outside();

  const rest: string[] = [];
  let existing = lexical;
  let real: string;
  // Bounded: each round moves one component up, and rootReal itself exists.
  for (;;) {
    try {
      real = realpathSync.native(existing);
      break;
    } catch (err) {
      const code = errCode(err);
      if (code === "ELOOP") refuse(`${JSON.stringify(userPath)} goes through a symlink loop`);
      if (code === "ENOTDIR")
        usage(`${JSON.stringify(userPath)}: a component of the path is not a directory`, err);
      if (code !== "ENOENT" || existing === rootReal) throw err;
      // realpath fails with ENOENT on a dangling symlink too; writing through it would follow it.
      let isLink = false;
      try {
        isLink = lstatSync(existing).isSymbolicLink();
      } catch {}
      if (isLink) refuse(`${JSON.stringify(userPath)} goes through a symlink whose target does not exist`);
      rest.unshift(path.basename(existing));
      existing = path.dirname(existing);
    }
  }
  if (!isInside(rootReal, real)) outside();
  const resolved = path.join(real, ...rest);

  if (opts.mustExist && rest.length > 0) {
    usage(`${JSON.stringify(userPath)} does not exist in the working directory ${rootReal}`);
  }
  if (opts.forWrite) {
    if (resolved === rootReal)
      refuse("the working directory itself cannot be written — name a file inside it");
    if (userPath.endsWith("/")) usage(`${JSON.stringify(userPath)} names a directory — name a file to write`);
    if (rest.length > 1) {
      usage(`the parent directory of ${JSON.stringify(userPath)} does not exist — create it first`);
    }
  }
  return { root: rootReal, path: resolved, exists: rest.length === 0 };
}

/** How a confined file is opened. `create` fails when the file exists. */
export type OpenMode = "read" | "overwrite" | "append" | "create";

export interface OpenConfinedOptions {
  readonly mode: OpenMode;
  /** File mode for a created file. */
  readonly createMode?: number;
  /**
   * Test seam: runs between the path check and the open, so a test can swap a component for a
   * symlink at exactly the moment an attacker would.
   */
  readonly beforeOpen?: (checked: ConfinedPath) => void | Promise<void>;
}

export interface OpenedConfined {
  readonly handle: FileHandle;
  /** The real path of the opened file, read back from the fd. */
  readonly path: string;
  readonly root: string;
  readonly isDirectory: boolean;
  readonly size: number;
  /** True when this open created the file. */
  readonly created: boolean;
  /** The file has more than one hard link; its other names may lie outside the root. */
  readonly hardlinked: boolean;
}

/**
 * Opens a file inside `root`. The last component is opened with O_NOFOLLOW, and the opened fd's
 * path (/proc/self/fd) is checked again, so a symlink swapped in after the check is refused.
 * Writes never truncate before that check; a file created outside by a lost race is removed.
 */
export async function openConfined(
  root: string,
  userPath: string,
  opts: OpenConfinedOptions,
): Promise<OpenedConfined> {
  const reading = opts.mode === "read";
  const checked = resolveConfined(root, userPath, { mustExist: reading, forWrite: !reading });
  await opts.beforeOpen?.(checked);

  // O_NONBLOCK: opening a FIFO must not hang the tool; non-regular files are refused below.
  const base = C.O_NOFOLLOW | C.O_NONBLOCK;
  let handle: FileHandle;
  let created = false;
  try {
    if (reading) {
      handle = await open(checked.path, base | C.O_RDONLY);
    } else {
      const write = base | C.O_WRONLY | (opts.mode === "append" ? C.O_APPEND : 0);
      try {
        // O_EXCL never follows a symlink, so a created file is always a fresh regular file.
        handle = await open(checked.path, write | C.O_CREAT | C.O_EXCL, opts.createMode ?? 0o644);
        created = true;
      } catch (err) {
        if (errCode(err) !== "EEXIST" || opts.mode === "create") throw err;
        handle = await open(checked.path, write);
      }
    }
  } catch (err) {
    const code = errCode(err);
    if (code === "ELOOP") refuse(`${JSON.stringify(userPath)} is a symlink — it was changed after the check`);
    if (code === "EEXIST")
      usage(`${JSON.stringify(userPath)} already exists — choose overwrite to replace it`, err);
    if (code === "ENOENT")
      usage(`${JSON.stringify(userPath)} does not exist (it changed during the call)`, err);
    if (code === "ENXIO") refuse(`${JSON.stringify(userPath)} is not a regular file`);
    if (code === "EISDIR") usage(`${JSON.stringify(userPath)} is a directory — name a file`, err);
    throw err;
  }

  try {
    const st = await handle.stat();
    // An unlinked file shows as "<path> (deleted)"; nlink tells it apart from a file so named.
    if (st.nlink === 0) refuse(`${JSON.stringify(userPath)} was deleted or replaced while it was opened`);
    const opened = await readlink(`/proc/self/fd/${handle.fd}`);
    if (!path.isAbsolute(opened)) refuse(`${JSON.stringify(userPath)} is not a file on disk`);
    if (!isInside(checked.root, opened)) {
      if (created) await unlink(opened).catch(() => {});
      refuse(
        `${JSON.stringify(userPath)} left the working directory while it was opened — a path component was swapped`,
      );
    }
    const isDirectory = st.isDirectory();
    if (!st.isFile() && !(reading && isDirectory))
      refuse(`${JSON.stringify(userPath)} is not a regular file`);
    if (!isDirectory && userPath.endsWith("/")) usage(`${JSON.stringify(userPath)} is not a directory`);
    return {
      handle,
      path: opened,
      root: checked.root,
      isDirectory,
      size: st.size,
      created,
      hardlinked: !isDirectory && st.nlink > 1,
    };
  } catch (err) {
    await handle.close().catch(() => {});
    throw err;
  }
}
