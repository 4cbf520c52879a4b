import type { ChatMessage, FunctionTool } from '@chatloop/protocol';
import { describe, expect, it } from 'vitest';
import { pngDataUrl } from '../test/images.js';
import { countChatTokens } from './count-tokens.js';
import { createTokenCounter } from './token-counter.js';
import { createTokenEstimator } from './token-estimator.js';
import { getEncoder } from './tokenizer.js';

// The worked examples of the OpenAI Cookbook, "How to count tokens with tiktoken"
// (https://github.com/openai/openai-cookbook/blob/main/examples/How_to_count_tokens_with_tiktoken.ipynb):
// section 6 prints 129 prompt tokens for gpt-3.5-turbo/gpt-4 and 124 for gpt-4o/gpt-4o-mini, "counted by
// the OpenAI API"; section 7 prints 105 (gpt-3.5-turbo, gpt-4) and 101 (gpt-4o, gpt-4o-mini) with tools.
const jargonExample: ChatMessage[] = [
  {
    role: 'system',
    content:
      'You are a helpful, pattern-following assistant that translates corporate jargon into plain English.',
  },
  { role: 'system', name: 'example_user', content: 'New synergies will help drive top-line growth.' },
  {
    role: 'system',
    name: 'example_assistant',
    content: 'Things working well together will increase revenue.',
  },
  {
    role: 'system',
    name: 'example_user',
    content:
      "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage.",
  },
  {
    role: 'system',
    name: 'example_assistant',
    content: "Let's talk later when we're less busy about how to do better.",
  },
  {
    role: 'user',
    content: "This late pivot means we don't have time to boil the ocean for the client deliverable.",
  },
];

const weatherTools: FunctionTool[] = [
  {
    type: 'function',
    function: {
      name: 'get_current_weather',
      description: 'Get the current weather in a given location',
      parameters: {
        type: 'object',
        properties: {
          location: { type: 'string', description: 'The city and state, e.g. San Francisco, CA' },
          unit: {
            type: 'string',
            description: 'The unit of temperature to return',
            enum: ['celsius', 'fahrenheit'],
          },
        },
        required: ['location'],
      },
    },
  },
];

const weatherMessages: ChatMessage[] = [
  { role: 'system', content: 'You are a helpful assistant that can answer to questions about the weather.' },
  { role: 'user', content: "What's the weather like in San Francisco?" },
];

