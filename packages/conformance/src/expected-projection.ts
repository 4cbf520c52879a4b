import type { ChatCompletion } from '@chatloop/protocol';

/** What the corpus's `expected.json` records of a completion: choice 0's message, finish and usage. */
export interface ExpectedChoice {
  content: string | null;
  refusal: string | null;
  reasoning_content: string | null;
  tool_calls: Array<{ id: string; type: string; function: { name: string; arguments: string } }>;
  finish_reason: string | null;
  usage: unknown;
}

/** What the corpus's `expected.json` records of an error response. */
export interface ExpectedError {
  status: number;
  error: { message: string; type: unknown; param: unknown; code: unknown };
}

/**
 * Projects a completion onto the corpus's `expected.json` fields (see the corpus README): absent
 * `refusal`/`reasoning_content` read as `null`, absent `tool_calls` as `[]`, absent usage as `null`.
 */
export function projectChoice(completion: ChatCompletion): ExpectedChoice {
  const choice = completion.choices.find((candidate) => candidate.index === 0) ?? completion.choices[0];
  const message = choice?.message;
  return {
    content: message?.content ?? null,
    refusal: message?.refusal ?? null,
    reasoning_content: message?.reasoning_content ?? null,
    tool_calls: (message?.tool_calls ?? []).map((call) => ({
      id: call.id,
      type: call.type,
      function: { name: call.function.name, arguments: call.function.arguments },
    })),
    finish_reason: choice?.finish_reason ?? null,
    usage: completion.usage ?? null,
  };
}
