import type { ChatCompletionRequest } from '@chatloop/protocol';
import { checkFit, type FitCheck } from './check-fit.js';
import { type CostEstimate, estimateCost } from './estimate-cost.js';
import type { ModelInfo } from './model-info.js';
import { defaultModelRegistry, type ModelRegistry } from './model-registry.js';
import { createTokenCounter } from './token-counter.js';
import type { TokenEstimator } from './token-estimator.js';

/** Options of {@link tokenReport}. */
export interface TokenReportOptions {
  registry?: ModelRegistry;
  estimator?: TokenEstimator;
}

/** Everything known about a request before it is sent. */
export interface TokenReport extends CostEstimate {
  /** The registry entry, or `undefined` for an unknown model. */
  info: ModelInfo | undefined;
  tokenizer: string;
  /** The fit check, or `undefined` when the model's window is unknown. */
  fit: FitCheck | undefined;
}

/** Counts, fit and cost range of a request (what `chatloop tokens` prints). */
export function tokenReport(request: ChatCompletionRequest, options: TokenReportOptions = {}): TokenReport {
  const registry = options.registry ?? defaultModelRegistry;
  const info = registry.get(request.model);
  const counter = createTokenCounter({
    model: request.model,
    registry,
    ...(options.estimator ? { estimator: options.estimator } : {}),
  });
  const estimate = estimateCost(request, { registry, counter });
  const requested = request.max_completion_tokens ?? request.max_tokens ?? undefined;
  const fit = info
    ? checkFit(request.messages, {
        model: request.model,
        registry,
        counter,
        ...(request.tools ? { tools: request.tools } : {}),
        ...(requested != null ? { maxOutputTokens: requested } : {}),
      })
    : undefined;
  return { ...estimate, info, tokenizer: counter.tokenizer, fit };
}

const integer = new Intl.NumberFormat('en-US');
const usd = (value: number): string => `$${value < 0.01 ? value.toFixed(6) : value.toFixed(4)}`;

/** Formats a {@link TokenReport} as a few aligned lines of text. */
export function formatTokenReport(report: TokenReport): string {
  const lines = [
    `model    ${report.model}${report.info ? ` (${report.info.provider}${report.info.id !== report.model ? `, ${report.info.id}` : ''})` : ' (unknown model)'}`,
    `prompt   ${integer.format(report.promptTokens)} tokens (${report.estimated ? 'estimated' : 'exact'}, ${report.tokenizer})`,
  ];
  if (report.fit) {
    const verdict = report.fit.fits
      ? `fits, ${integer.format(report.fit.remainingTokens)} tokens to spare`
      : `does NOT fit: ${integer.format(report.fit.overflowTokens)} tokens over`;
    lines.push(
      `window   ${integer.format(report.fit.contextWindow)} tokens, ${integer.format(report.fit.reservedOutputTokens)} reserved for output: ${verdict}`,
    );
  } else {
    lines.push('window   unknown (model not in the registry)');
  }
  lines.push(
    report.cost
      ? `cost     ${usd(report.cost.minUSD)} to ${usd(report.cost.maxUSD)} (0 to ${integer.format(report.outputTokens.max)} output tokens)`
      : 'cost     unknown (no price for this model)',
  );
  return `${lines.join('\n')}\n`;
}
