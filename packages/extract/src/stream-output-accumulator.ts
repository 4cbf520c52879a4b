import type { ChatCompletionChunk, FinishReason, Usage } from '@chatloop/protocol';
import type { ExtractionMode, ModeOutput } from './extraction-mode.js';
import { addUsage, emptyUsage } from './usage-sum.js';

/**
 * Collects what one streamed extraction attempt answered: the content, the first tool call (arguments
 * joined per index, or by position when a provider omits `index`), a refusal, the finish reason and
 * usage (top-level, or inside the choice as Moonshot sends it).
 */
export class StreamOutputAccumulator {
  private content = '';
  private refusal = '';
  private toolArguments = '';
  private toolCallId: string | undefined;
  private sawToolCall = false;
  /** The finish reason of choice 0, once sent. */
  finishReason: FinishReason | null = null;
  /** Usage reported by the stream (zero until the usage chunk arrives). */
  readonly usage: Usage = emptyUsage();

  constructor(private readonly mode: ExtractionMode) {}

  /** Adds one chunk; returns true when the JSON text of the answer grew. */
  add(chunk: ChatCompletionChunk): boolean {
    addUsage(this.usage, chunk.usage);
    let grew = false;
    for (const choice of chunk.choices) {
      if (choice.index !== 0) continue;
      addUsage(this.usage, choice.usage);
      if (choice.finish_reason) this.finishReason = choice.finish_reason;
      const delta = choice.delta;
      if (typeof delta.refusal === 'string') this.refusal += delta.refusal;
      if (typeof delta.content === 'string' && delta.content.length > 0) {
        this.content += delta.content;
        grew ||= !(this.mode === 'tool' && this.sawToolCall);
      }
      for (const call of delta.tool_calls ?? []) {
        if ((call.index ?? 0) !== 0) continue;
        this.sawToolCall = true;
        if (call.id && this.toolCallId === undefined) this.toolCallId = call.id;
        const piece = call.function?.arguments;
        if (piece) {
          this.toolArguments += piece;
          grew ||= this.mode === 'tool';
        }
      }
    }
    return grew;
  }

  /** The JSON text streamed so far (tool arguments in `tool` mode once a call started, else content). */
  get text(): string {
    return this.mode === 'tool' && this.sawToolCall ? this.toolArguments : this.content;
  }

  /** The attempt's answer, as `readModeOutput` reads a non-streamed one. */
  output(): ModeOutput {
    if (this.refusal.length > 0) return { kind: 'refusal', refusal: this.refusal };
    if (this.finishReason === 'content_filter') {
      return { kind: 'refusal', refusal: 'the provider content filter stopped the answer' };
    }
    if (this.mode === 'tool' && this.sawToolCall) {
      return {
        kind: 'output',
        text: this.toolArguments,
        ...(this.toolCallId === undefined ? {} : { toolCallId: this.toolCallId }),
      };
    }
    return { kind: 'output', text: this.content };
  }
}
