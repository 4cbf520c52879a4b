import { createOpenAI } from '@ai-sdk/openai';
import { Agent } from '@chatloop/agent';
import { createClient } from '@chatloop/core';
import type { ChatCompletionRequest } from '@chatloop/protocol';
import { defineTool } from '@chatloop/tools';
import {
  Agent as OpenAIAgent,
  OpenAIChatCompletionsModel,
  tool as openAITool,
  run as runOpenAIAgent,
  setTracingDisabled,
} from '@openai/agents';
import { tool as aiTool, generateText, stepCountIs, streamText } from 'ai';
import OpenAI from 'openai';
import { request } from 'undici';
import { z } from 'zod';
import { BENCH_MODELS, LOOP_PROMPT, LOOP_STEPS, lookup, SYSTEM_PROMPT, USER_PROMPT } from './bench-models.js';

/**
 * One framework, used the documented way, for each row of the benchmark. A row a framework has no
 * natural form for is left out (printed as n/a). Every operation resolves to the answer's text.
 */
export interface Adapter {
  readonly name: string;
  /** One non-streaming request (system + user message). */
  readonly chat?: (signal?: AbortSignal) => Promise<string>;
  /** One streamed request, read to the end as text. */
  readonly stream?: () => Promise<string>;
  /** One 10-step tool loop (9 `lookup` calls, then the answer). */
  readonly toolLoop?: (signal?: AbortSignal) => Promise<string>;
  /** Releases connections. */
  close(): Promise<void>;
}

/** The names of the adapters, baseline first. */
export const ADAPTER_NAMES = ['bare-undici', 'chatloop', 'openai', 'ai-sdk', 'openai-agents'] as const;

const API_KEY = 'sk-bench';
const messages = [
  { role: 'system' as const, content: SYSTEM_PROMPT },
  { role: 'user' as const, content: USER_PROMPT },
];
const lookupParameters = z.object({ n: z.number() });
const lookupJsonSchema = {
  type: 'object',
  properties: { n: { type: 'number' } },
  required: ['n'],
  additionalProperties: false,
};
const LOOKUP_DESCRIPTION = 'Looks up a number.';

interface WireMessage {
  role: string;
  content?: string | null;
  tool_calls?: Array<{ id: string; type: 'function'; function: { name: string; arguments: string } }>;
  tool_call_id?: string;
}

