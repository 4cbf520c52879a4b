/** Defaults of {@link createTokenEstimator}. */
export const TOKEN_ESTIMATOR_DEFAULTS = {
  /**
   * The ratio (provider tokens / o200k_base tokens) assumed before any usage was observed. Slightly
   * above 1 so that an uncalibrated fit check errs on the safe side.
   */
  initialRatio: 1.1,
  /** How many recent observations the running ratio and the error figures weigh (an exponential window). */
  window: 50,
} as const;

/** Options of {@link createTokenEstimator}. */
export interface TokenEstimatorOptions {
  /** Default {@link TOKEN_ESTIMATOR_DEFAULTS.initialRatio}. */
  initialRatio?: number;
  /** Default {@link TOKEN_ESTIMATOR_DEFAULTS.window}. */
  window?: number;
}

/** How well the estimator has done for one model. */
export interface EstimatorAccuracy {
  /** Usages observed. */
  samples: number;
  /** The current ratio of provider tokens to o200k_base tokens. */
  ratio: number;
  /**
   * Mean absolute relative error of the estimate made *before* each observation (so it is an honest,
   * out-of-sample figure), over the recent window; `undefined` before the first observation.
   */
  meanAbsoluteError: number | undefined;
  /** The relative error of the last estimate (signed: positive when the estimate was too high). */
  lastError: number | undefined;
}

/**
 * Estimates token counts for models without a public tokenizer (DeepSeek, Mistral, Llama, ...): the
 * o200k_base count of the same messages times a per-model ratio that it learns from the
 * `prompt_tokens` the provider reports. One estimator is typically shared by a client or an agent.
 */
export interface TokenEstimator {
  /** The estimate for `baseTokens` (the o200k_base count with OpenAI's chat overhead), rounded up. */
  estimate(model: string, baseTokens: number): number;
  /** The current ratio for `model`. */
  ratio(model: string): number;
  /** Learns from one request: its `baseTokens` and the `prompt_tokens` the provider billed. */
  observe(model: string, baseTokens: number, reportedPromptTokens: number): void;
  /** How far off the estimates have been for `model`. */
  accuracy(model: string): EstimatorAccuracy;
}

interface ModelState {
  samples: number;
  reported: number;
  base: number;
  absoluteError: number;
  errorWeight: number;
  lastError: number | undefined;
}

/** Creates a {@link TokenEstimator} with its own per-model state. */
export function createTokenEstimator(options: TokenEstimatorOptions = {}): TokenEstimator {
  const initialRatio = options.initialRatio ?? TOKEN_ESTIMATOR_DEFAULTS.initialRatio;
  const decay = 1 - 1 / (options.window ?? TOKEN_ESTIMATOR_DEFAULTS.window);
  const states = new Map<string, ModelState>();

  const ratio = (model: string): number => {
    const state = states.get(model);
    return state && state.base > 0 ? state.reported / state.base : initialRatio;
  };

  return {
    ratio,
    estimate: (model, baseTokens) => Math.ceil(baseTokens * ratio(model)),
    observe(model, baseTokens, reportedPromptTokens) {
      if (!(baseTokens > 0) || !(reportedPromptTokens > 0)) return;
      const predicted = baseTokens * ratio(model);
      const error = (predicted - reportedPromptTokens) / reportedPromptTokens;
      const state = states.get(model) ?? {
        samples: 0,
        reported: 0,
        base: 0,
        absoluteError: 0,
        errorWeight: 0,
        lastError: undefined,
      };
      // Sums decay so that the ratio follows a provider that changes its tokenizer.
      state.samples += 1;
      state.reported = state.reported * decay + reportedPromptTokens;
      state.base = state.base * decay + baseTokens;
      state.absoluteError = state.absoluteError * decay + Math.abs(error);
      state.errorWeight = state.errorWeight * decay + 1;
      state.lastError = error;
      states.set(model, state);
    },
    accuracy(model) {
      const state = states.get(model);
      return {
        samples: state?.samples ?? 0,
        ratio: ratio(model),
        meanAbsoluteError: state ? state.absoluteError / state.errorWeight : undefined,
        lastError: state?.lastError,
      };
    },
  };
}
