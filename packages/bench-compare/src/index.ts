export type { Adapter } from './adapters.js';
export {
  ADAPTER_NAMES,
  aiSdkAdapter,
  bareUndiciAdapter,
  chatloopAdapter,
  createAdapters,
  openAIAdapter,
  openAIAgentsAdapter,
} from './adapters.js';
export type { HoldControl } from './bench-models.js';
export {
  BENCH_MODELS,
  benchModels,
  LOOP_ANSWER,
  LOOP_PROMPT,
  LOOP_STEPS,
  lookup,
  PLAIN_ANSWER,
  STREAM_ANSWER,
  STREAM_CHUNKS,
  SYSTEM_PROMPT,
  USER_PROMPT,
} from './bench-models.js';
