// The working directory a native tool was built for. Resources are derived from it (the Tool
// port gives `resource()` only the arguments); a call from another directory is refused.

import path from "node:path";
import { ErrorCodes, VigilError } from "../../core/errors.ts";
import { realRoot, resolveConfined } from "../confine.ts";
import type { ToolContext } from "../tool.ts";

/** Realpath of the call's working directory, after checking it is the one the tool was built for. */
export function callRoot(configured: string, ctx: ToolContext): string {
  const mine = realRoot(configured);
  const theirs = realRoot(ctx.workingDirectory);
  if (mine !== theirs) {
    throw new VigilError(
      ErrorCodes.POLICY_DENIED,
      `this tool is confined to ${mine} but was called for ${theirs} — build the operator's tools with its own workingDirectory`,
    );
  }
  return mine;
}

/**
 * The absolute path a user path names, for a resource string: the confined real path when it
 * resolves, else the lexical path (so the policy gate sees where an escape would have gone).
 */
export function describePath(root: string, userPath: string): string {
  if (userPath.includes("\0")) return `<invalid path ${JSON.stringify(userPath)}>`;
  try {
    return resolveConfined(root, userPath).path;
  } catch {
    let base = root;
    try {
      base = realRoot(root);
    } catch {}
    return path.resolve(base, userPath);
  }
}
