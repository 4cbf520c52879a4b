import { describe, expect, it } from 'vitest';
import { runProviderRouting } from '../src/provider-routing.js';

describe('provider-routing example', () => {
  it('picks the cheaper provider, and falls back when the first one fails', async () => {
    const lines: string[] = [];
    const [cost, fallback] = await runProviderRouting((line) => lines.push(line));
    const answer = "250 EUR is 270.00 USD at today's rate of 1.08.";

    expect(cost).toMatchObject({ strategy: 'cost', endReason: 'stop', text: answer });
    expect(cost!.servedBy).toEqual({ openai: 2, deepseek: 0 });
    expect(cost!.events.filter((event) => event.type === 'route')).toHaveLength(2);

    expect(fallback).toMatchObject({ strategy: 'fallback', endReason: 'stop', text: answer });
    expect(fallback!.servedBy).toEqual({ openai: 2, deepseek: 0 });
    expect(fallback!.events).toContainEqual({
      type: 'fallback',
      from: 'deepseek',
      to: 'openai',
      cause: 'retryable',
      error: expect.anything(),
    });
    expect(lines).toContain('  fallback deepseek -> openai (retryable)');
  });
});
