// Bench: the orchestrator's own cost per chat turn, excluding the model (an in-process LlmClient
// that answers at once, so nothing is subtracted), target median ≤ 5 ms; and 100 threads at once
// on one adapter, checked for cross-talk, with their turn latency (also against the HTTP fake model
// through the real provider, for scale). Real SQLite file, real ChatHub, RecordingAdapter.
// Run: npm run bench -- orchestrator   (or node src/bench/orchestrator.ts)

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LlmClient, LlmRequest } from "../llm/llm-client.ts";
import { lastUser, toolResults } from "../orchestrator/testing/fake-body.ts";
import { bootKit, type Kit } from "../orchestrator/testing/orchestrator-kit.ts";
import { startFakeOpenAi } from "../testing/fake-llm.ts";

const usage = { inputTokens: 1, outputTokens: 1 };

/** Answers at once: with a tool call first when `withTool`, then text naming the request. */
function instantLlm(withTool: boolean): LlmClient {
  return {
    async complete(req: LlmRequest) {
      const user = [...req.messages].reverse().find((m) => m.role === "user")?.content ?? "";
      const tools = req.messages.filter((m) => m.role === "tool");
      if (withTool && tools.length === 0) {
        return { text: "", toolCalls: [{ id: "c1", name: "echo", arguments: { text: user } }], usage };
      }
      return {
        text: `answer ${user}${tools.length > 0 ? ` / ${tools[0].content}` : ""}`,
        toolCalls: [],
        usage,
      };
    },
  };
}

/** Records when each thread's answer was sent. */
function answerTimes(kit: Kit): Map<string, { at: bigint; text: string }[]> {
  const times = new Map<string, { at: bigint; text: string }[]>();
  const send = kit.adapter.send.bind(kit.adapter);
  kit.adapter.send = async (target, card) => {
    const ref = await send(target, card);
    if (card.markdown.startsWith("answer ")) {
      const list = times.get(target.thread ?? "") ?? [];
      list.push({ at: process.hrtime.bigint(), text: card.markdown });
      times.set(target.thread ?? "", list);
    }
    return ref;
  };
  return times;
}

async function perTurn(dir: string, withTool: boolean, turns: number): Promise<number[]> {
  const llm = instantLlm(withTool);
  const kit = await bootKit({
    dbPath: join(dir, `turn-${withTool}.db`),
    dataDir: dir,
    llmFor: () => llm,
  });
  try {
    const out: number[] = [];
    for (let i = 0; i < turns + 200; i++) {
      const t0 = process.hrtime.bigint();
      await kit.say(`@observer request ${i}`, { messageId: `p${i}` });
      await kit.orchestrator.idle();
      const dt = Number(process.hrtime.bigint() - t0) / 1e6;
      if (i >= 200) out.push(dt); // the first 200 warm the JIT and SQLite's page cache
    }
    const finished = kit.tasks.list({ status: "finished", limit: turns + 1000 }).length;
    if (finished !== turns + 200) throw new Error(`bench: ${finished} of ${turns + 200} turns finished`);
    return out;
  } finally {
    await kit.close();
  }
}

async function concurrent(
  dir: string,
  name: string,
  n: number,
  opts: { llmFor?: () => LlmClient; llmBaseUrl?: string },
): Promise<{ latencies: number[]; crossTalk: number }> {
  const kit = await bootKit({ dbPath: join(dir, `${name}.db`), dataDir: dir, ...opts });
  try {
    const times = answerTimes(kit);
    const starts = new Map<string, bigint>();
    await Promise.all(
      Array.from({ length: n }, (_, i) => {
        starts.set(`c${i}`, process.hrtime.bigint());
        return kit.say(`@observer request c${i}`, { messageId: `c${i}`, user: { id: `U${i}` } });
      }),
    );
    await kit.orchestrator.idle();
    let crossTalk = 0;
    const latencies: number[] = [];
    for (let i = 0; i < n; i++) {
      const got = times.get(`c${i}`) ?? [];
      const want = `answer request c${i} / echo: request c${i}`;
      if (got.length !== 1 || got[0].text !== want) crossTalk++;
      if (got[0]) latencies.push(Number(got[0].at - (starts.get(`c${i}`) as bigint)) / 1e6);
    }
    return { latencies, crossTalk };
  } finally {
    await kit.close();
  }
}

/** Median/p99 turn overhead without the model, and 100 concurrent threads' p99 and cross-talk count. */
export async function benchOrchestrator({
  turns = 2000,
  threads = 100,
} = {}): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), "vigil-bench-orch-"));
  try {
    const plain = await perTurn(dir, false, turns);
    const withTool = await perTurn(dir, true, turns);
    const inProc = instantLlm(true);
    const local = await concurrent(dir, "concurrent-inproc", threads, { llmFor: () => inProc });
    const fake = await startFakeOpenAi({
      script: (req) => {
        const user = lastUser(req.body);
        const results = toolResults(req.body);
        return results.length === 0
          ? { toolCalls: [{ name: "echo", arguments: { text: user } }], usage }
          : { text: `answer ${user} / ${results[0]}`, usage };
      },
    });
    let http: { latencies: number[]; crossTalk: number };
    try {
      http = await concurrent(dir, "concurrent-http", threads, { llmBaseUrl: fake.baseUrl });
    } finally {
      await fake.close();
    }
    return {
      turns,
      turn_overhead_median_ms: round(quantile(plain, 0.5)),
      turn_overhead_p99_ms: round(quantile(plain, 0.99)),
      turn_with_tool_call_median_ms: round(quantile(withTool, 0.5)),
      turn_with_tool_call_p99_ms: round(quantile(withTool, 0.99)),
      threads,
      concurrent_inproc_turn_p50_ms: round(quantile(local.latencies, 0.5)),
      concurrent_inproc_turn_p99_ms: round(quantile(local.latencies, 0.99)),
      concurrent_inproc_cross_talk: local.crossTalk,
      concurrent_http_fake_turn_p50_ms: round(quantile(http.latencies, 0.5)),
      concurrent_http_fake_turn_p99_ms: round(quantile(http.latencies, 0.99)),
      concurrent_http_fake_cross_talk: http.crossTalk,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function quantile(xs: number[], q: number): number {
  if (xs.length === 0) return Number.NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

if (import.meta.main) {
  process.stdout.write(`${JSON.stringify({ bench: "orchestrator", ...(await benchOrchestrator()) })}\n`);
}
