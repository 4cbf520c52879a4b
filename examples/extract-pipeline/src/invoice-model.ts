import type { ChatCompletionRequest, ChatMessage } from '@chatloop/protocol';
import { type ScriptedModel, type ScriptedTurn, scriptedModel } from '@chatloop/testing';
import type { Invoice } from './invoice-generator.js';

/**
 * A scripted model that extracts an invoice from the last user message by reading it (regular
 * expressions over the three layouts), so the pipeline's output can be checked against the generator.
 * `onRequest` runs once per request served (the example uses it to press Ctrl-C half way).
 */
export function invoiceModel(onRequest: () => void = () => {}): ScriptedModel {
  return scriptedModel([
    (request) => {
      onRequest();
      return answer(request);
    },
  ]);
}

function answer(request: ChatCompletionRequest): ScriptedTurn {
  const text = lastUserText(request.messages);
  const invoice = readInvoice(text);
  const json = JSON.stringify(invoice);
  // Answer in the form the request asked for: a forced function call, or JSON text.
  const tool = request.tools?.[0];
  if (tool !== undefined && request.tool_choice !== undefined && request.tool_choice !== 'none') {
    return { toolCalls: [{ name: tool.function.name, arguments: json }] };
  }
  return { content: json };
}

/** Reads an invoice from one of the generator's layouts. */
export function readInvoice(text: string): Invoice {
  const match = (pattern: RegExp): string => pattern.exec(text)?.[1]?.trim() ?? '';
  const lineItems = [...text.matchAll(/^\s+(\d+) x (.+?) @ ([\d.]+) = ([\d.]+)$/gm)].map((line) => ({
    description: line[2]!,
    quantity: Number(line[1]),
    unitPrice: Number(line[3]),
    amount: Number(line[4]),
  }));
  const total = /(?:Total due:|total of|TOTAL) ([A-Z]{3}) ([\d.]+)/.exec(text);
  return {
    invoiceNumber: match(/(INV-\d{4}-\d{5})/),
    vendor:
      match(/^From: (.+)$/m) ||
      match(/^Subject: Invoice \S+ from (.+)$/m) ||
      match(/^(.+?) \| invoice no\./m),
    customer:
      match(/^Bill to: (.+)$/m) || match(/^Dear (.+?) accounts team,$/m) || match(/\| customer: (.+)$/m),
    issueDate: match(/(?:Issue date:|issued) (\d{4}-\d{2}-\d{2})/),
    dueDate: match(/(?:Due date:|payable by|due) (\d{4}-\d{2}-\d{2})/),
    currency: total?.[1] ?? '',
    lineItems,
    total: Number(total?.[2] ?? 0),
  };
}

function lastUserText(messages: readonly ChatMessage[]): string {
  for (let index = messages.length - 1; index >= 0; index--) {
    const message = messages[index]!;
    if (message.role !== 'user') continue;
    if (typeof message.content === 'string') return message.content;
    return message.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
  }
  return '';
}
