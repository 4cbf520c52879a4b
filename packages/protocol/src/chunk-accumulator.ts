import type { ChatCompletionChunk, ChunkChoice, ToolCallDelta } from './chunk.js';
import type { ToolCall } from './message.js';
import type {
  ChatCompletion,
  ChatCompletionChoice,
  ChoiceLogprobs,
  CompletionMessage,
  FinishReason,
  TokenLogprob,
  Usage,
} from './response.js';

type Extra = Record<string, unknown>;

interface ToolCallState {
  /** The `index` the provider gave, or the position when it gave none. */
  index: number;
  id: string;
  type: string;
  name: string;
  arguments: string;
  extra: Extra | undefined;
}

interface ChoiceState {
  index: number;
  role: string | undefined;
  content: string | null;
  refusal: string | null;
  reasoningContent: string | null;
  reasoning: string | null;
  toolCalls: ToolCallState[];
  toolCallsByIndex: Map<number, ToolCallState>;
  functionCall: { name: string; arguments: string } | undefined;
  audio: Extra | undefined;
  finishReason: FinishReason | null;
  logprobs: {
    content: TokenLogprob[] | null;
    refusal: TokenLogprob[] | null;
    extra: Extra | undefined;
  } | null;
  messageExtra: Extra | undefined;
  choiceExtra: Extra | undefined;
}

/**
 * Assembles the chunks of a streamed ChatCompletions response into exactly the completion the same
 * request returns without streaming. Handles, per choice (`n > 1` included): content, refusal,
 * `reasoning_content` (DeepSeek, xAI, Kimi) and `reasoning` (vLLM, Groq) deltas; tool calls assembled
 * by `index`, or, for providers that omit it (Mistral, GLM), matched by `id` or continuing the last
 * call; a first chunk without `role`; `finish_reason`; logprobs; usage from the last choice chunk, a
 * chunk with empty `choices`, or inside a choice (Moonshot). Fields a provider adds are kept: on the
 * completion and the choice the last value wins; in a delta, strings and arrays are concatenated.
 *
 * `content` is `""` when the stream only sent empty strings and `null` when it sent none. Feed chunks
 * in order with {@link ChunkAccumulator.add}; read the result with {@link ChunkAccumulator.toCompletion}.
 */
export class ChunkAccumulator {
  #id = '';
  #created = 0;
  #model = '';
  #systemFingerprint: string | null | undefined;
  #serviceTier: string | null | undefined;
  #usage: Usage | undefined;
  #choiceUsage: Usage | undefined;
  #extra: Extra | undefined;
  #choices: ChoiceState[] = [];
  #chunkCount = 0;

  /** How many chunks have been added. */
  get chunkCount(): number {
    return this.#chunkCount;
  }

  /** True once at least one choice was seen and every choice seen has a `finish_reason`. */
  get finished(): boolean {
    let seen = false;
    for (const state of this.#choices) {
      if (state === undefined) continue;
      if (state.finishReason === null) return false;
      seen = true;
    }
    return seen;
  }

