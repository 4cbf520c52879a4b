import { createOpenAI } from '@ai-sdk/openai';
import { createClient } from '@chatloop/core';
import { defineTool } from '@chatloop/tools';
import {
  Agent as OpenAIAgent,
  OpenAIChatCompletionsModel,
  tool as openAITool,
  run as runOpenAIAgent,
  setTracingDisabled,
} from '@openai/agents';
import { tool as aiTool, generateText, stepCountIs } from 'ai';
import OpenAI from 'openai';
import { request } from 'undici';
import { z } from 'zod';
import { Agent } from '../src/index.js';
import { STEPS_PER_RUN } from './tool-loop.js';

/** One way of running the 10-step tool loop. `run` resolves when the loop ends. */
export interface Contender {
  name: string;
  run(signal?: AbortSignal): Promise<unknown>;
  close(): Promise<void>;
}

const PROMPT = 'Look up ten numbers.';
const lookup = (n: number) => `value ${n * 7}`;

/** chatloop: an Agent on a core client. */
export function chatloopContender(baseURL: string): Contender {
  const client = createClient({ baseURL, apiKey: 'bench' });
  const agent = new Agent({
    client,
    model: 'bench',
    maxSteps: STEPS_PER_RUN,
    tools: [
      defineTool({ name: 'lookup', parameters: z.object({ n: z.number() }), execute: ({ n }) => lookup(n) }),
    ],
  });
  return {
    name: 'chatloop',
    run: async (signal) => {
      const result = await agent.run(PROMPT, { signal });
      if (result.endReason !== 'stop') throw result.error ?? new Error(result.endReason);
      return result;
    },
    close: () => client.close(),
  };
}

/** The AI SDK: generateText with a tool and a step limit, on @ai-sdk/openai's chat model. */
export function aiSdkContender(baseURL: string): Contender {
  const model = createOpenAI({ baseURL, apiKey: 'bench' }).chat('bench');
  const tools = {
    lookup: aiTool({
      inputSchema: z.object({ n: z.number() }),
      execute: async ({ n }: { n: number }) => lookup(n),
    }),
  };
  return {
    name: 'ai-sdk',
    run: (signal) =>
      generateText({
        model,
        tools,
        stopWhen: stepCountIs(STEPS_PER_RUN),
        prompt: PROMPT,
        abortSignal: signal,
      }),
    close: async () => {},
  };
}

/** The OpenAI Agents SDK with a chat-completions model on an `openai` client. */
export function openAIAgentsContender(baseURL: string): Contender {
  setTracingDisabled(true);
  const client = new OpenAI({ baseURL, apiKey: 'bench' });
  const agent = new OpenAIAgent({
    name: 'bench',
    model: new OpenAIChatCompletionsModel(client, 'bench'),
    tools: [
      openAITool({
        name: 'lookup',
        description: 'Looks up a number.',
        parameters: z.object({ n: z.number() }),
        execute: async ({ n }) => lookup(n),
      }),
    ],
  });
  return {
    name: 'openai-agents',
    run: (signal) =>
      runOpenAIAgent(agent, PROMPT, { maxTurns: STEPS_PER_RUN, ...(signal ? { signal } : {}) }),
    close: async () => {},
  };
}

interface WireMessage {
  role: string;
  content?: string | null;
  tool_calls?: Array<{ id: string; function: { name: string; arguments: string } }>;
  tool_call_id?: string;
}

/** The floor: a hand-written tool loop on bare undici. */
export function bareUndiciContender(baseURL: string): Contender {
  const url = `${baseURL}/chat/completions`;
  const tools = [
    {
      type: 'function',
      function: {
        name: 'lookup',
        parameters: { type: 'object', properties: { n: { type: 'number' } }, required: ['n'] },
      },
    },
  ];
  return {
    name: 'bare-undici',
    async run(signal) {
      const messages: WireMessage[] = [{ role: 'user', content: PROMPT }];
      for (let step = 0; step < STEPS_PER_RUN; step++) {
        const response = await request(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: 'Bearer bench' },
          body: JSON.stringify({ model: 'bench', messages, tools }),
          ...(signal ? { signal } : {}),
        });
        const completion = (await response.body.json()) as { choices: Array<{ message: WireMessage }> };
        const message = completion.choices[0]!.message;
        messages.push(message);
        if (!message.tool_calls?.length) return message.content;
        for (const call of message.tool_calls) {
          const args = JSON.parse(call.function.arguments) as { n: number };
          messages.push({ role: 'tool', tool_call_id: call.id, content: lookup(args.n) });
        }
      }
      return undefined;
    },
    close: async () => {},
  };
}
