import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChunkDelta,
  CompletionMessage,
  FinishReason,
  ToolCall,
  Usage,
} from '@chatloop/protocol';
import type { ScriptedTurn } from './scripted-model.js';
import { countTextTokens } from './token-count.js';
import type { ServerProfile } from './validate-request.js';

/** How streamed replies are cut into deltas. */
export const STREAM_DEFAULTS = {
  /** Longest content (and reasoning, refusal) delta in characters; words are kept whole below it. */
  contentPieceChars: 12,
  /** Tool-call arguments are sent in fragments of this many characters. */
  argumentPieceChars: 7,
} as const;

/** A scripted turn made concrete: ids assigned, arguments serialized, usage computed. */
export interface ResolvedReply {
  content: string | null;
  refusal: string | null;
  reasoningContent: string | null;
  toolCalls: ToolCall[];
  finishReason: FinishReason;
  /** Usage of the whole answer (all `n` choices). */
  usage: Usage;
}

/** What {@link resolveReply} needs besides the turn. */
export interface ResolveReplyOptions {
  promptTokens: number;
  /** Number of choices; completion tokens are multiplied by it. */
  n: number;
  profile: ServerProfile;
  newToolCallId: () => string;
}

function completionTokensOf(reply: Omit<ResolvedReply, 'usage' | 'finishReason'>): {
  total: number;
  reasoning: number;
} {
  const reasoning = countTextTokens(reply.reasoningContent ?? '');
  let total = reasoning + countTextTokens(reply.content ?? '') + countTextTokens(reply.refusal ?? '');
  for (const call of reply.toolCalls)
    total += countTextTokens(call.function.name) + countTextTokens(call.function.arguments);
  return { total, reasoning };
}

/** Turns a scripted turn into a concrete reply with computed usage (overridden by `turn.usage`). */
export function resolveReply(turn: ScriptedTurn, options: ResolveReplyOptions): ResolvedReply {
  const toolCalls: ToolCall[] = (turn.toolCalls ?? []).map((call) => ({
    id: call.id ?? options.newToolCallId(),
    type: 'function',
    function: {
      name: call.name,
      arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments),
    },
  }));
  const refusal = turn.refusal ?? null;
  const content = turn.content ?? (toolCalls.length > 0 || refusal !== null ? null : '');
  const body = { content, refusal, reasoningContent: turn.reasoningContent ?? null, toolCalls };
  const tokens = completionTokensOf(body);
  const promptTokens = options.promptTokens;
  const completionTokens = tokens.total * options.n;
  const computed: Usage = {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: tokens.reasoning * options.n,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
  if (options.profile === 'deepseek') {
    computed.prompt_cache_hit_tokens = 0;
    computed.prompt_cache_miss_tokens = promptTokens;
  }
  const usage: Usage = { ...computed, ...turn.usage };
  if (turn.usage?.total_tokens === undefined)
    usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
  const finishReason = turn.finishReason ?? (toolCalls.length > 0 ? 'tool_calls' : 'stop');
  return { ...body, finishReason, usage };
}

/** Identity of one answer: its id, creation time (Unix seconds), model and fingerprint. */
export interface ReplyMeta {
  id: string;
  created: number;
  model: string;
  n: number;
}

const FINGERPRINT = 'fp_chatloop';

/** The non-streamed body of a reply: `n` identical choices. */
export function toCompletion(reply: ResolvedReply, meta: ReplyMeta): ChatCompletion {
  const message: CompletionMessage = { role: 'assistant', content: reply.content, refusal: reply.refusal };
  if (reply.reasoningContent !== null) message.reasoning_content = reply.reasoningContent;
  if (reply.toolCalls.length > 0) message.tool_calls = reply.toolCalls;
  return {
    id: meta.id,
    object: 'chat.completion',
    created: meta.created,
    model: meta.model,
    choices: Array.from({ length: meta.n }, (_, index) => ({
      index,
      message: index === 0 ? message : structuredClone(message),
      logprobs: null,
      finish_reason: reply.finishReason,
    })),
    usage: reply.usage,
    service_tier: 'default',
    system_fingerprint: FINGERPRINT,
  };
}

/** Cuts text into word-respecting pieces of at most `max` characters. */
export function splitText(text: string, max: number): string[] {
  const pieces: string[] = [];
  for (const word of text.match(/\S+\s*|\s+/g) ?? []) {
    for (let start = 0; start < word.length; start += max) pieces.push(word.slice(start, start + max));
  }
  return pieces;
}

function splitFixed(text: string, size: number): string[] {
  const pieces: string[] = [];
  for (let start = 0; start < text.length; start += size) pieces.push(text.slice(start, start + size));
  return pieces;
}

function choiceDeltas(reply: ResolvedReply): ChunkDelta[] {
  const deltas: ChunkDelta[] = [
    { role: 'assistant', content: reply.content === null ? null : '', refusal: null },
  ];
  const max = STREAM_DEFAULTS.contentPieceChars;
  for (const piece of splitText(reply.reasoningContent ?? '', max)) deltas.push({ reasoning_content: piece });
  for (const piece of splitText(reply.content ?? '', max)) deltas.push({ content: piece });
  for (const piece of splitText(reply.refusal ?? '', max)) deltas.push({ refusal: piece });
  reply.toolCalls.forEach((call, index) => {
    deltas.push({
      tool_calls: [
        { index, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } },
      ],
    });
    for (const piece of splitFixed(call.function.arguments, STREAM_DEFAULTS.argumentPieceChars)) {
      deltas.push({ tool_calls: [{ index, function: { arguments: piece } }] });
    }
  });
  return deltas;
}

/**
 * The chunks of a streamed reply, like OpenAI's: a role chunk, reasoning/content/refusal deltas,
 * each tool call's id and name then its arguments in fragments (by `index`), the `finish_reason`
 * chunk, and with `includeUsage` a last chunk with empty `choices` and the usage (every other chunk
 * then carries `usage: null`). Choices of `n > 1` are interleaved.
 */
export function toChunks(
  reply: ResolvedReply,
  meta: ReplyMeta,
  includeUsage: boolean,
): ChatCompletionChunk[] {
  const base = (): ChatCompletionChunk => {
    const chunk: ChatCompletionChunk = {
      id: meta.id,
      object: 'chat.completion.chunk',
      created: meta.created,
      model: meta.model,
      service_tier: 'default',
      system_fingerprint: FINGERPRINT,
      choices: [],
    };
    if (includeUsage) chunk.usage = null;
    return chunk;
  };
  const deltas = choiceDeltas(reply);
  const chunks: ChatCompletionChunk[] = [];
  for (const delta of deltas) {
    for (let index = 0; index < meta.n; index++) {
      const chunk = base();
      // Choices share the delta object: chunks are serialized as they are, never mutated.
      chunk.choices.push({ index, delta, logprobs: null, finish_reason: null });
      chunks.push(chunk);
    }
  }
  for (let index = 0; index < meta.n; index++) {
    const chunk = base();
    chunk.choices.push({ index, delta: {}, logprobs: null, finish_reason: reply.finishReason });
    chunks.push(chunk);
  }
  if (includeUsage) {
    const chunk = base();
    chunk.usage = reply.usage;
    chunks.push(chunk);
  }
  return chunks;
}
