export type { BatchEstimate } from './batch-estimate.js';
export { estimateBatch } from './batch-estimate.js';
export type { BatchInput } from './batch-input.js';
export { batchInputKey, batchInputToExtractInput } from './batch-input.js';
export type { BatchJournal, JournalRecord, JournalState, JournalTotals } from './batch-journal.js';
export { createMemoryJournal, emptyTotals, JournalStateBuilder } from './batch-journal.js';
export { runCli } from './cli-program.js';
export type { ExtractResult } from './extract.js';
export { extract } from './extract.js';
export type { ExtractCallOptions, ExtractClient } from './extract-client.js';
export { clientProviderName } from './extract-client.js';
export type { CliIO, ExtractCommandOptions } from './extract-command.js';
export { CLI_EXIT_CODES, CliUsageError, runExtractCommand } from './extract-command.js';
export type { ExtractionIssue } from './extract-errors.js';
export {
  ExtractInputError,
  ExtractionFailedError,
  ExtractionRefusedError,
  ExtractSchemaError,
  isExtractInputError,
  isExtractionFailedError,
  isExtractionRefusedError,
  isExtractSchemaError,
  MAX_RAW_OUTPUT_CHARS,
} from './extract-errors.js';
export type { ExtractInput, ImageDetail, ImageInput, InputMessageOptions } from './extract-input.js';
export { EXTRACT_INPUT_DEFAULTS, imageMimeType, toInputMessages } from './extract-input.js';
export type {
  BatchItemEvent,
  BatchProgress,
  BatchStopReason,
  BatchSummary,
  ExtractManyOptions,
} from './extract-many.js';
export { EXTRACT_MANY_DEFAULTS, extractMany } from './extract-many.js';
export type { DeepPartial, ExtractStream, ExtractStreamEvent } from './extract-stream.js';
export { extractStream } from './extract-stream.js';
export type {
  ExtractionMode,
  ExtractionModeOption,
  ModeCapabilities,
  ModeOutput,
  ResolvedMode,
} from './extraction-mode.js';
export { modeRequestFields, PROVIDER_CAPABILITIES, readModeOutput, resolveMode } from './extraction-mode.js';
export type { ExtractionPlan, ExtractionReport, ExtractOptions, OutputVerdict } from './extraction-plan.js';
export { EXTRACT_DEFAULTS, judgeOutput, planExtraction } from './extraction-plan.js';
export {
  describeIssues,
  EXTRACTION_PROMPT_DEFAULTS,
  extractionSystemMessage,
  repairMessages,
} from './extraction-prompt.js';
export type { BadInput, InputSource } from './input-files.js';
export { INPUT_FILE_DEFAULTS, openInputSource } from './input-files.js';
export type { JsonlJournalOptions } from './jsonl-journal.js';
export { createJsonlJournal, defaultErrorsPath } from './jsonl-journal.js';
export type { ObjectSchema, SchemaInput, ValidationResult, ZodLikeSchema } from './object-schema.js';
export { isStrictJsonSchema, OBJECT_SCHEMA_DEFAULTS, toObjectSchema } from './object-schema.js';
export type { ModelJsonResult } from './parse-model-json.js';
export { locateJson, parseModelJson } from './parse-model-json.js';
export { isPrefixObject, parsePartialObject } from './parse-partial-object.js';
export { loadSchema } from './schema-loader.js';
export type {
  SharedBatchBackend,
  SharedBatchBackendFactory,
  SharedBatchBackendOptions,
  SharedBatchQueueOptions,
} from './shared-batch-backend.js';
export {
  defaultBatchId,
  isSharedBackendMissingError,
  loadRedisBatchBackend,
  SharedBackendMissingError,
  writeSharedBatchOutput,
} from './shared-batch-backend.js';
export { StreamOutputAccumulator } from './stream-output-accumulator.js';
export type { TokensCommandOptions } from './tokens-command.js';
export { runTokensCommandForFiles } from './tokens-command.js';
export { addUsage, emptyUsage } from './usage-sum.js';
export type { InputQueueOptions, QueuedItem, WorkQueue } from './work-queue.js';
export { createInputQueue } from './work-queue.js';
