import { estimateCost, getModel } from '@chatloop/models';
import { type BatchInput, batchInputToExtractInput } from './batch-input.js';
import { type ExtractOptions, planExtraction } from './extraction-plan.js';

/** What a batch will cost before anything is sent. */
export interface BatchEstimate {
  /** Inputs counted. */
  items: number;
  /** Inputs that could not be turned into a request (unreadable image, empty input, ...). */
  unusable: number;
  /** Prompt tokens of every first attempt, summed. */
  promptTokens: number;
  /** True when some count is an estimate (the model's tokenizer is not public). */
  estimated: boolean;
  /** USD of those prompt tokens; `undefined` when the model's price is unknown. */
  inputCostUSD: number | undefined;
  /** The output limit per item used for the upper bound (the request's, else the model's). */
  maxOutputTokensPerItem: number;
  /** Upper bound in USD: prompts plus every item's full output limit; `undefined` when unpriced. */
  maxCostUSD: number | undefined;
  /** The mode `auto` resolves to. */
  mode: string;
}

/**
 * Counts the prompt tokens of every input's first request (the system prompt, schema and input exactly as
 * `extract` would send them) and prices them with `@chatloop/models`. Repair retries are not included:
 * they happen only for rejected answers. Nothing is sent.
 */
export async function estimateBatch<T>(
  inputs: Iterable<BatchInput> | AsyncIterable<BatchInput>,
  options: Omit<ExtractOptions<T>, 'client' | 'input'> & {
    onUnusable?: (input: BatchInput, error: unknown) => void;
  },
): Promise<BatchEstimate> {
  const estimate: BatchEstimate = {
    items: 0,
    unusable: 0,
    promptTokens: 0,
    estimated: false,
    inputCostUSD: undefined,
    maxOutputTokensPerItem: 0,
    maxCostUSD: undefined,
    mode: 'auto',
  };
  let inputUSD = 0;
  let maxUSD = 0;
  const priced = getModel(options.model)?.pricing !== undefined;
  for await (const input of inputs) {
    estimate.items++;
    let plan: Awaited<ReturnType<typeof planExtraction<T>>>;
    try {
      plan = await planExtraction({ ...options, input: batchInputToExtractInput(input) }, false);
    } catch (error) {
      estimate.unusable++;
      options.onUnusable?.(input, error);
      continue;
    }
    estimate.mode = plan.mode.mode;
    const cost = estimateCost(plan.request);
    estimate.promptTokens += cost.promptTokens;
    estimate.estimated ||= cost.estimated;
    estimate.maxOutputTokensPerItem = Math.max(estimate.maxOutputTokensPerItem, cost.outputTokens.max);
    if (cost.cost) {
      inputUSD += cost.cost.minUSD;
      maxUSD += cost.cost.maxUSD;
    }
  }
  if (priced) {
    estimate.inputCostUSD = inputUSD;
    estimate.maxCostUSD = maxUSD;
  }
  return estimate;
}
