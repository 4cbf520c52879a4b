import type { ChatCompletionRequest } from '@chatloop/protocol';
import { describe, expect, it } from 'vitest';
import { echoModel, matchesTurn, ScriptExhaustedError, scriptedModel } from './scripted-model.js';

const ask = (content: string): ChatCompletionRequest => ({
  model: 'm',
  messages: [{ role: 'user', content }],
});
const afterTool = (name: string, result: string): ChatCompletionRequest => ({
  model: 'm',
  messages: [
    { role: 'user', content: 'go' },
    {
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'c1', type: 'function', function: { name, arguments: '{}' } }],
    },
    { role: 'tool', tool_call_id: 'c1', content: result },
  ],
});

describe('scriptedModel', () => {
  it('serves turns in order, the last repeating by default', async () => {
    const model = scriptedModel([{ content: 'a' }, { content: 'b' }]);
    const replies = [];
    for (let i = 0; i < 3; i++) replies.push((await model.reply(ask('x'))).content);
    expect(replies).toEqual(['a', 'b', 'b']);
    model.reset();
    expect((await model.reply(ask('x'))).content).toBe('a');
  });

  it('throws ScriptExhaustedError past the end with loop: false', async () => {
    const model = scriptedModel([{ content: 'a' }], { loop: false });
    await model.reply(ask('x'));
    const error = await model.reply(ask('x')).catch((caught: unknown) => caught);
    expect(ScriptExhaustedError.is(error)).toBe(true);
    expect((error as Error).message).toContain('used up');
  });

  it('calls turn functions with the request and the call index', async () => {
    const model = scriptedModel([
      (request, context) => ({ content: `${context.callIndex}:${request.messages.length}` }),
    ]);
    expect((await model.reply(ask('x'))).content).toBe('0:1');
    expect((await model.reply(ask('x'))).content).toBe('1:1');
  });

  it('serves matching turns first, without advancing the sequence', async () => {
    const model = scriptedModel([
      { when: { lastToolResult: 'sunny' }, content: 'Nice weather.' },
      { when: { lastToolName: 'time' }, content: 'It is late.' },
      { when: (request) => request.messages.length > 5, content: 'long' },
      { content: 'first' },
      { content: 'second' },
    ]);
    expect((await model.reply(afterTool('weather', 'sunny, 20C'))).content).toBe('Nice weather.');
    expect((await model.reply(afterTool('time', '23:00'))).content).toBe('It is late.');
    expect((await model.reply(ask('x'))).content).toBe('first');
    expect((await model.reply(afterTool('weather', 'rain'))).content).toBe('second');
  });

  it('reports which request had no match when only matchers exist', async () => {
    const model = scriptedModel([{ when: { lastUserMessage: 'weather' }, content: 'sunny' }]);
    expect((await model.reply(ask('the weather?'))).content).toBe('sunny');
    await expect(model.reply(ask('hello'))).rejects.toThrow(
      "No scripted turn matches the request (model 'm', 1 message(s), last user: 'hello')",
    );
  });
});

describe('matchesTurn', () => {
  it('requires every given condition', () => {
    expect(matchesTurn({ model: 'm', lastUserMessage: 'go' }, afterTool('f', 'r'))).toBe(true);
    expect(matchesTurn({ model: 'other' }, afterTool('f', 'r'))).toBe(false);
    expect(matchesTurn({ lastToolResult: 'r' }, ask('r'))).toBe(false);
  });
});

describe('echoModel', () => {
  it('repeats the last message text', async () => {
    expect((await echoModel().reply(ask('ping'))).content).toBe('ping');
  });
});