  /** Adds the next chunk of the stream. Chunks must be added in the order they arrived. */
  add(chunk: ChatCompletionChunk): void {
    this.#chunkCount++;
    for (const key in chunk) {
      const value = chunk[key];
      switch (key) {
        case 'choices':
          if (Array.isArray(value)) {
            for (let i = 0; i < value.length; i++) this.#addChoice(value[i] as ChunkChoice);
          }
          break;
        case 'id':
          if (this.#id === '' && typeof value === 'string') this.#id = value;
          break;
        case 'model':
          if (this.#model === '' && typeof value === 'string') this.#model = value;
          break;
        case 'created':
          if (this.#created === 0 && typeof value === 'number') this.#created = value;
          break;
        case 'object':
          // Always `chat.completion.chunk` (or empty, Azure); the completion is a `chat.completion`.
          break;
        case 'usage':
          if (value != null) this.#usage = value as Usage;
          break;
        case 'system_fingerprint':
          if (value != null || this.#systemFingerprint === undefined)
            this.#systemFingerprint = value as string | null;
          break;
        case 'service_tier':
          if (value != null || this.#serviceTier === undefined) this.#serviceTier = value as string | null;
          break;
        case 'obfuscation':
          // OpenAI's per-chunk padding (stream_options.include_obfuscation); not part of a completion.
          break;
        default:
          this.#extra ??= {};
          this.#extra[key] = value;
      }
    }
  }

  /** The completion assembled so far: a fresh object, safe to keep while more chunks arrive. */
  snapshot(): ChatCompletion {
    return this.#build();
  }

  /** The assembled completion. Call it once the stream has ended. */
  toCompletion(): ChatCompletion {
    return this.#build();
  }

  #addChoice(choice: ChunkChoice): void {
    if (typeof choice !== 'object' || choice === null) return;
    const index = typeof choice.index === 'number' ? choice.index : 0;
    const state = this.#choices[index] ?? this.#createChoice(index);
    for (const key in choice) {
      const value = choice[key];
      switch (key) {
        case 'delta':
          if (typeof value === 'object' && value !== null) addDelta(state, value as Extra);
          break;
        case 'finish_reason':
          if (value != null) state.finishReason = value as FinishReason;
          break;
        case 'logprobs':
          if (typeof value === 'object' && value !== null) addLogprobs(state, value as ChoiceLogprobs);
          break;
        case 'usage':
          if (value != null) this.#choiceUsage = value as Usage;
          break;
        case 'index':
          break;
        default:
          state.choiceExtra ??= {};
          state.choiceExtra[key] = value;
      }
    }
  }

  #createChoice(index: number): ChoiceState {
    const state: ChoiceState = {
      index,
      role: undefined,
      content: null,
      refusal: null,
      reasoningContent: null,
      reasoning: null,
      toolCalls: [],
      toolCallsByIndex: new Map(),
      functionCall: undefined,
      audio: undefined,
      finishReason: null,
      logprobs: null,
      messageExtra: undefined,
      choiceExtra: undefined,
    };
    this.#choices[index] = state;
    return state;
  }

  #build(): ChatCompletion {
    const choices: ChatCompletionChoice[] = [];
    for (const state of this.#choices) if (state !== undefined) choices.push(buildChoice(state));
    const completion: ChatCompletion = {
      id: this.#id,
      object: 'chat.completion',
      created: this.#created,
      model: this.#model,
      choices,
    };
    const usage = this.#usage ?? this.#choiceUsage;
    if (usage !== undefined) completion.usage = usage;
    if (this.#systemFingerprint !== undefined) completion.system_fingerprint = this.#systemFingerprint;
    if (this.#serviceTier !== undefined) completion.service_tier = this.#serviceTier;
    if (this.#extra !== undefined) {
      for (const key in this.#extra) if (!(key in completion)) completion[key] = this.#extra[key];
    }
    return completion;
  }
}

/**
 * Assembles a whole stream of chunks into its completion (see {@link ChunkAccumulator}). Returns the
 * completion for an array or other iterable, a promise of it for an async iterable.
 */
export function accumulateChunks(chunks: Iterable<ChatCompletionChunk>): ChatCompletion;
export function accumulateChunks(chunks: AsyncIterable<ChatCompletionChunk>): Promise<ChatCompletion>;
export function accumulateChunks(
  chunks: Iterable<ChatCompletionChunk> | AsyncIterable<ChatCompletionChunk>,
): ChatCompletion | Promise<ChatCompletion> {
  const accumulator = new ChunkAccumulator();
  if (Symbol.iterator in chunks) {
    for (const chunk of chunks) accumulator.add(chunk);
    return accumulator.toCompletion();
  }
  return (async () => {
    for await (const chunk of chunks) accumulator.add(chunk);
    return accumulator.toCompletion();
  })();
}

function addDelta(state: ChoiceState, delta: Extra): void {
  for (const key in delta) {
    const value = delta[key];
    switch (key) {
      case 'content':
        if (typeof value === 'string') state.content = state.content === null ? value : state.content + value;
        break;
      case 'reasoning_content':
        if (typeof value === 'string') {
          state.reasoningContent = state.reasoningContent === null ? value : state.reasoningContent + value;
        }
        break;
      case 'reasoning':
        if (typeof value === 'string')
          state.reasoning = state.reasoning === null ? value : state.reasoning + value;
        break;
      case 'refusal':
        if (typeof value === 'string') state.refusal = state.refusal === null ? value : state.refusal + value;
        break;
      case 'role':
        if (state.role === undefined && typeof value === 'string' && value !== '') state.role = value;
        break;
      case 'tool_calls':
        if (Array.isArray(value)) {
          for (let i = 0; i < value.length; i++) addToolCallDelta(state, value[i] as ToolCallDelta);
        }
        break;
      case 'function_call':
        if (typeof value === 'object' && value !== null) addFunctionCall(state, value as Extra);
        break;
      case 'audio':
        if (typeof value === 'object' && value !== null)
          state.audio = mergeDeltaFields(state.audio ?? {}, value as Extra);
        break;
      case 'index':
        // Some servers (GLM) repeat the choice index inside the delta; it is not part of a message.
        break;
      default:
        state.messageExtra = mergeDeltaField(state.messageExtra ?? {}, key, value);
    }
  }
}

function addToolCallDelta(state: ChoiceState, delta: ToolCallDelta): void {
  if (typeof delta !== 'object' || delta === null) return;
  const call = findToolCall(state, delta);
  for (const key in delta) {
    const value = delta[key];
    switch (key) {
      case 'id':
        if (typeof value === 'string' && value !== '') call.id = value;
        break;
      case 'type':
        if (typeof value === 'string' && value !== '') call.type = value;
        break;
      case 'function':
        if (typeof value === 'object' && value !== null) {
          const fn = value as { name?: unknown; arguments?: unknown };
          if (typeof fn.name === 'string' && fn.name !== '') call.name = fn.name;
          if (typeof fn.arguments === 'string') call.arguments += fn.arguments;
          else if (typeof fn.arguments === 'object' && fn.arguments !== null)
            call.arguments = JSON.stringify(fn.arguments);
        }
        break;
      case 'index':
        break;
      default:
        call.extra = mergeDeltaField(call.extra ?? {}, key, value);
    }
  }
}

/**
 * Finds the call a tool-call delta continues. With an `index`: the call at that index, unless it
 * already has a different `id` (a server numbering every call 0). Without one (Mistral, GLM): the
 * call with the same `id`, a new call for a new `id`, else the last call.
 */
function findToolCall(state: ChoiceState, delta: ToolCallDelta): ToolCallState {
  const id = typeof delta.id === 'string' && delta.id !== '' ? delta.id : undefined;
  if (typeof delta.index === 'number') {
    const existing = state.toolCallsByIndex.get(delta.index);
    if (existing !== undefined && (id === undefined || existing.id === '' || existing.id === id))
      return existing;
    return createToolCall(state, existing === undefined ? delta.index : nextFreeIndex(state));
  }
  const calls = state.toolCalls;
  if (id !== undefined) {
    for (let i = calls.length - 1; i >= 0; i--) if (calls[i]?.id === id) return calls[i] as ToolCallState;
    return createToolCall(state, nextFreeIndex(state));
  }
  return calls[calls.length - 1] ?? createToolCall(state, nextFreeIndex(state));
}

function nextFreeIndex(state: ChoiceState): number {
  let index = state.toolCalls.length;
  while (state.toolCallsByIndex.has(index)) index++;
  return index;
}

function createToolCall(state: ChoiceState, index: number): ToolCallState {
  const call: ToolCallState = { index, id: '', type: 'function', name: '', arguments: '', extra: undefined };
  state.toolCalls.push(call);
  state.toolCallsByIndex.set(index, call);
  return call;
}

function addFunctionCall(state: ChoiceState, delta: Extra): void {
  state.functionCall ??= { name: '', arguments: '' };
  const call = state.functionCall;
  if (typeof delta.name === 'string' && delta.name !== '') call.name = delta.name;
  if (typeof delta.arguments === 'string') call.arguments += delta.arguments;
}

function addLogprobs(state: ChoiceState, logprobs: ChoiceLogprobs): void {
  state.logprobs ??= { content: null, refusal: null, extra: undefined };
  const target = state.logprobs;
  for (const key in logprobs) {
    const value = logprobs[key];
    if (key === 'content' || key === 'refusal') {
      if (!Array.isArray(value)) continue;
      const current = target[key];
      if (current === null) target[key] = value.slice() as TokenLogprob[];
      else for (const item of value) current.push(item as TokenLogprob);
    } else {
      target.extra ??= {};
      target.extra[key] = value;
    }
  }
}

/** Merges a delta's provider field: strings and arrays are concatenated, anything else replaced. */
function mergeDeltaField(target: Extra, key: string, value: unknown): Extra {
  const current = target[key];
  if (typeof value === 'string' && typeof current === 'string') target[key] = current + value;
  else if (Array.isArray(value) && Array.isArray(current)) target[key] = current.concat(value);
  else if (value != null || !(key in target)) target[key] = value;
  return target;
}

function mergeDeltaFields(target: Extra, delta: Extra): Extra {
  for (const key in delta) mergeDeltaField(target, key, delta[key]);
  return target;
}

function buildChoice(state: ChoiceState): ChatCompletionChoice {
  const message: CompletionMessage = {
    role: 'assistant',
    content: state.content,
    refusal: state.refusal,
  };
  if (state.role !== undefined && state.role !== 'assistant') (message as Extra).role = state.role;
  if (state.reasoningContent !== null) message.reasoning_content = state.reasoningContent;
  if (state.reasoning !== null) message.reasoning = state.reasoning;
  if (state.toolCalls.length > 0) message.tool_calls = buildToolCalls(state.toolCalls);
  if (state.functionCall !== undefined) message.function_call = { ...state.functionCall };
  if (state.audio !== undefined) message.audio = { ...state.audio } as { id: string };
  if (state.messageExtra !== undefined) {
    for (const key in state.messageExtra) if (!(key in message)) message[key] = copy(state.messageExtra[key]);
  }
  const choice: ChatCompletionChoice = {
    index: state.index,
    message,
    finish_reason: state.finishReason,
    logprobs: null,
  };
  const logprobs = state.logprobs;
  if (logprobs !== null) {
    // A completion's logprobs always carry both arrays (null when none), as the response schema requires.
    choice.logprobs = {
      ...logprobs.extra,
      content: logprobs.content?.slice() ?? null,
      refusal: logprobs.refusal?.slice() ?? null,
    };
  }
  if (state.choiceExtra !== undefined) {
    for (const key in state.choiceExtra) if (!(key in choice)) choice[key] = state.choiceExtra[key];
  }
  return choice;
}

function buildToolCalls(calls: ToolCallState[]): ToolCall[] {
  const ordered = isSortedByIndex(calls) ? calls : calls.slice().sort((a, b) => a.index - b.index);
  return ordered.map((call) => {
    const built: ToolCall & Extra = {
      id: call.id,
      type: call.type as 'function',
      function: { name: call.name, arguments: call.arguments },
    };
    if (call.extra !== undefined) {
      for (const key in call.extra) if (!(key in built)) built[key] = copy(call.extra[key]);
    }
    return built;
  });
}

function isSortedByIndex(calls: ToolCallState[]): boolean {
  for (let i = 1; i < calls.length; i++)
    if ((calls[i] as ToolCallState).index < (calls[i - 1] as ToolCallState).index) return false;
  return true;
}

function copy(value: unknown): unknown {
  return Array.isArray(value) ? value.slice() : value;
}
