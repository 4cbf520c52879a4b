import { describe, expect, it } from 'vitest';
import { MODEL_CATALOG } from './model-catalog.js';
import type { ModelInfo } from './model-info.js';
import { createModelRegistry, getModel, registerModel } from './model-registry.js';

const custom: ModelInfo = {
  id: 'acme-1',
  provider: 'acme',
  contextWindow: 32_000,
  maxOutputTokens: 4_000,
  pricing: { inputPerMTok: 1, outputPerMTok: 2 },
  capabilities: {
    tools: true,
    parallelToolCalls: false,
    jsonSchema: false,
    vision: false,
    reasoning: false,
    streaming: true,
  },
  aliases: ['acme-latest'],
};

describe('model registry', () => {
  it('has the 2026 OpenAI and DeepSeek families', () => {
    for (const id of [
      'gpt-4o',
      'gpt-4o-mini',
      'gpt-4.1',
      'gpt-4.1-mini',
      'gpt-4.1-nano',
      'gpt-5',
      'gpt-5-mini',
      'gpt-5-nano',
      'o3',
      'o4-mini',
      'deepseek-v4-pro',
      'deepseek-v4-flash',
      'deepseek-chat',
      'deepseek-reasoner',
    ]) {
      expect(getModel(id), id).toBeDefined();
    }
    expect(getModel('gpt-4o')).toMatchObject({
      provider: 'openai',
      contextWindow: 128_000,
      maxOutputTokens: 16_384,
      pricing: { inputPerMTok: 2.5, cachedInputPerMTok: 1.25, outputPerMTok: 10 },
    });
    expect(getModel('deepseek-chat')?.id).toBe('deepseek-flash');
  });

  it('gives every entry a source, a check date, a window, an output limit and a price', () => {
    for (const info of MODEL_CATALOG) {
      expect(info.source, info.id).toMatch(/^https:\/\//);
      expect(info.checkedAt, info.id).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(info.contextWindow, info.id).toBeGreaterThan(0);
      expect(info.maxOutputTokens, info.id).toBeGreaterThan(0);
      expect(info.maxOutputTokens, info.id).toBeLessThanOrEqual(info.contextWindow);
      expect(info.pricing?.inputPerMTok, info.id).toBeGreaterThan(0);
      expect(info.pricing?.outputPerMTok, info.id).toBeGreaterThan(0);
      if (info.provider === 'openai' && info.capabilities.vision)
        expect(info.imageTokens, info.id).toBeDefined();
    }
  });

  it('resolves aliases, dated snapshots, provider prefixes and case', () => {
    const registry = createModelRegistry();
    expect(registry.get('gpt-4o-2024-08-06')?.id).toBe('gpt-4o');
    expect(registry.get('gpt-4.1-2025-04-14')?.id).toBe('gpt-4.1');
    expect(registry.get('gpt-5-2026-09-30')?.id).toBe('gpt-5');
    expect(registry.get('gpt-4-0613')?.id).toBe('gpt-4');
    expect(registry.get('gpt-4-0125')?.id).toBe('gpt-4');
    expect(registry.get('o3-20250416')?.id).toBe('o3');
    expect(registry.get('openai/gpt-4o')?.id).toBe('gpt-4o');
    expect(registry.get('deepseek/deepseek-v4-pro')?.id).toBe('deepseek-v4-pro');
    expect(registry.get('openai/gpt-oss-120b')?.provider).toBe('groq');
    expect(registry.get('GPT-4o')?.id).toBe('gpt-4o');
  });

  it('keeps unknown models unknown instead of guessing from a prefix', () => {
    const registry = createModelRegistry();
    expect(registry.get('gpt-4o-mini-search-preview')).toBeUndefined();
    expect(registry.get('gpt-6')).toBeUndefined();
    expect(registry.get('my-finetune')).toBeUndefined();
    expect(registry.get('ft:gpt-4o-mini:acme::abc')).toBeUndefined();
    // The tokenizer, unlike the price, is safe to infer from the family.
    expect(registry.tokenizerFor('gpt-4o-mini-search-preview')).toBe('o200k_base');
    expect(registry.tokenizerFor('gpt-4-32k')).toBe('cl100k_base');
    expect(registry.tokenizerFor('llama-4-scout')).toBe('estimate');
  });

  it('registers new models and overrides existing ones, aliases included', () => {
    const registry = createModelRegistry();
    registry.register(custom);
    expect(registry.get('acme-latest')).toBe(custom);
    registry.register({ ...custom, aliases: ['acme-v2'], contextWindow: 64_000 });
    expect(registry.get('acme-1')?.contextWindow).toBe(64_000);
    expect(registry.get('acme-latest')).toBeUndefined();
    expect(registry.get('acme-v2')?.contextWindow).toBe(64_000);
    registry.register({ ...registry.get('gpt-4o')!, pricing: { inputPerMTok: 1, outputPerMTok: 1 } });
    expect(registry.get('gpt-4o-2024-11-20')?.pricing?.inputPerMTok).toBe(1);
    expect(registry.list().filter((info) => info.id === 'gpt-4o')).toHaveLength(1);
  });

  it('registerModel changes the default registry', () => {
    registerModel({ ...custom, id: 'acme-default-test', aliases: [] });
    expect(getModel('acme-default-test')?.provider).toBe('acme');
  });

  it('starts empty when asked', () => {
    expect(createModelRegistry({ models: [] }).list()).toEqual([]);
  });
});
