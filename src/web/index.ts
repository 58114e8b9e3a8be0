// The web layer: admin page, JSON API, webhooks.

export { AdminAuth } from "./admin-auth.ts";
export { type BuildWebOptions, buildWeb } from "./build-web.ts";
