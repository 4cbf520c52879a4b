import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChatCompletionRequest } from '@chatloop/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { loadScript, parseScript, ScriptFileError } from './script-file.js';

const ask = (content: string, model = 'gpt-4o'): ChatCompletionRequest => ({
  model,
  messages: [{ role: 'user', content }],
});
const dir = mkdtempSync(join(tmpdir(), 'chatloop-script-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('parseScript', () => {
  it('takes an array of turns as the model behind every name', async () => {
    const options = parseScript([{ content: 'one' }, { toolCalls: [{ name: 'f', arguments: { a: 1 } }] }]);
    expect((await options.defaultModel?.reply(ask('x')))?.content).toBe('one');
    expect((await options.defaultModel?.reply(ask('x')))?.toolCalls?.[0]?.name).toBe('f');
  });

  it('takes models by name with options, matchers and server settings', async () => {
    const options = parseScript({
      models: {
        'gpt-4o': {
          turns: [{ when: { lastUserMessage: 'weather' }, content: 'sunny' }, { content: 'hello' }],
          loop: false,
          contextWindow: 500,
        },
        'deepseek-v4-flash': [{ reasoningContent: 'hmm', content: 'ok' }],
      },
      profile: 'deepseek',
      rateLimit: { rpm: 10, tpm: 1000 },
      faults: { sequence: [null, { kind: 'status', status: 503 }], rate: 0.1, seed: 7 },
      apiKey: 'sk-local',
      chunkDelayMs: 5,
    });
    const model = options.models?.['gpt-4o'];
    expect(model?.contextWindow).toBe(500);
    expect((await model?.reply(ask('the weather?')))?.content).toBe('sunny');
    expect((await model?.reply(ask('hi')))?.content).toBe('hello');
    await expect(model?.reply(ask('hi'))).rejects.toThrow('used up');
    expect(options).toMatchObject({
      profile: 'deepseek',
      rateLimit: { rpm: 10, tpm: 1000 },
      apiKey: 'sk-local',
      chunkDelayMs: 5,
    });
    expect(options.faults?.sequence?.[1]).toEqual({ kind: 'status', status: 503 });
  });

  it('names the first wrong field', () => {
    expect(() => parseScript({ modles: {} })).toThrow("script: unknown field 'modles'");
    expect(() => parseScript({ models: { m: [{ content: 3 }] } })).toThrow(
      'script.models.m[0].content: expected a string',
    );
    expect(() => parseScript([{ toolCalls: [{ name: 'f' }] }])).toThrow('script[0].toolCalls[0].arguments');
    expect(() => parseScript({ profile: 'anthropic' })).toThrow('script.profile');
    expect(() => parseScript({ faults: { rate: 2 } })).toThrow('script.faults.rate');
    expect(() => parseScript('x')).toThrow(ScriptFileError);
  });
});

describe('loadScript', () => {
  it('reads a JSON file', async () => {
    const path = join(dir, 'script.json');
    writeFileSync(path, JSON.stringify({ default: [{ content: 'from file' }] }));
    expect((await loadScript(path).defaultModel?.reply(ask('x')))?.content).toBe('from file');
  });

  it('throws ScriptFileError for a missing file or bad JSON', () => {
    expect(() => loadScript(join(dir, 'missing.json'))).toThrow(ScriptFileError);
    const path = join(dir, 'bad.json');
    writeFileSync(path, '{ nope');
    expect(() => loadScript(path)).toThrow('is not valid JSON');
  });
});
