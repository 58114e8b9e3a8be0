// Test kit for the orchestrator: a real store and ChatHub on a RecordingAdapter, a tool
// registry with tiny real tools (echo, slow, leak, danger.delete), operators and real LLM
// providers pointed at the wire-level fake. Used by the tests and the bench.

import { join } from "node:path";
import { z } from "zod";
import type { Card } from "../../core/card.ts";
import type { InboundAction, InboundMessage } from "../../core/chat-adapter.ts";
import { ChatHub, type ChatHub as ChatHubType } from "../../core/chat-hub.ts";
import { commandRouter } from "../../core/router.ts";
import type { LlmClient } from "../../llm/llm-client.ts";
import { createLlmClient } from "../../llm/providers.ts";
import type { ModelRef, Operator } from "../../operators/operator.ts";
import { OperatorRepository } from "../../operators/operator-repository.ts";
import { openStore, type Store } from "../../store/index.ts";
import { RecordingAdapter } from "../../testing/recording-adapter.ts";
import { defineTool } from "../../tools/define-tool.ts";
import type { Tool } from "../../tools/tool.ts";
import { createOrchestrator, type Orchestrator, type OrchestratorOptions } from "../orchestrator.ts";
import { TaskRepository } from "../task-repository.ts";
import type { ToolInvoker } from "../tool-invoker.ts";
import { ToolRegistry } from "../tool-registry.ts";
import { AllowAllInvoker } from "./allow-all-invoker.ts";

export const silentLog = { info() {}, warn() {}, error() {}, debug() {} };

/** Replaces anything that looks like `sk-…` with a marker. */
export const testRedact = (text: string): string => text.replace(/sk-[A-Za-z0-9]{8,}/g, "[REDACTED]");

/** What the tiny tools did, to prove what ran. */
export interface ToolEffects {
  readonly echoed: string[];
  readonly deleted: string[];
  slowStarted: number;
  slowAborted: number;
}

export function testTools(effects: ToolEffects, leakText = "all good"): Tool[] {
  const echo = defineTool({
    name: "echo",
    description: "echo text back",
    schema: z.object({ text: z.string() }),
    permission: () => "read",
    resource: () => "test:echo",
    run: async ({ text }) => {
      effects.echoed.push(text);
      return { ok: true, output: `echo: ${text}` };
    },
  });
  const slow = defineTool({
    name: "slow",
    description: "wait a long time, honouring the stop signal",
    schema: z.object({ ms: z.number().int().default(30_000) }),
    permission: () => "read",
    resource: () => "test:slow",
    run: ({ ms }, ctx) => {
      effects.slowStarted++;
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve({ ok: true, output: `waited ${ms} ms` }), ms);
        ctx.signal.addEventListener(
          "abort",
          () => {
            clearTimeout(timer);
            effects.slowAborted++;
            resolve({ ok: false, output: "aborted" });
          },
          { once: true },
        );
      });
    },
  });
  const leak = defineTool({
    name: "leak",
    description: "read a status page (returns untrusted text)",
    schema: z.object({}),
    permission: () => "read",
    resource: () => "test:leak",
    run: async () => ({ ok: true, output: leakText }),
  });
  const danger = defineTool({
    name: "danger.delete",
    description: "delete a path (destructive)",
    schema: z.object({ path: z.string() }),
    permission: () => "exec",
    resource: ({ path }) => `fs:${path}`,
    run: async ({ path }) => {
      effects.deleted.push(path);
      return { ok: true, output: `deleted ${path}` };
    },
  });
  return [echo, slow, leak, danger] as unknown as Tool[];
}

export function testOperators(dataDir: string, model?: ModelRef): Operator[] {
  const m = model ? { model } : {};
  return [
    {
      name: "observer",
      description: "Read-only observer: echo text, check status pages, read container logs.",
      systemPrompt: "You are the observer.",
      tools: ["echo", "slow", "leak"],
      ceiling: "read",
      trust: "strict",
      workingDirectory: join(dataDir, "work", "observer"),
      ...m,
    },
    {
      name: "janitor",
      description: "Cleans up: deletes stale paths and temporary files on disk.",
      systemPrompt: "You are the janitor.",
      tools: ["danger.*", "echo", "leak"],
      ceiling: "exec",
      trust: "strict",
      workingDirectory: join(dataDir, "work", "janitor"),
      ...m,
    },
  ];
}

