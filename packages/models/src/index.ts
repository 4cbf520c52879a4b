export type { Budget, BudgetOptions, BudgetRemaining } from './budget.js';
export { BudgetExceededError, createBudget, isBudgetExceededError } from './budget.js';
export type { CheckFitOptions, FitCheck } from './check-fit.js';
export { CHECK_FIT_DEFAULTS, checkFit } from './check-fit.js';
export type { BilledTokens, Cost } from './cost.js';
export { billedTokens, costOf } from './cost.js';
export type { CountChatTokensOptions } from './count-tokens.js';
export { countChatTokens, countTokens, DEFAULT_COUNT_MODEL } from './count-tokens.js';
export type { CostEstimate, EstimateCostOptions } from './estimate-cost.js';
export { estimateCost } from './estimate-cost.js';
export type { ImageSize, ImageTokenOptions } from './image-tokens.js';
export { IMAGE_TOKEN_DEFAULTS, imageSizeFromUrl, imageTokens } from './image-tokens.js';
export { MODEL_CATALOG } from './model-catalog.js';
export type {
  ImageTokenRule,
  ModelCapabilities,
  ModelInfo,
  ModelPricing,
  TokenizerName,
} from './model-info.js';
export type { ModelRegistry, ModelRegistryOptions } from './model-registry.js';
export { createModelRegistry, defaultModelRegistry, getModel, registerModel } from './model-registry.js';
export type { ChatTokenCount, TokenCounter, TokenCounterOptions } from './token-counter.js';
export { CHAT_TOKEN_OVERHEAD, createTokenCounter, DEFAULT_IMAGE_RULE } from './token-counter.js';
export type { EstimatorAccuracy, TokenEstimator, TokenEstimatorOptions } from './token-estimator.js';
export { createTokenEstimator, TOKEN_ESTIMATOR_DEFAULTS } from './token-estimator.js';
export type { TokenReport, TokenReportOptions } from './token-report.js';
export { formatTokenReport, tokenReport } from './token-report.js';
export type { Encoder, EncodingName } from './tokenizer.js';
export { getEncoder } from './tokenizer.js';
export type { TokensCommandIO } from './tokens-command.js';
export { runTokensCommand } from './tokens-command.js';
export { countToolTokens, TOOL_TOKEN_OVERHEAD } from './tool-tokens.js';
export { isUnknownModelError, UnknownModelError } from './unknown-model-error.js';
