// `npm run bench -- <name> …`: runs the named benchmarks and prints their figures as JSON.

type Bench = () => Promise<Record<string, number | string>>;

const benches: Record<string, () => Promise<Bench>> = {
  startup: async () => (await import("./startup.ts")).benchStartup,
  adapters: async () => (await import("./adapters.ts")).benchAdapters,
  policy: async () => (await import("./policy.ts")).benchPolicy,
  audit: async () => (await import("./audit.ts")).benchAudit,
  orchestrator: async () => (await import("./orchestrator.ts")).benchOrchestrator,
  mcp: async () => (await import("./mcp.ts")).benchMcp,
};

const names = process.argv.slice(2);
if (names.length === 0 || names.some((n) => !(n in benches))) {
  process.stderr.write(`usage: npm run bench -- <${Object.keys(benches).join("|")}> …\n`);
  process.exit(2);
}
for (const name of names) {
  const run = await (await benches[name]())();
  process.stdout.write(`${JSON.stringify({ bench: name, ...run })}\n`);
}
