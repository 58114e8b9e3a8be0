// Chat commands for access control: `access …` (users, roles, linked identities, channel bindings),
// `grants` (active JIT grants) and `revoke <grant-id>`. The acting user always comes from the
// verified platform identity, never from the message text; every change is audited.

import { createCard } from "../core/card.ts";
import type { Platform } from "../core/chat-adapter.ts";
import { type ChatContext, whereOf } from "../core/chat-hub.ts";
import { ErrorCodes, isVigilError } from "../core/errors.ts";
import type { Command } from "../core/router.ts";
import { formatTime } from "./approval-card.ts";
import type { Approvals } from "./approvals.ts";
import type { GrantStore } from "./grants.ts";
import {
  hasRole,
  type IdentityDirectory,
  PLATFORMS,
  ROLES,
  type Role,
  type VigilUser,
} from "./identities.ts";

/** What the commands write to the audit log (AuditLog.append). */
export interface AccessAuditSink {
  append(record: {
    actor: string;
    source: "chat";
    decision: string;
    reason: string;
    grantId?: string;
    operator?: string;
    tool?: string;
    resource?: string;
    permission?: string;
    platform?: string;
    conversation?: string;
    thread?: string;
    details?: Record<string, unknown>;
  }): unknown;
}

export interface AccessCommandsOptions {
  identities: Pick<
    IdentityDirectory,
    | "resolve"
    | "user"
    | "users"
    | "binding"
    | "grantRole"
    | "revokeRole"
    | "linkIdentity"
    | "unlinkIdentity"
    | "bindChannel"
    | "unbindChannel"
  >;
  approvals: Pick<Approvals, "revokeGrant">;
  grants: Pick<GrantStore, "listActive">;
  audit: AccessAuditSink;
  /** Known operator names; when given, `access bind` refuses names not in it. */
  operatorNames?: () => readonly string[];
  now?: () => number;
}

export const ACCESS_USAGE = [
  "access users",
  "access grant <user> <role>",
  "access revoke <user> <role>",
  "access link <user> <platform> <platform-user-id>",
  "access unlink <platform> <platform-user-id>",
  "access bind <operator>[,<operator>…]",
  "access unbind",
] as const;

const USAGE_TEXT = `Usage:\n${ACCESS_USAGE.map((u) => `- \`${u}\``).join("\n")}\n\nRoles: ${ROLES.join(", ")}. Platforms: ${PLATFORMS.join(", ")}. \`*\` binds every operator.`;

/** `<@U123>`, `<@!123>` or `<@U123|ana>` (a mention pasted as the id) → `U123`. */
function platformUserId(raw: string): string {
  return /^<@!?([A-Za-z0-9_.-]+)(?:\|[^>]*)?>$/.exec(raw)?.[1] ?? raw;
}

const isRole = (r: string): r is Role => (ROLES as readonly string[]).includes(r);
const isPlatform = (p: string): p is Platform => (PLATFORMS as readonly string[]).includes(p);

