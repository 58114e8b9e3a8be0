// Opens this installation's state: validated config, the secret, the SQLite store checked
// against the secret. `vigil start` builds the service on it; admin commands (audit verify,
// secrets rotate…) use it alone.

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Config, type LoadedSecret, loadConfig, loadSecret, verifySecret } from "./config/index.ts";
import { openStore, type Store } from "./store/index.ts";
import { SecretBox } from "./store/secret-box.ts";

export interface Installation {
  readonly config: Config;
  readonly secret: LoadedSecret;
  readonly box: SecretBox;
  readonly store: Store;
}

export function openInstallation(env: NodeJS.ProcessEnv, notice: (text: string) => void): Installation {
  const config = loadConfig(env);
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const secret = loadSecret(config.dataDir, env);
  if (secret.source === "generated") {
    notice(
      `\n*** Vigil generated its secret in ${secret.path} (mode 0600).\n*** KEEP THIS FILE (or set VIGIL_SECRET to its content): stored credentials cannot be decrypted without it.\n`,
    );
  }
  const box = new SecretBox(secret.secret);
  const store = openStore(join(config.dataDir, "vigil.db"));
  try {
    verifySecret(box, store.meta, store.path);
  } catch (err) {
    store.close();
    throw err;
  }
  return { config, secret, box, store };
}
