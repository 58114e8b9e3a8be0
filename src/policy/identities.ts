// Vigil users, their roles and platform identities, and which operators each conversation may
// use: vigil.yaml's `users:` / `channels:` first, then the overrides admins set by chat command.

import { z } from "zod";
import type { Platform } from "../core/chat-adapter.ts";
import { ErrorCodes, VigilError } from "../core/errors.ts";
import type { Db } from "../store/open-database.ts";
import { cachedPrepare, type Prepare } from "./prepared.ts";

export const ROLES = ["viewer", "operator", "approver", "admin"] as const;
export type Role = (typeof ROLES)[number];
export const PLATFORMS = ["slack", "discord", "telegram", "console"] as const satisfies readonly Platform[];

export interface PlatformIdentity {
  readonly platform: Platform;
  readonly platformUserId: string;
}

export interface VigilUser {
  /** Stable id; equal to the user's name (names are unique). */
  readonly id: string;
  readonly name: string;
  /** Roles as granted; `hasRole` applies the implications (admin ⊇ all, any role ⊇ viewer). */
  readonly roles: readonly Role[];
  readonly identities: readonly PlatformIdentity[];
}

/** True when the user holds `role`, directly or by implication. Unknown users (undefined) hold nothing. */
export function hasRole(user: VigilUser | undefined, role: Role): boolean {
  if (!user) return false;
  if (user.roles.includes("admin")) return true;
  if (role === "viewer") return user.roles.length > 0;
  return user.roles.includes(role);
}

const USER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$/;
// Telegram ids are numbers in YAML; keep every platform id as a string.
const platformIds = z
  .union([
    z.string().min(1),
    z.number().int(),
    z.array(z.union([z.string().min(1), z.number().int()])).min(1),
  ])
  .transform((v) => (Array.isArray(v) ? v.map(String) : [String(v)]));

export const userConfigSchema = z
  .object({
    name: z.string().regex(USER_NAME, "a user name is 1-64 chars of letters, digits, _ . @ -"),
    roles: z.array(z.enum(ROLES)).default([]),
    slack: platformIds.optional(),
    discord: platformIds.optional(),
    telegram: platformIds.optional(),
    console: platformIds.optional(),
  })
  .strict();

export const channelBindingSchema = z
  .object({
    platform: z.enum(PLATFORMS),
    conversation: z.string().min(1),
    /** Operator names this conversation may use; "*" allows any. */
    operators: z.array(z.string().min(1)),
  })
  .strict();

/**
 * The identity part of vigil.yaml:
 * ```yaml
 * users:
 *   - { name: ana, roles: [operator, approver], slack: U012ABC, telegram: 123456 }
 * channels:
 *   - { platform: slack, conversation: C0PROD, operators: [deploy-bot] }
 * unboundChannels: any-operator   # or no-operator: a conversation without a binding may use none
 * ```
 */
export const usersConfigSchema = z
  .object({
    users: z.array(userConfigSchema).default([]),
    channels: z.array(channelBindingSchema).default([]),
    unboundChannels: z.enum(["any-operator", "no-operator"]).default("any-operator"),
  })
  .superRefine((cfg, ctx) => {
    const names = new Set<string>();
    const ids = new Map<string, string>();
    cfg.users.forEach((u, i) => {
      if (names.has(u.name))
        ctx.addIssue({ code: "custom", path: ["users", i, "name"], message: `duplicate user ${u.name}` });
      names.add(u.name);
      for (const p of PLATFORMS) {
        for (const id of u[p] ?? []) {
          const key = `${p}:${id}`;
          const other = ids.get(key);
          if (other !== undefined && other !== u.name) {
            ctx.addIssue({
              code: "custom",
              path: ["users", i, p],
              message: `${key} is already linked to ${other}`,
            });
          }
          ids.set(key, u.name);
        }
      }
    });
    const seen = new Set<string>();
    cfg.channels.forEach((c, i) => {
      const key = `${c.platform}:${c.conversation}`;
      if (seen.has(key))
        ctx.addIssue({ code: "custom", path: ["channels", i], message: `duplicate binding ${key}` });
      seen.add(key);
    });
  });

export type UsersConfig = z.output<typeof usersConfigSchema>;
export type UsersConfigInput = z.input<typeof usersConfigSchema>;

export interface IdentityDirectoryOptions {
  readonly db: Db;
  /** Parsed `usersConfigSchema` output (or its input, parsed here). */
  readonly config?: UsersConfigInput;
  readonly now?: () => number;
}

interface Snapshot {
  users: Map<string, VigilUser>;
  byIdentity: Map<string, string>;
  bindings: Map<string, readonly string[]>;
}

const idKey = (platform: string, platformUserId: string) => `${platform}\u0000${platformUserId}`;

/**
 * Resolves verified platform accounts to Vigil users and answers channel-binding questions.
 * Reads are served from an in-memory snapshot rebuilt after every admin change (`reload()` picks up
 * changes made through another connection).
 */
