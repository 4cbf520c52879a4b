import type { ChatCompletionRequest, ChatMessage } from '@chatloop/protocol';
import { type ScriptedModel, type ScriptedTurn, scriptedModel } from '@chatloop/testing';

/** Model names the benchmark server serves. */
export const BENCH_MODELS = {
  /** A one-paragraph answer. */
  plain: 'bench-plain',
  /** A long answer that streams as {@link STREAM_CHUNKS} chunks. */
  stream: 'bench-stream',
  /** A 10-step tool loop: 9 turns calling `lookup`, then {@link LOOP_ANSWER}. */
  loop: 'bench-loop',
} as const;

/** Model calls in one run of the tool loop. */
export const LOOP_STEPS = 10;

/** The tool loop's final answer. */
export const LOOP_ANSWER = 'All ten steps are done.';

/** Chunks of one streamed answer of the `stream` model: a role chunk, 998 content deltas, a finish chunk. */
export const STREAM_CHUNKS = 1_000;

/** The `plain` model's answer. */
export const PLAIN_ANSWER =
  'The quick brown fox jumps over the lazy dog. A benchmark answer of a typical short length, ' +
  'about the size of a one-paragraph reply from a chat model, with a little more text to pad it out.';

/** The `stream` model's answer: 998 short words, each its own content delta. */
export const STREAM_ANSWER = Array.from({ length: STREAM_CHUNKS - 2 }, (_, i) => `w${i} `).join('');

/** The system and user messages every contender sends. */
export const SYSTEM_PROMPT = 'You are a helpful assistant.';
/** The user message of the plain and streamed rows. */
export const USER_PROMPT = 'Say something short about foxes.';
/** The user message of the tool loop. */
export const LOOP_PROMPT = 'Look up ten numbers.';

/** What the `lookup` tool returns for `n` (every contender's tool does the same work). */
export const lookup = (n: number): string => `value ${n * 7}`;

/**
 * Holds requests while set: `plain` requests always, `loop` requests at step `loopStep` (0-based: the
 * number of tool results in the transcript). Used to keep a fixed number of runs in flight.
 */
export interface HoldControl {
  /** Whether requests are being held, and at which tool-loop step. */
  hold: { loopStep: number } | undefined;
  /** Called with a release function for every held request. */
  onHeld(release: () => void): void;
}

const toolResults = (messages: readonly ChatMessage[]): number =>
  messages.filter((m) => m.role === 'tool').length;

function held(
  control: HoldControl | undefined,
  when: (loopStep: number) => boolean,
): Promise<void> | undefined {
  const hold = control?.hold;
  if (control === undefined || hold === undefined || !when(hold.loopStep)) return undefined;
  return new Promise<void>((resolve) => control.onHeld(resolve));
}

/** The benchmark's scripted models, for `startServer({ models })`. */
export function benchModels(control?: HoldControl): Record<string, ScriptedModel> {
  return {
    [BENCH_MODELS.plain]: scriptedModel([
      async () => {
        await held(control, () => true);
        return { content: PLAIN_ANSWER };
      },
    ]),
    [BENCH_MODELS.stream]: scriptedModel([{ content: STREAM_ANSWER }]),
    [BENCH_MODELS.loop]: scriptedModel([
      async (request: ChatCompletionRequest): Promise<ScriptedTurn> => {
        const step = toolResults(request.messages);
        await held(control, (loopStep) => loopStep === step);
        return step < LOOP_STEPS - 1
          ? { toolCalls: [{ name: 'lookup', arguments: { n: step } }] }
          : { content: LOOP_ANSWER };
      },
    ]),
  };
}