/** The baseline: bare `undici.request` + `JSON.parse`, a split-and-parse SSE loop, a hand-written tool loop. */
export function bareUndiciAdapter(baseURL: string): Adapter {
  const url = `${baseURL}/chat/completions`;
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` };
  const tools = [
    {
      type: 'function',
      function: { name: 'lookup', description: LOOKUP_DESCRIPTION, parameters: lookupJsonSchema },
    },
  ];
  const post = async (body: unknown, signal?: AbortSignal) => {
    const response = await request(url, { method: 'POST', headers, body: JSON.stringify(body), signal });
    if (response.statusCode !== 200)
      throw new Error(`HTTP ${response.statusCode}: ${await response.body.text()}`);
    return response.body;
  };
  return {
    name: 'bare-undici',
    async chat(signal) {
      const body = await post({ model: BENCH_MODELS.plain, messages }, signal);
      const completion = JSON.parse(await body.text()) as { choices: Array<{ message: WireMessage }> };
      return completion.choices[0]!.message.content ?? '';
    },
    async stream() {
      const body = await post({ model: BENCH_MODELS.stream, messages, stream: true });
      body.setEncoding('utf8');
      let buffer = '';
      let text = '';
      for await (const part of body as AsyncIterable<string>) {
        buffer += part;
        let end = buffer.indexOf('\n\n');
        while (end !== -1) {
          const event = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (event.startsWith('data: ') && event !== 'data: [DONE]') {
            const chunk = JSON.parse(event.slice(6)) as {
              choices: Array<{ delta: { content?: string | null } }>;
            };
            text += chunk.choices[0]?.delta.content ?? '';
          }
          end = buffer.indexOf('\n\n');
        }
      }
      return text;
    },
    async toolLoop(signal) {
      const transcript: WireMessage[] = [{ role: 'user', content: LOOP_PROMPT }];
      for (let step = 0; step < LOOP_STEPS; step++) {
        const body = await post({ model: BENCH_MODELS.loop, messages: transcript, tools }, signal);
        const completion = JSON.parse(await body.text()) as { choices: Array<{ message: WireMessage }> };
        const message = completion.choices[0]!.message;
        transcript.push(message);
        if (!message.tool_calls?.length) return message.content ?? '';
        for (const call of message.tool_calls) {
          const args = JSON.parse(call.function.arguments) as { n: number };
          transcript.push({ role: 'tool', tool_call_id: call.id, content: lookup(args.n) });
        }
      }
      throw new Error('tool loop did not end');
    },
    close: async () => {},
  };
}

/** chatloop: `createClient` for requests and streams, an `Agent` for the tool loop. */
export function chatloopAdapter(baseURL: string): Adapter {
  const client = createClient({ baseURL, apiKey: API_KEY });
  const agent = new Agent({
    client,
    model: BENCH_MODELS.loop,
    maxSteps: LOOP_STEPS,
    tools: [
      defineTool({
        name: 'lookup',
        description: LOOKUP_DESCRIPTION,
        parameters: lookupParameters,
        execute: ({ n }) => lookup(n),
      }),
    ],
  });
  const chatRequest: ChatCompletionRequest = { model: BENCH_MODELS.plain, messages };
  const streamRequest: ChatCompletionRequest = { model: BENCH_MODELS.stream, messages };
  return {
    name: 'chatloop',
    async chat(signal) {
      const completion = await client.chat(chatRequest, signal ? { signal } : undefined);
      return completion.choices[0]?.message.content ?? '';
    },
    async stream() {
      let text = '';
      for await (const delta of client.stream(streamRequest).textStream) text += delta;
      return text;
    },
    async toolLoop(signal) {
      const result = await agent.run(LOOP_PROMPT, signal ? { signal } : undefined);
      if (result.endReason !== 'stop') throw result.error ?? new Error(`run ended: ${result.endReason}`);
      return result.text;
    },
    close: () => client.close(),
  };
}

/** The official `openai` SDK: `chat.completions.create`, plain and `stream: true`, and the tool loop its docs show. */
export function openAIAdapter(baseURL: string): Adapter {
  const client = new OpenAI({ baseURL, apiKey: API_KEY });
  const tools = [
    {
      type: 'function' as const,
      function: { name: 'lookup', description: LOOKUP_DESCRIPTION, parameters: lookupJsonSchema },
    },
  ];
  return {
    name: 'openai',
    async chat(signal) {
      const completion = await client.chat.completions.create(
        { model: BENCH_MODELS.plain, messages },
        signal ? { signal } : undefined,
      );
      return completion.choices[0]?.message.content ?? '';
    },
    async stream() {
      const stream = await client.chat.completions.create({
        model: BENCH_MODELS.stream,
        messages,
        stream: true,
      });
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      return text;
    },
    async toolLoop(signal) {
      const transcript: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: LOOP_PROMPT }];
      for (let step = 0; step < LOOP_STEPS; step++) {
        const completion = await client.chat.completions.create(
          { model: BENCH_MODELS.loop, messages: transcript, tools },
          signal ? { signal } : undefined,
        );
        const message = completion.choices[0]!.message;
        transcript.push(message);
        if (!message.tool_calls?.length) return message.content ?? '';
        for (const call of message.tool_calls) {
          if (call.type !== 'function') continue;
          const args = JSON.parse(call.function.arguments) as { n: number };
          transcript.push({ role: 'tool', tool_call_id: call.id, content: lookup(args.n) });
        }
      }
      throw new Error('tool loop did not end');
    },
    close: async () => {},
  };
}

/** The AI SDK: `generateText` / `streamText` on `createOpenAI({ baseURL, apiKey }).chat(model)`. */
export function aiSdkAdapter(baseURL: string): Adapter {
  const provider = createOpenAI({ baseURL, apiKey: API_KEY });
  const plainModel = provider.chat(BENCH_MODELS.plain);
  const streamModel = provider.chat(BENCH_MODELS.stream);
  const loopModel = provider.chat(BENCH_MODELS.loop);
  const tools = {
    lookup: aiTool({
      description: LOOKUP_DESCRIPTION,
      inputSchema: lookupParameters,
      execute: async ({ n }: { n: number }) => lookup(n),
    }),
  };
  return {
    name: 'ai-sdk',
    async chat(signal) {
      const result = await generateText({
        model: plainModel,
        system: SYSTEM_PROMPT,
        prompt: USER_PROMPT,
        ...(signal ? { abortSignal: signal } : {}),
      });
      return result.text;
    },
    async stream() {
      const result = streamText({ model: streamModel, system: SYSTEM_PROMPT, prompt: USER_PROMPT });
      let text = '';
      for await (const delta of result.textStream) text += delta;
      return text;
    },
    async toolLoop(signal) {
      const result = await generateText({
        model: loopModel,
        tools,
        stopWhen: stepCountIs(LOOP_STEPS),
        prompt: LOOP_PROMPT,
        ...(signal ? { abortSignal: signal } : {}),
      });
      return result.text;
    },
    close: async () => {},
  };
}

/**
 * The OpenAI Agents SDK: `Agent` + `run` with `OpenAIChatCompletionsModel` on an `openai` client, tracing
 * off. It has no plain-request form (n/a); its stream row is `run(agent, input, { stream: true })`.
 */
export function openAIAgentsAdapter(baseURL: string): Adapter {
  setTracingDisabled(true);
  const client = new OpenAI({ baseURL, apiKey: API_KEY });
  const streamAgent = new OpenAIAgent({
    name: 'bench',
    instructions: SYSTEM_PROMPT,
    model: new OpenAIChatCompletionsModel(client, BENCH_MODELS.stream),
  });
  const loopAgent = new OpenAIAgent({
    name: 'bench',
    model: new OpenAIChatCompletionsModel(client, BENCH_MODELS.loop),
    tools: [
      openAITool({
        name: 'lookup',
        description: LOOKUP_DESCRIPTION,
        parameters: lookupParameters,
        execute: async ({ n }) => lookup(n),
      }),
    ],
  });
  return {
    name: 'openai-agents',
    async stream() {
      const result = await runOpenAIAgent(streamAgent, USER_PROMPT, { stream: true });
      let text = '';
      for await (const delta of result.toTextStream()) text += delta;
      await result.completed;
      return text;
    },
    async toolLoop(signal) {
      const result = await runOpenAIAgent(loopAgent, LOOP_PROMPT, {
        maxTurns: LOOP_STEPS,
        ...(signal ? { signal } : {}),
      });
      return String(result.finalOutput ?? '');
    },
    close: async () => {},
  };
}

/** All adapters on one server, baseline first (the order of {@link ADAPTER_NAMES}). */
export function createAdapters(baseURL: string): Adapter[] {
  return [
    bareUndiciAdapter(baseURL),
    chatloopAdapter(baseURL),
    openAIAdapter(baseURL),
    aiSdkAdapter(baseURL),
    openAIAgentsAdapter(baseURL),
  ];
}