export class IdentityDirectory {
  readonly #sql: Prepare;
  readonly #config: UsersConfig;
  readonly #now: () => number;
  #snap: Snapshot;

  constructor(opts: IdentityDirectoryOptions) {
    this.#sql = cachedPrepare(opts.db);
    this.#config = usersConfigSchema.parse(opts.config ?? {});
    this.#now = opts.now ?? Date.now;
    this.#snap = this.#build();
  }

  /** The Vigil user behind a verified platform account, or undefined (an unknown user has no roles at all). */
  resolve(platform: Platform, platformUserId: string): VigilUser | undefined {
    const name = this.#snap.byIdentity.get(idKey(platform, platformUserId));
    return name === undefined ? undefined : this.#snap.users.get(name);
  }

  user(name: string): VigilUser | undefined {
    return this.#snap.users.get(name);
  }

  users(): VigilUser[] {
    return [...this.#snap.users.values()];
  }

  /**
   * May `operator` be used in this conversation? An admin binding wins over a config binding; with
   * neither, `unboundChannels` decides (default "any-operator": bindings restrict, they are not required).
   */
  channelAllows(platform: Platform, conversation: string, operator: string): boolean {
    const ops = this.#snap.bindings.get(idKey(platform, conversation));
    if (ops === undefined) return this.#config.unboundChannels === "any-operator";
    return ops.includes("*") || ops.includes(operator);
  }

  /** The binding in force for a conversation, or undefined when the default applies. */
  binding(platform: Platform, conversation: string): readonly string[] | undefined {
    return this.#snap.bindings.get(idKey(platform, conversation));
  }

  grantRole(by: VigilUser | undefined, userName: string, role: Role): VigilUser {
    this.#requireAdmin(by, `grant ${role}`);
    checkName(userName);
    checkRole(role);
    this.#sql(
      `INSERT INTO policy_role_overrides (user_name, role, state, changed_by, changed_at) VALUES (?, ?, 'granted', ?, ?)
         ON CONFLICT (user_name, role) DO UPDATE SET state = 'granted', changed_by = excluded.changed_by, changed_at = excluded.changed_at`,
    ).run(userName, role, by!.name, this.#now());
    return this.#rebuilt(userName);
  }

  revokeRole(by: VigilUser | undefined, userName: string, role: Role): VigilUser | undefined {
    this.#requireAdmin(by, `revoke ${role}`);
    checkName(userName);
    checkRole(role);
    if (role === "admin" && this.#wouldLeaveNoAdmin(userName)) {
      throw new VigilError(
        ErrorCodes.POLICY_DENIED,
        `${userName} is the last admin; grant admin to someone else first`,
      );
    }
    this.#sql(
      `INSERT INTO policy_role_overrides (user_name, role, state, changed_by, changed_at) VALUES (?, ?, 'revoked', ?, ?)
         ON CONFLICT (user_name, role) DO UPDATE SET state = 'revoked', changed_by = excluded.changed_by, changed_at = excluded.changed_at`,
    ).run(userName, role, by!.name, this.#now());
    this.#snap = this.#build();
    return this.#snap.users.get(userName);
  }

  /** Links a platform account to a Vigil user (moving it away from any previous user). */
  linkIdentity(
    by: VigilUser | undefined,
    userName: string,
    platform: Platform,
    platformUserId: string,
  ): VigilUser {
    this.#requireAdmin(by, "link an identity");
    checkName(userName);
    checkPlatform(platform);
    if (platformUserId === "") throw new VigilError(ErrorCodes.USAGE, "the platform user id is empty");
    this.#upsertLink(platform, platformUserId, userName, by!.name);
    return this.#rebuilt(userName);
  }

  /** Unlinks a platform account; it becomes unknown (no roles), even when vigil.yaml links it. */
  unlinkIdentity(by: VigilUser | undefined, platform: Platform, platformUserId: string): void {
    this.#requireAdmin(by, "unlink an identity");
    checkPlatform(platform);
    this.#upsertLink(platform, platformUserId, null, by!.name);
    this.#snap = this.#build();
  }

  /** Sets which operators a conversation may use ("*" for any); overrides vigil.yaml for it. */
  bindChannel(
    by: VigilUser | undefined,
    platform: Platform,
    conversation: string,
    operators: readonly string[],
  ): void {
    this.#requireAdmin(by, "bind a channel");
    checkPlatform(platform);
    if (conversation === "") throw new VigilError(ErrorCodes.USAGE, "the conversation id is empty");
    this.#sql(
      `INSERT INTO policy_channel_bindings (platform, conversation, operators, changed_by, changed_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (platform, conversation) DO UPDATE SET operators = excluded.operators,
           changed_by = excluded.changed_by, changed_at = excluded.changed_at`,
    ).run(platform, conversation, JSON.stringify([...operators]), by!.name, this.#now());
    this.#snap = this.#build();
  }

  /** Removes an admin binding; vigil.yaml's binding (or the default) applies again. */
  unbindChannel(by: VigilUser | undefined, platform: Platform, conversation: string): void {
    this.#requireAdmin(by, "unbind a channel");
    this.#sql("DELETE FROM policy_channel_bindings WHERE platform = ? AND conversation = ?").run(
      platform,
      conversation,
    );
    this.#snap = this.#build();
  }

