import type { AgentEvent, PendingToolCall, StepRecord } from '@chatloop/agent';
import { costOf, getModel } from '@chatloop/models';
import type { Usage } from '@chatloop/protocol';

/** Longest tool result printed in the trace, in characters; longer ones are cut with an ellipsis. */
export const TRACE_RESULT_CHARS = 200;

/**
 * Turns agent events into a readable trace: one block per step (model, tokens, cost, time), each
 * tool call with its arguments and result, approvals, and the final answer.
 */
export class TracePrinter {
  readonly #write: (line: string) => void;

  constructor(write: (line: string) => void) {
    this.#write = write;
  }

  /** Prints one line. */
  line(text = ''): void {
    this.#write(text);
  }

  /** Prints what an event shows; `onEvent` of a run can be this method. */
  onEvent = (event: AgentEvent): void => {
    if (event.type === 'step_finished') this.step(event.step);
  };

  readonly #printedSteps = new Set<number>();
  readonly #printedCalls = new Set<string>();
  readonly #printedResults = new Set<string>();

  /**
   * Prints a step: its header once, then each tool call and result not printed yet. A step that paused
   * for approval is printed again after the resume, which adds only the results that came in since.
   */
  step(step: StepRecord): void {
    if (!this.#printedSteps.has(step.index)) {
      this.#printedSteps.add(step.index);
      const usage = step.usage;
      const tokens =
        usage === null
          ? 'tokens n/a'
          : `${usage.total_tokens} tokens (${usage.prompt_tokens} in, ${usage.completion_tokens} out)`;
      this.#write(
        `step ${step.index + 1} · ${step.model} · ${tokens} · ${formatCost(usage, step.model)} · ` +
          `${Math.round(step.latencyMs)} ms`,
      );
      if (step.text !== '' && step.toolCalls.length > 0) this.#write(`  says: ${step.text}`);
    }
    for (const call of step.toolCalls) {
      if (!this.#printedCalls.has(call.id)) {
        this.#printedCalls.add(call.id);
        this.#write(`  → ${call.function.name} ${call.function.arguments}`);
      }
      const result = step.toolResults.find((candidate) => candidate.toolCallId === call.id);
      if (result !== undefined && !this.#printedResults.has(call.id)) {
        this.#printedResults.add(call.id);
        const failed = result.ok ? '' : `${result.source === 'denied' ? 'DENIED' : 'FAILED'} `;
        this.#write(
          `  ← ${result.name} ${failed}${clip(result.content)} (${Math.round(result.durationMs)} ms)`,
        );
      }
    }
  }
}

/** `name {"arguments"}` of a pending call. */
export function describeCall(call: PendingToolCall): string {
  return `${call.name} ${call.arguments}`;
}

/** A USD cost for the trace, or why there is none. */
export function formatCost(usage: Usage | null, model: string): string {
  if (usage === null) return 'cost n/a';
  if (getModel(model)?.pricing === undefined) return 'cost n/a (unpriced model)';
  return formatUSD(costOf(usage, model).totalUSD);
}

/** `$0.000123`: six decimals, since one step of a small model costs fractions of a cent. */
export function formatUSD(amount: number): string {
  return `$${amount.toFixed(6)}`;
}

function clip(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > TRACE_RESULT_CHARS ? `${flat.slice(0, TRACE_RESULT_CHARS - 1)}…` : flat;
}
