// Permission levels, ordered: read < write < exec < elevate. A tool declares the level a
// call needs from its arguments and target; an operator's ceiling is a hard limit.

export const PERMISSION_LEVELS = ["read", "write", "exec", "elevate"] as const;
export type PermissionLevel = (typeof PERMISSION_LEVELS)[number];

export function permissionRank(level: PermissionLevel): number {
  return PERMISSION_LEVELS.indexOf(level);
}

/** True when `needed` is at or below `ceiling`. */
export function withinCeiling(needed: PermissionLevel, ceiling: PermissionLevel): boolean {
  return permissionRank(needed) <= permissionRank(ceiling);
}
