import type { ChatMessage } from '@chatloop/protocol';
import { ExtractionFailedError, type ExtractionIssue, ExtractionRefusedError } from './extract-errors.js';
import { type ModeOutput, readModeOutput } from './extraction-mode.js';
import {
  type ExtractionReport,
  type ExtractOptions,
  judgeOutput,
  planExtraction,
} from './extraction-plan.js';
import { repairMessages } from './extraction-prompt.js';
import { addUsage, emptyUsage } from './usage-sum.js';

/** The result of {@link extract}: the validated object and how it was obtained. */
export interface ExtractResult<T> extends ExtractionReport {
  /** The validated object. */
  object: T;
}

/**
 * Extracts one typed object from text, messages or images. The model is asked for JSON in the chosen
 * mode; almost-JSON is repaired locally; output that still does not parse or validate is sent back with
 * its errors, up to `maxRepairRetries` times.
 *
 * @throws ExtractionFailedError when no attempt produced a valid object (carries the last raw output,
 *   the issues, attempts and usage).
 * @throws ExtractionRefusedError when the model refuses (not retried).
 * @throws ExtractInputError / ExtractSchemaError for an unusable input or schema, and the client's own
 *   errors (API, connection, timeout, abort) as they are.
 */
export async function extract<T>(options: ExtractOptions<T>): Promise<ExtractResult<T>> {
  const plan = await planExtraction(options, false);
  const messages: ChatMessage[] = [...plan.request.messages];
  const usage = emptyUsage();
  let lastRaw = '';
  let lastIssues: ExtractionIssue[] = [];
  for (let attempt = 1; attempt <= plan.maxAttempts; attempt++) {
    options.signal?.throwIfAborted();
    const completion = await options.client.chat(
      { ...plan.request, messages },
      options.signal ? { signal: options.signal } : {},
    );
    addUsage(usage, completion.usage);
    if (completion.usage) options.onUsage?.(completion.usage);
    const choice = completion.choices[0];
    const output: ModeOutput = choice
      ? readModeOutput(plan.mode.mode, choice.message, choice.finish_reason)
      : { kind: 'output', text: '' };
    if (output.kind === 'refusal')
      throw new ExtractionRefusedError({ refusal: output.refusal, attempts: attempt, usage });
    const verdict = judgeOutput(plan.schema, output, choice?.finish_reason ?? null);
    if (verdict.ok) {
      return {
        object: verdict.value,
        mode: plan.mode,
        attempts: attempt,
        usage,
        repaired: verdict.repaired,
        rawOutput: output.text,
      };
    }
    lastRaw = output.text;
    lastIssues = verdict.issues;
    messages.push(
      ...repairMessages({
        rawOutput: output.text,
        ...(output.toolCallId === undefined ? {} : { toolCallId: output.toolCallId }),
        toolName: plan.schema.name,
        issues: verdict.issues,
      }),
    );
  }
  throw new ExtractionFailedError({
    rawOutput: lastRaw,
    issues: lastIssues,
    attempts: plan.maxAttempts,
    usage,
  });
}
