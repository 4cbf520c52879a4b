import type { ChatCompletionRequest, ChatMessage } from '@chatloop/protocol';
import { type ScriptedModel, type ScriptedTurn, scriptedModel } from '@chatloop/testing';

/**
 * A scripted model that plays a support agent the way a real model would, reading the transcript:
 * it looks up the order the customer names, checks its shipment, proposes a refund when the parcel is
 * lost, and answers from what the tools returned (including a refund the human denied).
 */
export function scriptedSupportModel(): ScriptedModel {
  return scriptedModel([(request) => nextTurn(request)]);
}

function nextTurn(request: ChatCompletionRequest): ScriptedTurn {
  const messages = request.messages;
  const last = messages.at(-1);
  if (last?.role !== 'tool') {
    const question = textOf(last);
    const orderId = /\b([A-Z]-\d{4})\b/.exec(question)?.[1];
    if (orderId === undefined)
      return { content: 'Could you give me your order number (it looks like A-1042)?' };
    return { content: null, toolCalls: [{ name: 'get_order', arguments: { orderId } }] };
  }
  const toolName = toolNameOf(messages, last.tool_call_id);
  const result = parseObject(textOf(last));
  if (toolName === 'get_order') {
    if (typeof result.trackingNumber !== 'string')
      return { content: `I could not find that order: ${textOf(last)}` };
    return { toolCalls: [{ name: 'track_shipment', arguments: { trackingNumber: result.trackingNumber } }] };
  }
  if (toolName === 'track_shipment') {
    const order = parseObject(textOf(toolMessageOf(messages, 'get_order')));
    if (result.status !== 'lost') {
      return {
        content: `Your parcel is ${String(result.status).replace('_', ' ')} with ${String(result.carrier)}.`,
      };
    }
    return {
      content: 'The carrier lost the parcel, so I am proposing a full refund.',
      toolCalls: [
        {
          name: 'issue_refund',
          arguments: {
            orderId: order.orderId,
            amountUSD: order.totalUSD,
            reason: `Parcel ${String(result.trackingNumber)} lost by ${String(result.carrier)}`,
          },
        },
      ],
    };
  }
  if (toolName === 'issue_refund') {
    if (typeof result.refundId !== 'string') {
      return {
        content:
          'I am sorry: the carrier lost your parcel, but I could not issue the refund right now ' +
          `(${textOf(last)}). A colleague will follow up by email within one business day.`,
      };
    }
    return {
      content:
        `I am sorry about the lost parcel. Order ${String(result.orderId)} is refunded in full: ` +
        `$${Number(result.amountUSD).toFixed(2)} (refund ${result.refundId}). ` +
        'It reaches your card in 3 to 5 business days. Anything else I can help with?',
    };
  }
  return { content: 'How else can I help?' };
}

function textOf(message: ChatMessage | undefined): string {
  if (message === undefined) return '';
  const content = message.content;
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((part) => ('text' in part && typeof part.text === 'string' ? part.text : '')).join('');
}

function toolNameOf(messages: readonly ChatMessage[], toolCallId: string): string | undefined {
  for (const message of messages) {
    if (message.role !== 'assistant') continue;
    const call = message.tool_calls?.find((candidate) => candidate.id === toolCallId);
    if (call !== undefined && call.type === 'function') return call.function.name;
  }
  return undefined;
}

function toolMessageOf(messages: readonly ChatMessage[], name: string): ChatMessage | undefined {
  return messages.find(
    (message) => message.role === 'tool' && toolNameOf(messages, message.tool_call_id) === name,
  );
}

function parseObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
