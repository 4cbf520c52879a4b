import type { ChatCompletionRequest } from '@chatloop/protocol';
import { type ScriptedModel, scriptedModel } from '@chatloop/testing';

const SUMMARIZER_PROMPT_START = 'You compress conversations.';

/**
 * A scripted travel assistant that can only remember what is in the request: it writes summaries that
 * keep the user's name, budget and the places discussed, and answers "what is my name and budget?" from
 * whatever the request still holds (the summary, once the first turns are gone).
 */
export function travelModel(contextWindow: number): ScriptedModel {
  return scriptedModel([(request) => ({ content: reply(request) })], { contextWindow });
}

function reply(request: ChatCompletionRequest): string {
  const text = request.messages
    .map((message) => (typeof message.content === 'string' ? message.content : ''))
    .join('\n');
  const first = request.messages[0];
  if (
    first?.role === 'system' &&
    typeof first.content === 'string' &&
    first.content.startsWith(SUMMARIZER_PROMPT_START)
  ) {
    return summarize(text);
  }
  const last = request.messages.at(-1);
  const question = typeof last?.content === 'string' ? last.content : '';
  if (/what is my name/i.test(question)) {
    const name = /name is (\w+)/i.exec(text)?.[1];
    const budget = /budget is ([\d,]+ [A-Z]{3})/i.exec(text)?.[1];
    if (name === undefined || budget === undefined) return 'I am sorry, I no longer know.';
    return `You are ${name}, and your travel budget is ${budget}.`;
  }
  const city = /visit (\w+)/.exec(question)?.[1];
  return city === undefined ? 'Noted.' : `${city} is a good idea; I have added it to the list.`;
}

function summarize(text: string): string {
  const facts: string[] = [];
  const name = /name is (\w+)/i.exec(text)?.[1];
  if (name !== undefined) facts.push(`The user's name is ${name}.`);
  const budget = /budget is ([\d,]+ [A-Z]{3})/i.exec(text)?.[1];
  if (budget !== undefined) facts.push(`Their travel budget is ${budget}.`);
  const places = [...new Set([...text.matchAll(/visit (\w+)/g)].map((match) => match[1]!))];
  const listed = /Places discussed: ([\w, ]+)\./.exec(text)?.[1]?.split(', ') ?? [];
  const all = [...new Set([...listed, ...places])];
  if (all.length > 0) facts.push(`Places discussed: ${all.join(', ')}.`);
  return facts.join(' ');
}
