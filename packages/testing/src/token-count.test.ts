import { describe, expect, it } from 'vitest';
import { contentText, countPromptTokens, countTextTokens } from './token-count.js';

describe('countTextTokens', () => {
  it('counts one token per started group of four characters', () => {
    expect(countTextTokens('')).toBe(0);
    expect(countTextTokens('a')).toBe(1);
    expect(countTextTokens('abcd')).toBe(1);
    expect(countTextTokens('abcde')).toBe(2);
  });
});

describe('contentText', () => {
  it('joins text and refusal parts and ignores the rest', () => {
    expect(contentText('hi')).toBe('hi');
    expect(contentText(null)).toBe('');
    expect(
      contentText([
        { type: 'text', text: 'a' },
        { type: 'image_url', image_url: { url: 'x' } },
        { type: 'refusal', refusal: 'b' },
      ]),
    ).toBe('ab');
  });
});

describe('countPromptTokens', () => {
  it('adds per-message and per-prompt overhead, tool calls and tools', () => {
    expect(countPromptTokens({ messages: [{ role: 'user', content: 'abcdefgh' }] })).toBe(3 + 3 + 2);
    const tools = [{ type: 'function' as const, function: { name: 'f' } }];
    const withTools = countPromptTokens({
      messages: [
        { role: 'user', content: 'hi' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'c', type: 'function', function: { name: 'get', arguments: '{}' } }],
        },
        { role: 'tool', tool_call_id: 'c', content: 'sunny' },
      ],
      tools,
    });
    expect(withTools).toBe(3 + (3 + 1) + (3 + 0 + 1 + 1) + (3 + 2) + countTextTokens(JSON.stringify(tools)));
  });
});
