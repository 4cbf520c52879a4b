import type { ChatMessage } from '@chatloop/protocol';
import { describe, expect, it } from 'vitest';
import { prepareReasoning, toolMessage, unansweredToolCalls, validateTranscript } from './transcript.js';

const call = (id: string, name = 'f') => ({
  id,
  type: 'function' as const,
  function: { name, arguments: '{}' },
});
const user: ChatMessage = { role: 'user', content: 'hi' };

describe('validateTranscript', () => {
  it('accepts one result per call id in call order', () => {
    const messages: ChatMessage[] = [
      user,
      { role: 'assistant', content: null, tool_calls: [call('a'), call('b')] },
      toolMessage('a', '1'),
      toolMessage('b', '2'),
      { role: 'assistant', content: 'done' },
    ];
    expect(validateTranscript(messages)).toEqual([]);
  });

  it('reports a missing result, an out-of-order result, a duplicate and a stray result', () => {
    expect(
      validateTranscript([user, { role: 'assistant', content: null, tool_calls: [call('a')] }, user]),
    ).toEqual([{ index: 2, problem: 'tool call a has no tool result before this message' }]);
    expect(
      validateTranscript([
        { role: 'assistant', content: null, tool_calls: [call('a'), call('b')] },
        toolMessage('b', '2'),
        toolMessage('a', '1'),
        toolMessage('a', '1'),
      ]).map((issue) => issue.problem),
    ).toEqual([
      'tool result b is out of order (expected a)',
      'tool result a is out of order (expected b)',
      'tool call a is answered twice',
    ]);
    expect(validateTranscript([user, toolMessage('x', '1')])[0]?.problem).toBe(
      'tool result x answers no pending tool call',
    );
    expect(
      validateTranscript([{ role: 'assistant', content: null, tool_calls: [call('a'), call('a')] }])[0]
        ?.problem,
    ).toBe('tool call id a appears twice');
  });

  it('reports calls left open at the end of the transcript', () => {
    expect(validateTranscript([{ role: 'assistant', content: null, tool_calls: [call('a')] }])).toEqual([
      { index: 1, problem: 'tool call a has no tool result before this message' },
    ]);
  });
});

describe('unansweredToolCalls', () => {
  it('lists the last assistant message calls without a result, in order', () => {
    const messages: ChatMessage[] = [
      user,
      { role: 'assistant', content: null, tool_calls: [call('a'), call('b', 'g'), call('c')] },
      toolMessage('a', '1'),
    ];
    expect(unansweredToolCalls(messages)).toEqual([
      { id: 'b', name: 'g' },
      { id: 'c', name: 'f' },
    ]);
    expect(unansweredToolCalls([...messages, toolMessage('b', ''), toolMessage('c', '')])).toEqual([]);
    expect(unansweredToolCalls([user])).toEqual([]);
  });
});

describe('prepareReasoning', () => {
  const withReasoning: ChatMessage[] = [
    user,
    { role: 'assistant', content: null, reasoning_content: 'think', tool_calls: [call('a')] },
    toolMessage('a', '1'),
    { role: 'assistant', content: null, tool_calls: [call('b')] },
    toolMessage('b', '1'),
    { role: 'assistant', content: 'plain' },
  ];

  it('returns the same array when nothing changes', () => {
    const plain: ChatMessage[] = [user, { role: 'assistant', content: 'x' }];
    expect(prepareReasoning(plain, 'deepseek-chat')).toBe(plain);
    expect(prepareReasoning(withReasoning, 'm', 'keep')).toBe(withReasoning);
  });

  it('auto: gives every tool-calling assistant message a reasoning_content once the transcript shows reasoning', () => {
    const out = prepareReasoning(withReasoning, 'deepseek-v4');
    expect(out[1]).toBe(withReasoning[1]);
    expect(out[3]).toMatchObject({ reasoning_content: '' });
    expect(out[5]).not.toHaveProperty('reasoning_content');
    expect(withReasoning[3]).not.toHaveProperty('reasoning_content');
  });

  it('strips reasoning for deepseek-reasoner (R1) and in strip mode', () => {
    for (const out of [
      prepareReasoning(withReasoning, 'deepseek-reasoner'),
      prepareReasoning(withReasoning, 'x', 'strip'),
    ]) {
      expect(out.some((m) => 'reasoning_content' in m)).toBe(false);
    }
  });

  it('always: every assistant message carries reasoning_content', () => {
    const out = prepareReasoning(withReasoning, 'x', 'always');
    expect(
      out
        .filter((m) => m.role === 'assistant')
        .map((m) => (m as { reasoning_content: unknown }).reasoning_content),
    ).toEqual(['think', '', '']);
  });
});