describe('countChatTokens', () => {
  it("reproduces the Cookbook's chat example: 129 (cl100k models), 124 (o200k models)", () => {
    expect(countChatTokens(jargonExample, { model: 'gpt-3.5-turbo' })).toBe(129);
    expect(countChatTokens(jargonExample, { model: 'gpt-4-0613' })).toBe(129);
    expect(countChatTokens(jargonExample, { model: 'gpt-4o' })).toBe(124);
    expect(countChatTokens(jargonExample, { model: 'gpt-4o-mini' })).toBe(124);
  });

  it("reproduces the Cookbook's tools example: 105 (gpt-3.5-turbo, gpt-4), 101 (gpt-4o, gpt-4o-mini)", () => {
    expect(countChatTokens(weatherMessages, { model: 'gpt-3.5-turbo', tools: weatherTools })).toBe(105);
    expect(countChatTokens(weatherMessages, { model: 'gpt-4', tools: weatherTools })).toBe(105);
    expect(countChatTokens(weatherMessages, { model: 'gpt-4o', tools: weatherTools })).toBe(101);
    expect(countChatTokens(weatherMessages, { model: 'gpt-4o-mini', tools: weatherTools })).toBe(101);
  });

  // Figures measured against the API by hmarr/openai-chat-tokens, shipped as gpt-tokenizer's fixtures
  // (src/fixtures/functionCallingTestCases.ts).
  it('matches measured single-message figures', () => {
    expect(countChatTokens([{ role: 'user', content: 'hello' }], { model: 'gpt-4o' })).toBe(8);
    expect(countChatTokens([{ role: 'user', content: 'hello world' }], { model: 'gpt-4o' })).toBe(9);
    expect(countChatTokens([{ role: 'system', content: 'hello:' }], { model: 'gpt-4o' })).toBe(9);
    expect(
      countChatTokens(
        [
          { role: 'system', content: "# Important: you're the best robot" },
          { role: 'user', content: 'hello robot' },
          { role: 'assistant', content: 'hello world' },
        ],
        { model: 'gpt-4o' },
      ),
    ).toBe(26);
  });

  it('counts tool calls, tool results, refusals and reasoning content', () => {
    // getEncoder equals the reference tokenizer (count-tokens.test.ts).
    const n = (text: string) => getEncoder('o200k_base').countTokens(text);
    const args = '{"location":"Paris, France","unit":"celsius"}';
    const messages: ChatMessage[] = [
      {
        role: 'assistant',
        content: null,
        reasoning_content: 'I should call the tool.',
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'get_current_weather', arguments: args } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '{"temperature":21}' },
    ];
    const expected =
      3 +
      n('assistant') +
      n('I should call the tool.') +
      3 +
      n('get_current_weather') +
      n(args) +
      (3 + n('tool') + n('{"temperature":21}')) +
      3;
    expect(countChatTokens(messages, { model: 'gpt-4o' })).toBe(expected);
  });

  it('bills images by the model’s rule and the size read from a data URL', () => {
    const text = { type: 'text' as const, text: 'What is in this image?' };
    const withImage = (detail: 'low' | 'high'): ChatMessage[] => [
      {
        role: 'user',
        content: [text, { type: 'image_url', image_url: { url: pngDataUrl(1024, 1024), detail } }],
      },
    ];
    const textOnly = countChatTokens([{ role: 'user', content: [text] }], { model: 'gpt-4o' });
    expect(countChatTokens(withImage('high'), { model: 'gpt-4o' }) - textOnly).toBe(765);
    expect(countChatTokens(withImage('low'), { model: 'gpt-4o' }) - textOnly).toBe(85);
    expect(countChatTokens(withImage('high'), { model: 'gpt-4o-mini' }) - textOnly).toBe(2833 + 5667 * 4);
    expect(countChatTokens(withImage('high'), { model: 'gpt-5' }) - textOnly).toBe(70 + 140 * 4);
    expect(countChatTokens(withImage('high'), { model: 'gpt-4.1-mini' }) - textOnly).toBe(
      Math.ceil(1024 * 1.62),
    );
  });

  it('flags counts that rest on guesses', () => {
    const counter = createTokenCounter({ model: 'gpt-4o' });
    const remote: ChatMessage = {
      role: 'user',
      content: [{ type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }],
    };
    expect(counter.countChat([remote]).estimated).toBe(true);
    expect(counter.countChat([{ role: 'user', content: 'hi' }]).estimated).toBe(false);
    expect(
      createTokenCounter({ model: 'deepseek-v4-pro' }).countChat([{ role: 'user', content: 'hi' }]).estimated,
    ).toBe(true);
  });
});

describe('createTokenCounter', () => {
  it('counts only the new message when a conversation grows', () => {
    const counter = createTokenCounter({ model: 'gpt-4o' });
    let reads = 0;
    const tracked = (content: string): ChatMessage => {
      const message = { role: 'user' } as ChatMessage & { content: string };
      Object.defineProperty(message, 'content', {
        enumerable: true,
        get() {
          reads += 1;
          return content;
        },
      });
      return message;
    };
    const history = Array.from({ length: 50 }, (_, i) => tracked(`message number ${i}`));
    const first = counter.countChat(history, weatherTools).tokens;
    expect(reads).toBe(50);
    history.push(tracked('one more'));
    const second = counter.countChat(history, weatherTools).tokens;
    expect(reads).toBe(51);
    expect(second).toBe(countChatTokens(history, { model: 'gpt-4o', tools: weatherTools }));
    expect(second - first).toBe(counter.countMessage(history[50]!));
  });

  it('applies a calibrated estimator to models without a public tokenizer', () => {
    const estimator = createTokenEstimator({ initialRatio: 1 });
    const counter = createTokenCounter({ model: 'deepseek-v4-pro', estimator });
    const messages: ChatMessage[] = [{ role: 'user', content: 'hello there, how are you today?' }];
    const base = counter.countChat(messages).tokens;
    estimator.observe('deepseek-v4-pro', base, base * 2);
    expect(counter.countChat(messages).tokens).toBe(base * 2);
    expect(counter.countMessage(messages[0]!)).toBe((base - 3) * 2);
  });
});