export interface KitOptions {
  dbPath: string;
  dataDir: string;
  /** Base URL of a fake OpenAI-compatible server; absent means no model is configured. */
  llmBaseUrl?: string;
  /** Which provider speaks to the fake (default openai-compatible). */
  llmKind?: "openai-compatible" | "anthropic";
  /** Also route free text with this model. */
  routeByModel?: boolean;
  invoker?: ToolInvoker;
  operators?: Operator[];
  llmFor?: (ref: ModelRef) => LlmClient | undefined;
  limits?: OrchestratorOptions["limits"];
  leakText?: string;
  isAdmin?: OrchestratorOptions["isAdmin"];
}

export interface Kit {
  readonly store: Store;
  readonly hub: ChatHubType;
  readonly adapter: RecordingAdapter;
  readonly orchestrator: Orchestrator;
  readonly tasks: TaskRepository;
  readonly operators: OperatorRepository;
  readonly registry: ToolRegistry;
  readonly invoker: ToolInvoker;
  readonly effects: ToolEffects;
  say(text: string, over?: Partial<InboundMessage>): Promise<void>;
  click(buttonId: string, over?: Partial<InboundAction>): Promise<void>;
  /** Cards sent in one thread, current versions. */
  thread(thread: string, conversation?: string): Card[];
  close(): Promise<void>;
}

let counter = 0;

/** Boots a store, hub, adapter and orchestrator; `close` stops everything it started. */
export async function bootKit(o: KitOptions): Promise<Kit> {
  const store = openStore(o.dbPath);
  const hub = new ChatHub({ ...store, log: silentLog });
  const adapter = new RecordingAdapter("slack");
  const effects: ToolEffects = { echoed: [], deleted: [], slowStarted: 0, slowAborted: 0 };
  const registry = new ToolRegistry();
  for (const t of testTools(effects, o.leakText)) registry.register(t);
  const invoker = o.invoker ?? new AllowAllInvoker({ redact: testRedact });
  const model: ModelRef | undefined =
    o.llmBaseUrl || o.llmFor ? { provider: "fake", model: "m1" } : undefined;
  const llm = o.llmBaseUrl
    ? createLlmClient({
        name: "fake",
        kind: o.llmKind ?? "openai-compatible",
        baseUrl: o.llmBaseUrl,
        model: "m1",
        apiKey: "test-key",
      })
    : undefined;
  const operators = new OperatorRepository({
    db: store.db,
    defaults: o.operators ?? testOperators(o.dataDir, model),
    dataDir: o.dataDir,
  });
  const tasks = new TaskRepository({ db: store.db });
  const orchestrator = createOrchestrator({
    operators,
    registry,
    invoker,
    llmFor: o.llmFor ?? ((ref) => (ref.provider === "fake" ? llm : undefined)),
    redact: testRedact,
    tasks,
    sessions: store.sessions,
    log: silentLog,
    ...(o.limits ? { limits: o.limits } : {}),
    ...(o.routeByModel && model ? { routerModel: model } : {}),
    ...(o.isAdmin ? { isAdmin: o.isAdmin } : {}),
  });
  hub.use(commandRouter({ commands: orchestrator.commands, passFreeText: true }));
  hub.use(orchestrator.middleware);
  orchestrator.registerActions(hub);
  hub.attach(adapter);
  await hub.start();

  return {
    store,
    hub,
    adapter,
    orchestrator,
    tasks,
    operators,
    registry,
    invoker,
    effects,
    say: (text, over = {}) => {
      const id = `m${++counter}`;
      return adapter.deliver({
        kind: "message",
        platform: "slack",
        conversation: "C1",
        user: { id: "U1", name: "ana" },
        eventId: `ev-${id}-${Math.random()}`,
        receivedAt: new Date(),
        messageId: id,
        text,
        ...over,
      } as InboundMessage);
    },
    click: (buttonId, over = {}) => {
      const sent = adapter.sent.find((m) => m.card.buttons.some((b) => b.id === buttonId));
      if (!sent) throw new Error(`no card carries button ${buttonId}`);
      return adapter.deliver({
        kind: "action",
        platform: "slack",
        conversation: sent.ref.conversation,
        thread: sent.ref.thread,
        user: { id: "U2", name: "bob" },
        eventId: `click-${++counter}`,
        receivedAt: new Date(),
        actionId: buttonId,
        message: sent.ref,
        ...over,
      } as InboundAction);
    },
    thread: (thread, conversation = "C1") =>
      adapter.sent
        .filter((m) => m.ref.thread === thread && m.ref.conversation === conversation)
        .map((m) => m.card),
    async close() {
      orchestrator.stopAll();
      await orchestrator.idle();
      await hub.stop();
      store.close();
    },
  };
}

export { ChatHub };