/** The `access`, `grants` and `revoke` commands. */
export function accessCommands(opts: AccessCommandsOptions): Command[] {
  const { identities, approvals, grants, audit } = opts;
  const now = opts.now ?? Date.now;

  const whoIs = (ctx: ChatContext) => {
    const { platform, user } = ctx.event;
    const vigilUser = identities.resolve(platform, user.id);
    return { user: vigilUser, actor: vigilUser?.name ?? `${platform}:${user.id}` };
  };

  const record = (
    ctx: ChatContext,
    actor: string,
    decision: string,
    reason: string,
    extra: { grantId?: string; details?: Record<string, unknown> } = {},
  ) =>
    audit.append({
      actor,
      source: "chat",
      decision,
      reason,
      ...whereOf(ctx),
      ...extra,
    });

  const unknownUserText = (ctx: ChatContext) =>
    `You are not a known Vigil user (your ${ctx.event.platform} id is \`${ctx.event.user.id}\`); ask an admin to run \`access link <you> ${ctx.event.platform} ${ctx.event.user.id}\`.`;

  const userList = () =>
    identities
      .users()
      .map((u) => `\`${u.name}\``)
      .join(", ") || "none yet";

  /** Replies with the error when `fn` throws a refusal or usage error; anything else propagates. */
  async function attempt(ctx: ChatContext, actor: string, what: string, fn: () => Promise<void>) {
    try {
      await fn();
    } catch (err) {
      if (!isVigilError(err) || (err.code !== ErrorCodes.POLICY_DENIED && err.code !== ErrorCodes.USAGE))
        throw err;
      if (err.code === ErrorCodes.POLICY_DENIED) record(ctx, actor, "refused", `${what}: ${err.message}`);
      await ctx.reply(`Not changed: ${err.message}.`);
    }
  }

  async function listUsers(ctx: ChatContext, me: VigilUser | undefined) {
    if (!hasRole(me, "viewer")) {
      await ctx.reply(me ? `${me.name} has no role yet; ask an admin for one.` : unknownUserText(ctx));
      return;
    }
    const users = identities.users().sort((a, b) => a.name.localeCompare(b.name));
    const lines = users.map((u) => {
      const roles = u.roles.length > 0 ? u.roles.join(", ") : "no roles";
      const ids =
        u.identities.map((i) => `${i.platform}:${i.platformUserId}`).join(", ") || "no linked accounts";
      return `- **${u.name}**: ${roles} (${ids})`;
    });
    const binding = identities.binding(ctx.event.platform, ctx.event.conversation);
    await ctx.reply(
      createCard({
        title: "Vigil users",
        markdown: lines.length > 0 ? lines.join("\n") : "No users are configured.",
        fields: [
          {
            label: "This conversation",
            value:
              binding === undefined ? "no binding (the default applies)" : `operators ${binding.join(", ")}`,
          },
        ],
      }),
    );
  }

  const access: Command = {
    name: "access",
    summary: "users, roles, linked accounts and channel bindings (admins change them)",
    usage: "access users | grant | revoke | link | unlink | bind | unbind",
    async run(ctx, args) {
      const words = args.split(/\s+/).filter(Boolean);
      const sub = words[0]?.toLowerCase();
      const rest = words.slice(1);
      const { user: me, actor } = whoIs(ctx);
      if (sub === undefined || sub === "help") {
        await ctx.reply(USAGE_TEXT);
        return;
      }
      if (sub === "users") {
        await listUsers(ctx, me);
        return;
      }
      const shapes: Record<string, { arity: number; usage: string }> = {
        grant: { arity: 2, usage: ACCESS_USAGE[1] },
        revoke: { arity: 2, usage: ACCESS_USAGE[2] },
        link: { arity: 3, usage: ACCESS_USAGE[3] },
        unlink: { arity: 2, usage: ACCESS_USAGE[4] },
        bind: { arity: 1, usage: ACCESS_USAGE[5] },
        unbind: { arity: 0, usage: ACCESS_USAGE[6] },
      };
      const shape = shapes[sub];
      if (!shape) {
        await ctx.reply(`\`access ${sub}\` is not a subcommand.\n\n${USAGE_TEXT}`);
        return;
      }
      // Refuse before looking at the input, so a non-admin learns nothing from the replies.
      if (!hasRole(me, "admin")) {
        record(ctx, actor, "refused", `access ${sub}: not an admin`, {
          details: { command: `access ${sub}` },
        });
        await ctx.reply(
          me
            ? `Only a Vigil admin may use \`access ${sub}\`; ${me.name} is not one. Ask an admin.`
            : unknownUserText(ctx),
        );
        return;
      }
      // `bind` takes one comma list, but "a, b" with spaces is forgiven.
      const params = sub === "bind" ? [rest.join("")].filter(Boolean) : rest;
      if (params.length !== shape.arity) {
        await ctx.reply(`Usage: \`${shape.usage}\`.`);
        return;
      }
      await attempt(ctx, actor, `access ${sub}`, () => change(ctx, me, actor, sub, params));
    },
  };

  async function change(
    ctx: ChatContext,
    me: VigilUser | undefined,
    actor: string,
    sub: string,
    p: string[],
  ) {
    const { platform, conversation } = ctx.event;
    switch (sub) {
      case "grant":
      case "revoke": {
        const [name, role] = p;
        if (!isRole(role)) {
          await ctx.reply(`Unknown role \`${role}\`; roles are ${ROLES.join(", ")}.`);
          return;
        }
        const target = identities.user(name);
        if (!target) {
          await ctx.reply(
            `There is no user \`${name}\`. Users: ${userList()}. To add one, link an account first: \`access link ${name} <platform> <platform-user-id>\`.`,
          );
          return;
        }
        if (sub === "grant") {
          if (target.roles.includes(role)) {
            await ctx.reply(`${name} already has the ${role} role.`);
            return;
          }
          const after = identities.grantRole(me, name, role);
          record(ctx, actor, "info", `granted role ${role} to ${name}`, {
            details: { command: "access grant", user: name, role, roles: after.roles },
          });
          await ctx.reply(`Granted ${role} to ${name}; roles now: ${after.roles.join(", ")}.`);
          return;
        }
        if (!target.roles.includes(role)) {
          await ctx.reply(
            `${name} does not have the ${role} role (roles: ${target.roles.join(", ") || "none"}).`,
          );
          return;
        }
        const after = identities.revokeRole(me, name, role);
        const left = after?.roles.join(", ") || "none";
        record(ctx, actor, "info", `revoked role ${role} from ${name}`, {
          details: { command: "access revoke", user: name, role, roles: after?.roles ?? [] },
        });
        await ctx.reply(`Revoked ${role} from ${name}; roles now: ${left}.`);
        return;
      }
      case "link": {
        const [name, linkPlatform, rawId] = p;
        const lower = linkPlatform.toLowerCase();
        if (!isPlatform(lower)) {
          await ctx.reply(`Unknown platform \`${linkPlatform}\`; platforms are ${PLATFORMS.join(", ")}.`);
          return;
        }
        const id = platformUserId(rawId);
        const previous = identities.resolve(lower, id);
        const after = identities.linkIdentity(me, name, lower, id);
        const moved = previous && previous.name !== name ? ` (moved from ${previous.name})` : "";
        record(ctx, actor, "info", `linked ${lower}:${id} to ${name}${moved}`, {
          details: {
            command: "access link",
            user: name,
            platform: lower,
            platformUserId: id,
            from: previous?.name,
          },
        });
        await ctx.reply(
          `Linked ${lower} account \`${id}\` to ${name}${moved}. ${name}'s roles: ${after.roles.join(", ") || "none yet (access grant)"}.`,
        );
        return;
      }
      case "unlink": {
        const [linkPlatform, rawId] = p;
        const lower = linkPlatform.toLowerCase();
        if (!isPlatform(lower)) {
          await ctx.reply(`Unknown platform \`${linkPlatform}\`; platforms are ${PLATFORMS.join(", ")}.`);
          return;
        }
        const id = platformUserId(rawId);
        const previous = identities.resolve(lower, id);
        if (!previous) {
          await ctx.reply(
            `The ${lower} account \`${id}\` is not linked to anyone. \`access users\` lists the links.`,
          );
          return;
        }
        identities.unlinkIdentity(me, lower, id);
        record(ctx, actor, "info", `unlinked ${lower}:${id} from ${previous.name}`, {
          details: { command: "access unlink", user: previous.name, platform: lower, platformUserId: id },
        });
        await ctx.reply(`Unlinked ${lower} account \`${id}\` from ${previous.name}; it now has no roles.`);
        return;
      }
      case "bind": {
        const operators = [...new Set(p[0].split(",").filter(Boolean))];
        const known = opts.operatorNames?.();
        const unknown = known ? operators.filter((o) => o !== "*" && !known.includes(o)) : [];
        if (operators.length === 0 || unknown.length > 0) {
          await ctx.reply(
            `${unknown.length > 0 ? `Unknown operator ${unknown.map((o) => `\`${o}\``).join(", ")}. ` : ""}Usage: \`${ACCESS_USAGE[5]}\`${known ? `; operators: ${known.join(", ") || "none"}` : ""}.`,
          );
          return;
        }
        const before = identities.binding(platform, conversation);
        identities.bindChannel(me, platform, conversation, operators);
        record(ctx, actor, "info", `bound ${platform}:${conversation} to operators ${operators.join(", ")}`, {
          details: { command: "access bind", operators, before: before ?? null },
        });
        await ctx.reply(`This conversation may now use: ${operators.join(", ")}.`);
        return;
      }
      default: {
        const before = identities.binding(platform, conversation);
        identities.unbindChannel(me, platform, conversation);
        const after = identities.binding(platform, conversation);
        record(ctx, actor, "info", `unbound ${platform}:${conversation}`, {
          details: { command: "access unbind", before: before ?? null, after: after ?? null },
        });
        await ctx.reply(
          after === undefined
            ? "This conversation has no binding now; the default from vigil.yaml applies."
            : `The chat binding is gone; vigil.yaml's binding applies: ${after.join(", ")}.`,
        );
      }
    }
  }

  const grantsCommand: Command = {
    name: "grants",
    summary: "list the active just-in-time grants",
    async run(ctx) {
      const { user: me } = whoIs(ctx);
      if (!hasRole(me, "viewer")) {
        await ctx.reply(me ? `${me.name} has no role yet; ask an admin for one.` : unknownUserText(ctx));
        return;
      }
      const active = grants.listActive();
      const at = now();
      const lines = active.map(
        (g) =>
          `- \`${g.id}\` ${g.operator} → ${g.tool} on ${g.resource} (${g.permission}, ${g.mode}${g.requester ? `, for ${g.requester}` : ""}${g.approvedBy.length > 0 ? `, approved by ${g.approvedBy.join(", ")}` : ""}), expires ${formatTime(g.expiresAt)} (in ${Math.max(0, Math.round((g.expiresAt - at) / 60_000))} min)`,
      );
      await ctx.reply(
        createCard({
          title: "Active grants",
          markdown:
            lines.length > 0
              ? `${lines.join("\n")}\n\nRevoke one with \`revoke <grant-id>\`.`
              : "No active grants.",
        }),
      );
    },
  };

  const revokeCommand: Command = {
    name: "revoke",
    summary: "revoke an unused grant (approvers, admins, or whoever it was issued for)",
    usage: "revoke <grant-id>",
    async run(ctx, args) {
      const id = args.trim();
      if (!/^\S+$/.test(id)) {
        await ctx.reply("Usage: `revoke <grant-id>`; `grants` lists the active grants and their ids.");
        return;
      }
      const { user: me, actor } = whoIs(ctx);
      const result = approvals.revokeGrant(id, me);
      if (!result.ok && result.code === "unknown") {
        await ctx.reply(`There is no grant \`${id}\`; \`grants\` lists the active ones.`);
        return;
      }
      const grant = result.ok
        ? {
            operator: result.grant.operator,
            tool: result.grant.tool,
            resource: result.grant.resource,
            permission: result.grant.permission,
          }
        : {};
      audit.append({
        actor,
        source: "chat",
        decision: result.ok ? "revoked" : "refused",
        reason: result.ok ? `grant ${id} revoked by command` : `revoke ${id}: ${result.reason}`,
        grantId: id,
        ...grant,
        ...whereOf(ctx),
      });
      await ctx.reply(
        result.ok
          ? `Grant \`${id}\` is revoked; it can no longer be used.`
          : `Not revoked: ${result.reason}.`,
      );
    },
  };

  return [access, grantsCommand, revokeCommand];
}
