// Operators: the model (zod schema), YAML loading, the repository with admin edits, and routing.

export {
  type LexicalPick,
  pickLexically,
  type RankedOperator,
  rankOperators,
  tokenize,
} from "./lexical-router.ts";
export { loadOperatorFile, loadOperatorsFromDir, OperatorConfigError } from "./load-operators.ts";
export { type ModelPick, pickByModel } from "./model-router.ts";
export {
  describeZodError,
  formatModelRef,
  type ModelRef,
  modelRefSchema,
  OPERATOR_NAME,
  type Operator,
  type OperatorFields,
  operatorFieldsSchema,
  parseOperator,
} from "./operator.ts";
export {
  OperatorEditError,
  type OperatorPatch,
  OperatorRepository,
  type OperatorRepositoryOptions,
} from "./operator-repository.ts";
