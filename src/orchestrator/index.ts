// The orchestrator: tasks, the agent loop, the tool registry, the ToolInvoker port and the
// chat middleware and commands that route requests to operators.

export {
  type AgentLoopOptions,
  type AgentResult,
  type AgentStopReason,
  runAgentLoop,
  UNTRUSTED_NOTE,
} from "./agent-loop.ts";
export {
  createOrchestrator,
  type OperatorSource,
  type Orchestrator,
  type OrchestratorOptions,
  PICK_ACTION,
} from "./orchestrator.ts";
export { KeyValueError, parseKeyValues } from "./parse-key-values.ts";
export { taskCard } from "./task-card.ts";
export {
  type NewTask,
  type TaskKind,
  type TaskRecord,
  TaskRepository,
  type TaskStatus,
  type TaskStep,
} from "./task-repository.ts";
export {
  NO_MODEL_HELP,
  type OrchestratorLimits,
  type OrchestratorLog,
  requesterOf,
  type SessionPort,
  TASK_ACTIONS,
  TaskRunner,
} from "./task-runner.ts";
export type {
  CallSource,
  Requester,
  ToolCall,
  ToolInvoker,
  ToolOutcome,
  ToolOutcomeStatus,
} from "./tool-invoker.ts";
export { matchesToolPattern, type RegisterOptions, ToolRegistry } from "./tool-registry.ts";
