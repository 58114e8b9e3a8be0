// Configuration: one validated Config object, and the installation secret.

export { defaultDataDir, loadConfig } from "./load-config.ts";
export type { Config } from "./schema.ts";
export { configSchema } from "./schema.ts";
export { type LoadedSecret, loadSecret, verifySecret } from "./secret.ts";
