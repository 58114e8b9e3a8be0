// VIGIL_SECRET: taken from the environment, or read from <data>/secret.key, or generated
// there (mode 0600) on first run. A secret that no longer opens this installation's
// sealed data is refused at start, naming what failed.

import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ErrorCodes, VigilError } from "../core/errors.ts";
import type { MetaRepository } from "../store/meta-repository.ts";
import type { SecretBox } from "../store/secret-box.ts";

export interface LoadedSecret {
  readonly secret: string;
  /** Where it came from, for the log. */
  readonly source: "env" | "file" | "generated";
  readonly path?: string;
}

export function loadSecret(dataDir: string, env: NodeJS.ProcessEnv): LoadedSecret {
  const fromEnv = env.VIGIL_SECRET?.trim();
  if (fromEnv) return { secret: fromEnv, source: "env" };
  const path = join(dataDir, "secret.key");
  if (existsSync(path)) {
    const secret = readFileSync(path, "utf8").trim();
    if (!secret)
      throw new VigilError(ErrorCodes.SECRET_INVALID, `${path} is empty: restore it, or set VIGIL_SECRET`);
    return { secret, source: "file", path };
  }
  const secret = randomBytes(32).toString("base64url");
  writeFileSync(path, `${secret}\n`, { mode: 0o600, flag: "wx" });
  return { secret, source: "generated", path };
}

const CHECK_KEY = "secret_check";
const CHECK_PLAINTEXT = "vigil secret check";

/** Seals a known value on first run; on later runs proves the secret still opens it. */
export function verifySecret(box: SecretBox, meta: MetaRepository, dbPath: string): void {
  const sealed = meta.get(CHECK_KEY);
  if (sealed === undefined) {
    meta.set(CHECK_KEY, box.seal(CHECK_PLAINTEXT));
    return;
  }
  try {
    if (box.open(sealed, "the secret check") === CHECK_PLAINTEXT) return;
  } catch (err) {
    throw new VigilError(
      ErrorCodes.SECRET_MISMATCH,
      `VIGIL_SECRET does not decrypt the data in ${dbPath} (the secret check in its meta table failed). ` +
        "Start Vigil with the secret this data was created with (VIGIL_SECRET or <data>/secret.key).",
      { cause: err },
    );
  }
  throw new VigilError(ErrorCodes.SECRET_MISMATCH, `the secret check in ${dbPath} holds an unexpected value`);
}
