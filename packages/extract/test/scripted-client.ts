import type { ChatCompletion, ChatCompletionChunk, ChatCompletionRequest, Usage } from '@chatloop/protocol';
import type { ExtractCallOptions, ExtractClient } from '../src/extract-client.js';

/** One scripted answer of {@link scriptedClient}. */
export interface ScriptedTurn {
  content?: string;
  toolCall?: { name: string; arguments: string; id?: string };
  refusal?: string;
  finishReason?: string;
  usage?: Usage;
}

/** A test double for `ExtractClient`: answers turns in order (the last repeats) and records requests. */
export function scriptedClient(
  turns: Array<ScriptedTurn | ((request: ChatCompletionRequest) => ScriptedTurn)>,
  options: {
    provider?: string;
    chunkChars?: number;
    /** Awaited before each answer (e.g. to hold a call until the test releases it). */
    before?: (request: ChatCompletionRequest, signal?: AbortSignal) => Promise<void>;
  } = {},
): ExtractClient & { requests: ChatCompletionRequest[] } {
  const requests: ChatCompletionRequest[] = [];
  const next = (request: ChatCompletionRequest): ScriptedTurn => {
    requests.push(structuredClone(request));
    const turn = turns[Math.min(requests.length - 1, turns.length - 1)];
    if (!turn) throw new Error('no scripted turn');
    return typeof turn === 'function' ? turn(request) : turn;
  };
  const usageOf = (turn: ScriptedTurn): Usage =>
    turn.usage ?? { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 };
  return {
    requests,
    ...(options.provider === undefined ? {} : { provider: { name: options.provider } }),
    async chat(request: ChatCompletionRequest, callOptions?: ExtractCallOptions): Promise<ChatCompletion> {
      callOptions?.signal?.throwIfAborted();
      await options.before?.(request, callOptions?.signal);
      callOptions?.signal?.throwIfAborted();
      const turn = next(request);
      const toolCalls = turn.toolCall
        ? [
            {
              id: turn.toolCall.id ?? `call_${requests.length}`,
              type: 'function' as const,
              function: { name: turn.toolCall.name, arguments: turn.toolCall.arguments },
            },
          ]
        : undefined;
      return {
        id: `chatcmpl-${requests.length}`,
        object: 'chat.completion',
        created: 0,
        model: request.model,
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: turn.content ?? null,
              refusal: turn.refusal ?? null,
              ...(toolCalls ? { tool_calls: toolCalls } : {}),
            },
            finish_reason: turn.finishReason ?? (toolCalls ? 'tool_calls' : 'stop'),
          },
        ],
        usage: usageOf(turn),
      };
    },
    stream(
      request: ChatCompletionRequest,
      callOptions?: ExtractCallOptions,
    ): AsyncIterable<ChatCompletionChunk> {
      const size = options.chunkChars ?? 3;
      return (async function* () {
        callOptions?.signal?.throwIfAborted();
        const turn = next(request);
        const base = {
          id: `chatcmpl-${requests.length}`,
          object: 'chat.completion.chunk',
          created: 0,
          model: request.model,
        };
        const text = turn.toolCall?.arguments ?? turn.content ?? '';
        if (turn.toolCall) {
          yield {
            ...base,
            choices: [
              {
                index: 0,
                delta: {
                  role: 'assistant',
                  tool_calls: [
                    {
                      index: 0,
                      id: turn.toolCall.id ?? `call_${requests.length}`,
                      type: 'function',
                      function: { name: turn.toolCall.name, arguments: '' },
                    },
                  ],
                },
                finish_reason: null,
              },
            ],
          };
        }
        if (turn.refusal) {
          yield { ...base, choices: [{ index: 0, delta: { refusal: turn.refusal }, finish_reason: null }] };
        }
        for (let at = 0; at < text.length; at += size) {
          callOptions?.signal?.throwIfAborted();
          const piece = text.slice(at, at + size);
          yield {
            ...base,
            choices: [
              {
                index: 0,
                delta: turn.toolCall
                  ? { tool_calls: [{ index: 0, function: { arguments: piece } }] }
                  : { content: piece },
                finish_reason: null,
              },
            ],
          };
        }
        yield {
          ...base,
          choices: [
            {
              index: 0,
              delta: {},
              finish_reason: turn.finishReason ?? (turn.toolCall ? 'tool_calls' : 'stop'),
            },
          ],
        };
        yield { ...base, choices: [], usage: usageOf(turn) };
      })();
    },
  };
}
