import type { ChatMessage } from '@chatloop/protocol';
import type { ExtractResult } from './extract.js';
import { ExtractionFailedError, type ExtractionIssue, ExtractionRefusedError } from './extract-errors.js';
import { type ExtractOptions, judgeOutput, planExtraction } from './extraction-plan.js';
import { repairMessages } from './extraction-prompt.js';
import { parsePartialObject } from './parse-partial-object.js';
import { StreamOutputAccumulator } from './stream-output-accumulator.js';
import { addUsage, emptyUsage } from './usage-sum.js';

/** A value of which any part may still be missing: what a partial object looks like mid-stream. */
export type DeepPartial<T> =
  T extends ReadonlyArray<infer U>
    ? Array<DeepPartial<U>>
    : T extends object
      ? { [K in keyof T]?: DeepPartial<T[K]> }
      : T;

/** What {@link extractStream} yields. */
export type ExtractStreamEvent<T> =
  /** The object so far; each one is a prefix of the next within one attempt. Not validated. */
  | { type: 'partial'; object: DeepPartial<T>; attempt: number }
  /** The attempt's output was rejected and is being retried: partials start again from nothing. */
  | { type: 'repair'; attempt: number; issues: ExtractionIssue[] }
  /** The validated object, once. */
  | { type: 'final'; object: T; result: ExtractResult<T> };

/** The stream of one extraction: `for await` its events, or await `result()`. Single consumer. */
export interface ExtractStream<T> extends AsyncIterable<ExtractStreamEvent<T>> {
  /** The final result (consumes the rest of the stream when not iterated). Rejects like `extract`. */
  result(): Promise<ExtractResult<T>>;
}

async function* runStream<T>(
  options: ExtractOptions<T>,
  settle: (result: ExtractResult<T>) => void,
): AsyncGenerator<ExtractStreamEvent<T>> {
  const plan = await planExtraction(options, true);
  const messages: ChatMessage[] = [...plan.request.messages];
  const usage = emptyUsage();
  let lastRaw = '';
  let lastIssues: ExtractionIssue[] = [];
  for (let attempt = 1; attempt <= plan.maxAttempts; attempt++) {
    options.signal?.throwIfAborted();
    const accumulator = new StreamOutputAccumulator(plan.mode.mode);
    let shown = '';
    try {
      const chunks = options.client.stream(
        { ...plan.request, messages, stream: true, stream_options: { include_usage: true } },
        options.signal ? { signal: options.signal } : {},
      );
      for await (const chunk of chunks) {
        if (!accumulator.add(chunk)) continue;
        const partial = parsePartialObject(accumulator.text);
        if (partial === undefined) continue;
        const key = JSON.stringify(partial);
        if (key === shown) continue;
        shown = key;
        yield { type: 'partial', object: partial as DeepPartial<T>, attempt };
      }
    } finally {
      addUsage(usage, accumulator.usage);
      if (accumulator.usage.total_tokens > 0) options.onUsage?.(accumulator.usage);
    }
    const output = accumulator.output();
    if (output.kind === 'refusal')
      throw new ExtractionRefusedError({ refusal: output.refusal, attempts: attempt, usage });
    const verdict = judgeOutput(plan.schema, output, accumulator.finishReason);
    if (verdict.ok) {
      const result: ExtractResult<T> = {
        object: verdict.value,
        mode: plan.mode,
        attempts: attempt,
        usage,
        repaired: verdict.repaired,
        rawOutput: output.text,
      };
      settle(result);
      yield { type: 'final', object: verdict.value, result };
      return;
    }
    lastRaw = output.text;
    lastIssues = verdict.issues;
    if (attempt < plan.maxAttempts) yield { type: 'repair', attempt, issues: verdict.issues };
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

/**
 * Extracts one typed object over a streamed completion: yields partial objects as the JSON streams in
 * (parsed with `partial-json`, each a prefix of the next), a `repair` event when an attempt's output is
 * rejected and retried with its errors, then the validated `final` object. Same options, retries and
 * errors as `extract`; the request asks for stream usage (`stream_options.include_usage`).
 */
export function extractStream<T>(options: ExtractOptions<T>): ExtractStream<T> {
  let final: ExtractResult<T> | undefined;
  const events = runStream(options, (result) => {
    final = result;
  });
  let started = false;
  return {
    [Symbol.asyncIterator]() {
      if (started) throw new TypeError('An extraction stream can be consumed once.');
      started = true;
      return events;
    },
    async result() {
      if (!started) {
        started = true;
        for await (const _event of events) {
          // Drains the stream; the final event sets `final`.
        }
      }
      if (final === undefined) throw new TypeError('The extraction stream ended before its final object.');
      return final;
    },
  };
}
