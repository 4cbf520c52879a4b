import { Agent } from '@chatloop/agent';
import {
  type ChatClient,
  createClient,
  createRouter,
  type RouterEvent,
  type RouterStrategy,
} from '@chatloop/core';
import { getModel } from '@chatloop/models';
import type { ChatCompletionRequest } from '@chatloop/protocol';
import { type ScriptedTurn, scriptedModel, startServer, type TestServer } from '@chatloop/testing';
import { defineTool } from '@chatloop/tools';
import { z } from 'zod';

/** The same answer script on both "providers": convert an amount with the rates tool, then answer. */
function converterTurn(request: ChatCompletionRequest): ScriptedTurn {
  const last = request.messages.at(-1);
  if (last?.role === 'tool' && typeof last.content === 'string') {
    const { rate } = JSON.parse(last.content) as { rate: number };
    return { content: `250 EUR is ${(250 * rate).toFixed(2)} USD at today's rate of ${rate}.` };
  }
  return { toolCalls: [{ name: 'get_rate', arguments: { from: 'EUR', to: 'USD' } }] };
}

/** One scenario's outcome. */
export interface ScenarioReport {
  strategy: RouterStrategy;
  text: string;
  endReason: string;
  servedBy: { openai: number; deepseek: number };
  events: RouterEvent[];
}

/**
 * Starts an OpenAI-like and a DeepSeek-like testing server, puts both behind `createRouter`, and runs
 * one agent twice: `cost` (the cheaper target by the models' prices wins), then `fallback` with the
 * preferred provider failing with 503s (the router moves to the other one, the agent never notices).
 */
export async function runProviderRouting(write: (line: string) => void): Promise<ScenarioReport[]> {
  const openaiModel = 'gpt-4o-mini';
  const deepseekModel = 'deepseek-chat';
  const servers: TestServer[] = [];
  const clients: ChatClient[] = [];
  try {
    const openai = await startServer({ models: { [openaiModel]: scriptedModel([converterTurn]) } });
    servers.push(openai);
    const deepseek = await startServer({
      profile: 'deepseek',
      models: { [deepseekModel]: scriptedModel([converterTurn]) },
    });
    servers.push(deepseek);
    const openaiClient = createClient({ baseURL: openai.url, apiKey: 'offline', maxRetries: 0 });
    const deepseekClient = createClient({ baseURL: deepseek.url, apiKey: 'offline', maxRetries: 0 });
    clients.push(openaiClient, deepseekClient);
    const targets = [
      { name: 'deepseek', client: deepseekClient, model: deepseekModel, pricing: pricingOf(deepseekModel) },
      { name: 'openai', client: openaiClient, model: openaiModel, pricing: pricingOf(openaiModel) },
    ];
    for (const target of targets) {
      write(
        `${target.name}: ${target.model} at $${target.pricing.inputPerMTok}/$${target.pricing.outputPerMTok} per 1M tokens in/out`,
      );
    }
    const getRate = defineTool({
      name: 'get_rate',
      description: 'Exchange rate between two currencies.',
      parameters: z.object({ from: z.string(), to: z.string() }),
      execute: () => ({ rate: 1.08 }),
    });

    const reports: ScenarioReport[] = [];
    for (const strategy of ['cost', 'fallback'] as const) {
      const events: RouterEvent[] = [];
      const router = createRouter({ targets, strategy, onEvent: (event) => events.push(event) });
      const before = { openai: openai.ledger.requests, deepseek: deepseek.ledger.requests };
      if (strategy === 'fallback') {
        // The first target (deepseek) is down: every request gets a 503 for this scenario.
        deepseek.injectFault({ kind: 'status', status: 503 }, 10);
      }
      const agent = new Agent({ name: 'converter', client: router, model: openaiModel, tools: [getRate] });
      const result = await agent.run('How much is 250 EUR in USD?');
      const report: ScenarioReport = {
        strategy,
        text: result.text,
        endReason: result.endReason,
        servedBy: {
          openai: openai.ledger.requests - before.openai,
          deepseek: deepseek.ledger.requests - before.deepseek,
        },
        events,
      };
      reports.push(report);
      write('');
      write(`strategy ${strategy}${strategy === 'fallback' ? ' (deepseek answers 503)' : ''}`);
      for (const event of events) write(`  ${describe(event)}`);
      write(`  served: openai ${report.servedBy.openai}, deepseek ${report.servedBy.deepseek} model calls`);
      write(`  answer (${result.endReason}): ${result.text}`);
      write(`  usage: ${result.usage.totalTokens} tokens, $${result.usage.costUSD.toFixed(6)}`);
    }
    return reports;
  } finally {
    for (const client of clients) await client.close();
    for (const server of servers) await server.close();
  }
}

function pricingOf(model: string): { inputPerMTok: number; outputPerMTok: number } {
  const pricing = getModel(model)?.pricing;
  if (pricing === undefined) throw new Error(`No price for ${model} in @chatloop/models.`);
  return { inputPerMTok: pricing.inputPerMTok, outputPerMTok: pricing.outputPerMTok };
}

function describe(event: RouterEvent): string {
  if (event.type === 'route') return `route -> ${event.target} (${event.strategy})`;
  if (event.type === 'fallback') return `fallback ${event.from} -> ${event.to} (${event.cause})`;
  return `circuit ${event.target} ${event.state}`;
}