  /** Re-reads the overrides (after another process or connection changed them). */
  reload(): void {
    this.#snap = this.#build();
  }

  #requireAdmin(by: VigilUser | undefined, what: string): void {
    if (!hasRole(by, "admin")) {
      throw new VigilError(
        ErrorCodes.POLICY_DENIED,
        `only an admin may ${what}; ask an admin, or add the role in vigil.yaml`,
      );
    }
  }

  #wouldLeaveNoAdmin(userName: string): boolean {
    return !this.users().some((u) => u.name !== userName && u.roles.includes("admin"));
  }

  #upsertLink(platform: string, platformUserId: string, userName: string | null, by: string): void {
    this.#sql(
      `INSERT INTO policy_identity_links (platform, platform_user_id, user_name, changed_by, changed_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (platform, platform_user_id) DO UPDATE SET user_name = excluded.user_name,
           changed_by = excluded.changed_by, changed_at = excluded.changed_at`,
    ).run(platform, platformUserId, userName, by, this.#now());
  }

  #rebuilt(userName: string): VigilUser {
    this.#snap = this.#build();
    return this.#snap.users.get(userName)!;
  }

  #build(): Snapshot {
    const roles = new Map<string, Set<Role>>();
    const links = new Map<string, { platform: Platform; platformUserId: string; user: string }>();
    const rolesOf = (name: string) => {
      let set = roles.get(name);
      if (!set) {
        set = new Set();
        roles.set(name, set);
      }
      return set;
    };
    for (const u of this.#config.users) {
      const set = rolesOf(u.name);
      for (const r of u.roles) set.add(r);
      for (const p of PLATFORMS) {
        for (const id of u[p] ?? [])
          links.set(idKey(p, id), { platform: p, platformUserId: id, user: u.name });
      }
    }
    const overrides = this.#sql("SELECT user_name, role, state FROM policy_role_overrides").all() as {
      user_name: string;
      role: Role;
      state: "granted" | "revoked";
    }[];
    for (const o of overrides) {
      const set = rolesOf(o.user_name);
      if (o.state === "granted") set.add(o.role);
      else set.delete(o.role);
    }
    const linkRows = this.#sql(
      "SELECT platform, platform_user_id, user_name FROM policy_identity_links",
    ).all() as {
      platform: Platform;
      platform_user_id: string;
      user_name: string | null;
    }[];
    for (const l of linkRows) {
      const key = idKey(l.platform, l.platform_user_id);
      if (l.user_name === null) links.delete(key);
      else {
        links.set(key, { platform: l.platform, platformUserId: l.platform_user_id, user: l.user_name });
        rolesOf(l.user_name);
      }
    }
    const identities = new Map<string, PlatformIdentity[]>();
    const byIdentity = new Map<string, string>();
    for (const [key, l] of links) {
      byIdentity.set(key, l.user);
      const list = identities.get(l.user) ?? [];
      list.push({ platform: l.platform, platformUserId: l.platformUserId });
      identities.set(l.user, list);
    }
    const users = new Map<string, VigilUser>();
    for (const [name, set] of roles) {
      users.set(
        name,
        Object.freeze({
          id: name,
          name,
          roles: Object.freeze(ROLES.filter((r) => set.has(r))),
          identities: Object.freeze(identities.get(name) ?? []),
        }),
      );
    }
    const bindings = new Map<string, readonly string[]>();
    for (const c of this.#config.channels)
      bindings.set(idKey(c.platform, c.conversation), Object.freeze([...c.operators]));
    const bindingRows = this.#sql(
      "SELECT platform, conversation, operators FROM policy_channel_bindings",
    ).all() as {
      platform: string;
      conversation: string;
      operators: string;
    }[];
    for (const b of bindingRows)
      bindings.set(idKey(b.platform, b.conversation), Object.freeze(JSON.parse(b.operators)));
    return { users, byIdentity, bindings };
  }
}

function checkName(name: string): void {
  if (!USER_NAME.test(name)) {
    throw new VigilError(
      ErrorCodes.USAGE,
      `"${name}" is not a valid user name: use 1-64 chars of letters, digits, _ . @ -`,
    );
  }
}

function checkRole(role: string): void {
  if (!(ROLES as readonly string[]).includes(role)) {
    throw new VigilError(ErrorCodes.USAGE, `unknown role "${role}"; roles are ${ROLES.join(", ")}`);
  }
}

function checkPlatform(platform: string): void {
  if (!(PLATFORMS as readonly string[]).includes(platform)) {
    throw new VigilError(
      ErrorCodes.USAGE,
      `unknown platform "${platform}"; platforms are ${PLATFORMS.join(", ")}`,
    );
  }
}
