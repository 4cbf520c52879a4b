import type { ChatCompletion, ChatCompletionRequest, ToolCallDelta } from '@chatloop/protocol';
import type { AgentChatResponse, AgentClient } from './agent-client.js';
import type { AgentEvent } from './agent-events.js';

/** A model call's outcome as plain data (what an executor journals). */
export interface ModelCallRecord {
  /** The wire completion (without the client's `meta`). */
  completion: ChatCompletion;
  latencyMs: number;
  retries: number;
  requestId?: string;
}

/** What {@link callModel} needs. */
export interface ModelCallOptions {
  client: AgentClient;
  request: ChatCompletionRequest;
  streaming: boolean;
  signal: AbortSignal | undefined;
  runId: string;
  step: number;
  emit: ((event: AgentEvent) => void) | undefined;
  now: () => number;
}

interface StreamedCall {
  id: string;
  name: string;
  started: boolean;
  /** Argument text that arrived before the call's id and name were known. */
  pending: string;
}

function toRecord(response: AgentChatResponse, startedAt: number, now: () => number): ModelCallRecord {
  const meta = response.meta;
  const record: ModelCallRecord = {
    completion: response,
    latencyMs: meta?.latencyMs ?? now() - startedAt,
    retries: meta?.retries ?? 0,
  };
  if (meta?.requestId !== undefined) record.requestId = meta.requestId;
  return record;
}

/**
 * Makes one model call: `client.chat`, or `client.stream` when streaming, emitting text, reasoning and
 * tool-call deltas as they arrive (per `index`, or by id when a provider omits it). The completion is
 * the client's assembled answer, so a stream that breaks off surfaces as the client's typed error and a
 * half-streamed tool call is never returned.
 */
export async function callModel(options: ModelCallOptions): Promise<ModelCallRecord> {
  const { client, request, signal, emit, now } = options;
  const startedAt = now();
  if (!options.streaming) {
    return toRecord(await client.chat(request, { signal }), startedAt, now);
  }
  const stream = client.stream({ ...request, stream_options: { include_usage: true } }, { signal });
  if (emit) {
    const { runId, step } = options;
    const calls: StreamedCall[] = [];
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta;
      if (!delta) continue;
      if (delta.content) emit({ type: 'text_delta', runId, step, delta: delta.content });
      const reasoning = delta.reasoning_content ?? delta.reasoning;
      if (reasoning) emit({ type: 'reasoning_delta', runId, step, delta: reasoning });
      if (delta.tool_calls)
        for (const part of delta.tool_calls) streamToolCall(part, calls, runId, step, emit);
    }
  } else {
    for await (const _chunk of stream) {
      // Drained for the assembled completion; nobody listens to deltas.
    }
  }
  return toRecord(await stream.final(), startedAt, now);
}

function streamToolCall(
  part: ToolCallDelta,
  calls: StreamedCall[],
  runId: string,
  step: number,
  emit: (event: AgentEvent) => void,
): void {
  let index = part.index;
  if (index === undefined) {
    const byId = part.id === undefined ? -1 : calls.findIndex((call) => call.id === part.id);
    index =
      byId !== -1 ? byId : part.id !== undefined || calls.length === 0 ? calls.length : calls.length - 1;
  }
  let call = calls[index];
  if (!call) {
    call = { id: '', name: '', started: false, pending: '' };
    calls[index] = call;
  }
  if (part.id && !call.id) call.id = part.id;
  if (part.function?.name && !call.started) call.name += part.function.name;
  const args = part.function?.arguments ?? '';
  if (!call.started) {
    call.pending += args;
    if (!call.id || !call.name) return;
    call.started = true;
    emit({ type: 'tool_call_started', runId, step, index, toolCallId: call.id, name: call.name });
    if (call.pending) {
      emit({
        type: 'tool_call_arguments_delta',
        runId,
        step,
        index,
        toolCallId: call.id,
        delta: call.pending,
      });
      call.pending = '';
    }
    return;
  }
  if (args) emit({ type: 'tool_call_arguments_delta', runId, step, index, toolCallId: call.id, delta: args });
}
