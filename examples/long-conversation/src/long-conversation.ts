import { composeManagers, prepareContext, summarize, tokenBudget } from '@chatloop/context';
import { createClient } from '@chatloop/core';
import type { ChatMessage } from '@chatloop/protocol';
import { startServer } from '@chatloop/testing';
import { travelModel } from './travel-model.js';

/** Options of {@link runLongConversation}. */
export interface LongConversationOptions {
  /** User turns, the last one asking what the model remembers. Default 300. */
  turns?: number;
  /** The model's context window in tokens (the testing server rejects longer prompts). Default 2048. */
  contextWindow?: number;
  /** Receives each report line. */
  write: (line: string) => void;
}

/** What the conversation did. */
export interface LongConversationReport {
  turns: number;
  historyMessages: number;
  maxPromptTokens: number;
  summaries: number;
  finalAnswer: string;
  requests: number;
  totalTokens: number;
}

const MODEL = 'gpt-4o-mini';
const CITIES = [
  'Lisbon',
  'Porto',
  'Seville',
  'Valencia',
  'Bordeaux',
  'Lyon',
  'Turin',
  'Bologna',
  'Ljubljana',
];

/**
 * Runs a long chat against the testing server, whose model has a small window: before each turn the
 * full history goes through `summarize()` then `tokenBudget()`, so what is sent always fits, while the
 * facts of the first turn survive in the summary. The last turn asks for them.
 */
export async function runLongConversation(options: LongConversationOptions): Promise<LongConversationReport> {
  const turns = options.turns ?? 300;
  const contextWindow = options.contextWindow ?? 2048;
  const write = options.write;
  const server = await startServer({ models: { [MODEL]: travelModel(contextWindow) } });
  const client = createClient({ baseURL: server.url, apiKey: 'offline' });
  try {
    // Our counter (the model's tokenizer) and the server's (characters / 4) differ, so keep a margin.
    const maxPromptTokens = Math.floor(contextWindow * 0.6);
    // The first user message is not pinned: its facts must survive through the summary alone.
    const manager = composeManagers(
      summarize({ client, maxPromptTokens, keepFirstUserMessage: false }),
      tokenBudget({ maxPromptTokens, keepFirstUserMessage: false }),
    );
    const history: ChatMessage[] = [
      { role: 'system', content: 'You are a friendly travel planner. Keep answers short.' },
    ];
    let summaries = 0;
    let maxSent = 0;
    let answer = '';
    write(
      `${turns} turns with ${MODEL} (scripted) in a ${contextWindow}-token window; messages budget ${maxPromptTokens}`,
    );
    for (let turn = 1; turn <= turns; turn++) {
      history.push({ role: 'user', content: userMessage(turn, turns) });
      const prepared = await prepareContext(manager, history, { model: MODEL, maxOutputTokens: 128 });
      summaries += prepared.events.filter((event) => event.type === 'summarized').length;
      const response = await client.chat({
        model: MODEL,
        messages: prepared.messages,
        max_completion_tokens: 128,
      });
      answer = response.choices[0]?.message.content ?? '';
      history.push({ role: 'assistant', content: answer });
      maxSent = Math.max(maxSent, response.usage?.prompt_tokens ?? 0);
      if (turn % 50 === 0 || turn === turns) {
        write(
          `turn ${String(turn).padStart(3)} · history ${history.length} messages · sent ${prepared.messages.length} ` +
            `· prompt ${response.usage?.prompt_tokens} tokens · summaries so far ${summaries}`,
        );
      }
    }
    const usage = client.usage.snapshot();
    write('');
    write(`user: ${userMessage(turns, turns)}`);
    write(`assistant: ${answer}`);
    write(
      `largest prompt ${maxSent} tokens of a ${contextWindow}-token window · ${summaries} summaries · ` +
        `${usage.requests} requests · ${usage.totalTokens} tokens`,
    );
    return {
      turns,
      historyMessages: history.length,
      maxPromptTokens: maxSent,
      summaries,
      finalAnswer: answer,
      requests: usage.requests,
      totalTokens: usage.totalTokens,
    };
  } finally {
    await client.close();
    await server.close();
  }
}

function userMessage(turn: number, turns: number): string {
  if (turn === 1) return 'Hi! My name is Ada and my travel budget is 1,800 EUR. Help me plan a slow trip.';
  if (turn === turns) return 'Before I book: what is my name and my budget again?';
  const city = CITIES[turn % CITIES.length]!;
  return `Idea ${turn}: we could visit ${city} for two nights, walk the old town and find a good bakery. Thoughts?`;
}
