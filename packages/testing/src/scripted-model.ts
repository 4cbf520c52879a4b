import type { ChatCompletionRequest, FinishReason, Usage } from '@chatloop/protocol';
import { ChatloopError } from '@chatloop/protocol';
import { contentText } from './token-count.js';

/** One tool call of a scripted turn. `arguments` may be an object (serialized with `JSON.stringify`). */
export interface ScriptedToolCall {
  name: string;
  arguments: string | Record<string, unknown>;
  /** The call id; default `call_<n>` from the server's id generator. */
  id?: string;
}

/**
 * A JSON-friendly condition on the conversation; every given field must hold. Substring tests are
 * case-sensitive.
 */
export interface TurnMatcher {
  /** The last `user` message's text contains this. */
  lastUserMessage?: string;
  /** The last message is a `tool` message whose text contains this. */
  lastToolResult?: string;
  /** The last message is a `tool` message answering a call to this tool name. */
  lastToolName?: string;
  /** The request asks for this model. */
  model?: string;
}

/** One reply of a scripted model. Every field is optional; an empty turn answers `""`. */
export interface ScriptedTurn {
  content?: string | null;
  /** Tool calls, several for parallel calls. */
  toolCalls?: ScriptedToolCall[];
  /** DeepSeek-style reasoning, sent as `reasoning_content` before the content. */
  reasoningContent?: string;
  refusal?: string;
  /** Fields that override the computed usage (the rest stays computed). */
  usage?: Partial<Usage>;
  /** Default: `tool_calls` when there are tool calls, else `stop`. */
  finishReason?: FinishReason;
  /**
   * Serve this turn whenever the request matches, instead of in order. Matching turns are checked first,
   * in script order, and do not advance the sequence.
   */
  when?: TurnMatcher | ((request: ChatCompletionRequest) => boolean);
}

/** What a turn function receives besides the request. */
export interface TurnContext {
  /** How many requests this model answered before this one. */
  callIndex: number;
}

/** A turn: a reply, or a function of the request that returns one. */
export type Turn =
  | ScriptedTurn
  | ((request: ChatCompletionRequest, context: TurnContext) => ScriptedTurn | Promise<ScriptedTurn>);

/** Options of {@link scriptedModel}. */
export interface ScriptedModelOptions {
  /** Repeat the last sequential turn once the script is used up. Default `true`. */
  loop?: boolean;
  /** The model's context window in tokens, for `context_length_exceeded`. Default: the server's. */
  contextWindow?: number;
  /** DeepSeek profile: this model is in thinking mode unless the request disables it. Default `false`. */
  thinking?: boolean;
}

/** A model the test server can serve. Stateful: it walks its script as requests arrive. */
export interface ScriptedModel {
  readonly contextWindow?: number;
  readonly thinking?: boolean;
  /**
   * The next reply for `request`.
   * @throws ScriptExhaustedError when no turn is left (with `loop: false`) or none matches.
   */
  reply(request: ChatCompletionRequest): Promise<ScriptedTurn>;
  /** Back to the first turn. */
  reset(): void;
}

/** Thrown when a scripted model has no turn left for a request; the server answers 500 with its message. */
export class ScriptExhaustedError extends ChatloopError {
  constructor(message: string) {
    super('script_exhausted', message);
  }
}

function lastOf<T>(items: readonly T[], test: (item: T) => boolean): T | undefined {
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i] as T;
    if (test(item)) return item;
  }
  return undefined;
}

function toolNameOf(request: ChatCompletionRequest, toolCallId: string): string | undefined {
  for (const message of request.messages) {
    if (message.role !== 'assistant') continue;
    const call = message.tool_calls?.find((candidate) => candidate.id === toolCallId);
    if (call !== undefined) return call.function.name;
  }
  return undefined;
}

/** True when `request` satisfies every condition of `matcher`. */
export function matchesTurn(matcher: TurnMatcher, request: ChatCompletionRequest): boolean {
  const messages = request.messages;
  if (matcher.model !== undefined && request.model !== matcher.model) return false;
  if (matcher.lastUserMessage !== undefined) {
    const user = lastOf(messages, (message) => message.role === 'user');
    if (user === undefined || !contentText(user.content).includes(matcher.lastUserMessage)) return false;
  }
  const last = messages[messages.length - 1];
  if (matcher.lastToolResult !== undefined) {
    if (last?.role !== 'tool' || !contentText(last.content).includes(matcher.lastToolResult)) return false;
  }
  if (matcher.lastToolName !== undefined) {
    if (last?.role !== 'tool' || toolNameOf(request, last.tool_call_id) !== matcher.lastToolName)
      return false;
  }
  return true;
}

function describeRequest(request: ChatCompletionRequest): string {
  const last = request.messages[request.messages.length - 1];
  const text = last === undefined ? '' : contentText(last.content).slice(0, 60);
  return `model '${request.model}', ${request.messages.length} message(s), last ${last?.role ?? 'none'}: '${text}'`;
}

/**
 * A model that answers from a script: turns are served in order (the last one repeats unless
 * `loop: false`), except turns with `when`, which answer any request they match. A turn may be a
 * function of the request.
 *
 * @example scriptedModel([{ toolCalls: [{ name: 'weather', arguments: { city: 'Paris' } }] }, { content: 'Sunny.' }])
 */
export function scriptedModel(turns: readonly Turn[], options: ScriptedModelOptions = {}): ScriptedModel {
  const loop = options.loop ?? true;
  const matching = turns.filter(
    (turn): turn is ScriptedTurn => typeof turn !== 'function' && turn.when !== undefined,
  );
  const sequence = turns.filter((turn) => typeof turn === 'function' || turn.when === undefined);
  let position = 0;
  let callIndex = 0;
  return {
    contextWindow: options.contextWindow,
    thinking: options.thinking,
    async reply(request) {
      const context: TurnContext = { callIndex: callIndex++ };
      for (const turn of matching) {
        const when = turn.when!;
        if (typeof when === 'function' ? when(request) : matchesTurn(when, request)) return turn;
      }
      if (sequence.length === 0) {
        throw new ScriptExhaustedError(`No scripted turn matches the request (${describeRequest(request)}).`);
      }
      if (position >= sequence.length && !loop) {
        throw new ScriptExhaustedError(
          `The script's ${sequence.length} turn(s) are used up (loop: false); no reply for request (${describeRequest(request)}).`,
        );
      }
      const turn = sequence[Math.min(position, sequence.length - 1)]!;
      position++;
      return typeof turn === 'function' ? await turn(request, context) : turn;
    },
    reset() {
      position = 0;
      callIndex = 0;
    },
  };
}

/** The model that answers any model name without a script: it repeats the text of the last message. */
export function echoModel(): ScriptedModel {
  return scriptedModel([
    (request) => {
      const last = request.messages[request.messages.length - 1];
      return { content: last === undefined ? '' : contentText(last.content) };
    },
  ]);
}
