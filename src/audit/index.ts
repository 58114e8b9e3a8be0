// The audit unit: the append-only, hash-chained audit log and the one redactor for secrets and PII.

export { canonicalJson } from "../core/canonical-json.ts";
export { entryFields, GENESIS_HASH, HASHED_COLUMNS, hashFields, type RawAuditRow } from "./audit-hash.ts";
export {
  AUDIT_SOURCES,
  type AuditDecision,
  type AuditEntry,
  AuditLog,
  type AuditLogOptions,
  type AuditQuery,
  type AuditRecord,
  type AuditSource,
  type JsonlSink,
} from "./audit-log.ts";
export { describeVerifyResult } from "./describe-verify.ts";
export { type Detector, luhnValid } from "./detectors.ts";
export { createRedactor, type Finding, Redactor, type RedactorOptions, type RedactResult } from "./redact.ts";
export { buildRedactionCorpus, type CorpusEntry } from "./redaction-corpus.ts";
export { type RedactionScore, scoreRedaction } from "./redaction-score.ts";
export {
  classifySecretName,
  isPlaceholder,
  type SecretNameClass,
  shannonEntropy,
} from "./secret-names.ts";
export {
  type AuditProblem,
  type AuditProblemKind,
  type VerifyOptions,
  type VerifyResult,
  verifyChain,
} from "./verify-chain.ts";
