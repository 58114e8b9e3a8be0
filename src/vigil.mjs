#!/usr/bin/env -S node --max-semi-space-size=1
// The `vigil` executable. Plain JavaScript so it can turn on Node's compile cache before any
// TypeScript loads: later starts then skip type stripping and its compiler (about 25 MB of RSS
// and a third of start-up). A small young generation suits a service that mostly idles
// between chat messages. Both measured with `npm run bench -- startup adapters`.

import { mkdirSync } from "node:fs";
import module from "node:module";
import { homedir } from "node:os";
import { join, resolve } from "node:path";

if (Number(process.versions.node.split(".")[0]) < 24) {
  process.stderr.write(
    `vigil: needs Node 24 or newer (this is ${process.version}); run it as \`npx vigil\` or \`npm start\` in the project, which use its own node@24\n`,
  );
  process.exit(1);
}

// Private to this installation (not a shared /tmp directory another user could plant code in).
// The data directory rule is config/load-config.ts's defaultDataDir, which cannot load yet.
const cache = join(
  resolve(process.env.VIGIL_DATA_DIR || join(process.env.HOME || homedir(), ".vigil")),
  "compile-cache",
);
try {
  mkdirSync(cache, { recursive: true, mode: 0o700 });
  module.enableCompileCache?.(cache);
} catch {
  // No cache (read-only home, say): Vigil only starts a little slower.
}
const { main } = await import("./cli.ts");
main();
