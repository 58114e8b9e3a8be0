// The web layer: admin page, JSON API, webhooks.

export { AdminAuth } from "./admin-auth.ts";
export { type AuditReader, auditPageOf } from "./audit-routes.ts";
export { type BuildWebOptions, buildWeb } from "./build-web.ts";
export { ADMIN_API_EDITOR, type OperatorStore } from "./operator-routes.ts";
export { parseAuditQuery } from "./parse-audit-query.ts";
