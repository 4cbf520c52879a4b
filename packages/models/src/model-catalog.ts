import type { ImageTokenRule, ModelCapabilities, ModelInfo } from './model-info.js';

const OPENAI_PRICING = 'https://platform.openai.com/docs/pricing';
const OPENAI_MODELS = 'https://platform.openai.com/docs/models';
const OPENAI_VISION = 'https://platform.openai.com/docs/guides/images-vision#calculating-costs';
const DEEPSEEK_PRICING = 'https://api-docs.deepseek.com/quick_start/pricing';
const MISTRAL_PRICING = 'https://mistral.ai/pricing#api-pricing';
const GROQ_PRICING = 'https://groq.com/pricing';
const CHECKED = '2026-11-25';

const chatModel: ModelCapabilities = {
  tools: true,
  parallelToolCalls: true,
  jsonSchema: true,
  vision: true,
  reasoning: false,
  streaming: true,
};
const reasoningModel: ModelCapabilities = { ...chatModel, reasoning: true };
const textOnly = (capabilities: ModelCapabilities): ModelCapabilities => ({ ...capabilities, vision: false });

const tile = (baseTokens: number, tileTokens: number): ImageTokenRule => ({
  kind: 'tile',
  baseTokens,
  tileTokens,
});
const patch = (multiplier: number): ImageTokenRule => ({ kind: 'patch', multiplier, maxPatches: 1536 });

interface OpenAiRow {
  id: string;
  aliases?: string[];
  contextWindow: number;
  maxOutputTokens: number;
  price: [input: number, cached: number | undefined, output: number];
  capabilities: ModelCapabilities;
  imageTokens?: ImageTokenRule;
  tokenizer?: 'o200k_base' | 'cl100k_base';
  notes?: string;
}

function openai(row: OpenAiRow): ModelInfo {
  const [inputPerMTok, cachedInputPerMTok, outputPerMTok] = row.price;
  return {
    id: row.id,
    provider: 'openai',
    contextWindow: row.contextWindow,
    maxOutputTokens: row.maxOutputTokens,
    pricing:
      cachedInputPerMTok === undefined
        ? { inputPerMTok, outputPerMTok }
        : { inputPerMTok, outputPerMTok, cachedInputPerMTok },
    capabilities: row.capabilities,
    tokenizer: row.tokenizer ?? 'o200k_base',
    ...(row.imageTokens ? { imageTokens: row.imageTokens } : {}),
    aliases: row.aliases ?? [],
    source: `${OPENAI_PRICING} (prices, standard tier); ${OPENAI_MODELS} (window, output); ${OPENAI_VISION} (images)`,
    checkedAt: CHECKED,
    ...(row.notes ? { notes: row.notes } : {}),
  };
}

const GPT5_IMAGES = 'Image rule of gpt-5 (70 + 140 per tile) assumed for later gpt-5.x snapshots.';

/**
 * The built-in model data: OpenAI's 2026 families, DeepSeek v4, Mistral and Groq-hosted models. Each
 * entry names its `source` and the date it was checked. Prices are standard-tier USD per 1M tokens
 * (OpenAI: the short-context rate; DeepSeek: the peak rate, off-peak is half).
 */
export const MODEL_CATALOG: readonly ModelInfo[] = [
  openai({
    id: 'gpt-4o',
    aliases: ['gpt-4o-2024-08-06', 'gpt-4o-2024-11-20'],
    contextWindow: 128_000,
    maxOutputTokens: 16_384,
    price: [2.5, 1.25, 10],
    capabilities: chatModel,
    imageTokens: tile(85, 170),
  }),
  openai({
    id: 'gpt-4o-mini',
    aliases: ['gpt-4o-mini-2024-07-18'],
    contextWindow: 128_000,
    maxOutputTokens: 16_384,
    price: [0.15, 0.075, 0.6],
    capabilities: chatModel,
    imageTokens: tile(2833, 5667),
  }),
  openai({
    id: 'gpt-4.1',
    aliases: ['gpt-4.1-2025-04-14'],
    contextWindow: 1_047_576,
    maxOutputTokens: 32_768,
    price: [2, 0.5, 8],
    capabilities: chatModel,
    imageTokens: tile(85, 170),
  }),
  openai({
    id: 'gpt-4.1-mini',
    aliases: ['gpt-4.1-mini-2025-04-14'],
    contextWindow: 1_047_576,
    maxOutputTokens: 32_768,
    price: [0.4, 0.1, 1.6],
    capabilities: chatModel,
    imageTokens: patch(1.62),
  }),
  openai({
    id: 'gpt-4.1-nano',
    aliases: ['gpt-4.1-nano-2025-04-14'],
    contextWindow: 1_047_576,
    maxOutputTokens: 32_768,
    price: [0.1, 0.025, 0.4],
    capabilities: chatModel,
    imageTokens: patch(2.46),
  }),
  openai({
    id: 'gpt-5',
    aliases: ['gpt-5-2025-08-07'],
    contextWindow: 400_000,
    maxOutputTokens: 128_000,
    price: [1.25, 0.125, 10],
    capabilities: reasoningModel,
    imageTokens: tile(70, 140),
  }),
  openai({
    id: 'gpt-5-mini',
    aliases: ['gpt-5-mini-2025-08-07'],
    contextWindow: 400_000,
    maxOutputTokens: 128_000,
    price: [0.25, 0.025, 2],
    capabilities: reasoningModel,
    imageTokens: patch(1.62),
  }),
  openai({
    id: 'gpt-5-nano',
    aliases: ['gpt-5-nano-2025-08-07'],
    contextWindow: 400_000,
    maxOutputTokens: 128_000,
    price: [0.05, 0.005, 0.4],
    capabilities: reasoningModel,
    imageTokens: patch(2.46),
  }),
  openai({
    id: 'gpt-5-chat-latest',
    contextWindow: 128_000,
    maxOutputTokens: 16_384,
    price: [1.25, 0.125, 10],
    capabilities: chatModel,
    imageTokens: tile(70, 140),
  }),
  openai({
    id: 'gpt-5-pro',
    aliases: ['gpt-5-pro-2025-10-06'],
    contextWindow: 400_000,
    maxOutputTokens: 272_000,
    price: [15, undefined, 120],
    capabilities: { ...reasoningModel, streaming: false },
    imageTokens: tile(70, 140),
  }),
  openai({
    id: 'gpt-5.1',
    aliases: ['gpt-5.1-2025-11-13'],
    contextWindow: 400_000,
    maxOutputTokens: 128_000,
    price: [1.25, 0.125, 10],
    capabilities: reasoningModel,
    imageTokens: tile(70, 140),
    notes: GPT5_IMAGES,
  }),
  openai({
    id: 'gpt-5.2',
    aliases: ['gpt-5.2-2025-12-11'],
    contextWindow: 400_000,
    maxOutputTokens: 128_000,
    price: [1.75, 0.175, 14],
    capabilities: reasoningModel,
    imageTokens: tile(70, 140),
    notes: GPT5_IMAGES,
  }),
  openai({
    id: 'gpt-5.4',
    aliases: ['gpt-5.4-2026-03-05'],
    contextWindow: 1_050_000,
    maxOutputTokens: 128_000,
    price: [2.5, 0.25, 15],
    capabilities: reasoningModel,
    imageTokens: tile(70, 140),
    notes: `Short-context (< 270K) rate. ${GPT5_IMAGES}`,
  }),
  openai({
    id: 'gpt-5.4-mini',
    aliases: ['gpt-5.4-mini-2026-03-17'],
    contextWindow: 400_000,
    maxOutputTokens: 128_000,
    price: [0.75, 0.075, 4.5],
    capabilities: reasoningModel,
    imageTokens: patch(1.62),
    notes: 'Image rule of gpt-5-mini assumed.',
  }),
  openai({
    id: 'gpt-5.4-nano',
    aliases: ['gpt-5.4-nano-2026-03-17'],
    contextWindow: 400_000,
    maxOutputTokens: 128_000,
    price: [0.2, 0.02, 1.25],
    capabilities: reasoningModel,
    imageTokens: patch(2.46),
    notes: 'Image rule of gpt-5-nano assumed.',
  }),
  openai({
    id: 'gpt-5.5',
    aliases: ['gpt-5.5-2026-04-23'],
    contextWindow: 1_050_000,
    maxOutputTokens: 128_000,
    price: [5, 0.5, 30],
    capabilities: reasoningModel,
    imageTokens: tile(70, 140),
    notes: `Short-context (< 270K) rate. ${GPT5_IMAGES}`,
  }),
  openai({
    id: 'gpt-5.5-pro',
    aliases: ['gpt-5.5-pro-2026-04-23'],
    contextWindow: 1_050_000,
    maxOutputTokens: 128_000,
    price: [30, undefined, 180],
    capabilities: { ...reasoningModel, streaming: false },
    imageTokens: tile(70, 140),
  }),
  openai({
    id: 'o1',
    aliases: ['o1-2024-12-17'],
    contextWindow: 200_000,
    maxOutputTokens: 100_000,
    price: [15, 7.5, 60],
    capabilities: reasoningModel,
    imageTokens: tile(75, 150),
  }),
  openai({
    id: 'o3',
    aliases: ['o3-2025-04-16'],
    contextWindow: 200_000,
    maxOutputTokens: 100_000,
    price: [2, 0.5, 8],
    capabilities: reasoningModel,
    imageTokens: tile(75, 150),
  }),
  openai({
    id: 'o3-pro',
    aliases: ['o3-pro-2025-06-10'],
    contextWindow: 200_000,
    maxOutputTokens: 100_000,
    price: [20, undefined, 80],
    capabilities: { ...reasoningModel, streaming: false },
    imageTokens: tile(75, 150),
  }),
  openai({
    id: 'o3-mini',
    aliases: ['o3-mini-2025-01-31'],
    contextWindow: 200_000,
    maxOutputTokens: 100_000,
    price: [1.1, 0.55, 4.4],
    capabilities: textOnly(reasoningModel),
  }),
  openai({
    id: 'o4-mini',
    aliases: ['o4-mini-2025-04-16'],
    contextWindow: 200_000,
    maxOutputTokens: 100_000,
    price: [1.1, 0.275, 4.4],
    capabilities: reasoningModel,
    imageTokens: patch(1.72),
  }),
  openai({
    id: 'gpt-4-turbo',
    aliases: ['gpt-4-turbo-2024-04-09'],
    contextWindow: 128_000,
    maxOutputTokens: 4_096,
    price: [10, undefined, 30],
    capabilities: { ...chatModel, jsonSchema: false },
    imageTokens: tile(85, 170),
    tokenizer: 'cl100k_base',
  }),
  openai({
    id: 'gpt-4',
    aliases: ['gpt-4-0613'],
    contextWindow: 8_192,
    maxOutputTokens: 8_192,
    price: [30, undefined, 60],
    capabilities: textOnly({ ...chatModel, parallelToolCalls: false, jsonSchema: false }),
    tokenizer: 'cl100k_base',
  }),
  openai({
    id: 'gpt-3.5-turbo',
    aliases: ['gpt-3.5-turbo-0125'],
    contextWindow: 16_385,
    maxOutputTokens: 4_096,
    price: [0.5, undefined, 1.5],
    capabilities: textOnly({ ...chatModel, jsonSchema: false }),
    tokenizer: 'cl100k_base',
  }),
  {
    id: 'deepseek-flash',
    provider: 'deepseek',
    contextWindow: 1_048_576,
    maxOutputTokens: 393_216,
    pricing: { inputPerMTok: 0.3, cachedInputPerMTok: 0.006, outputPerMTok: 1.2 },
    capabilities: { ...reasoningModel, jsonSchema: false },
    tokenizer: 'estimate',
    aliases: ['deepseek-v4-flash', 'deepseek-chat', 'deepseek-reasoner'],
    source: DEEPSEEK_PRICING,
    checkedAt: CHECKED,
    notes:
      'Peak-hour prices (off-peak is half). deepseek-v4-flash is the legacy name; deepseek-chat (non-thinking) and ' +
      'deepseek-reasoner (thinking) were the v3 aliases of the same model. Thinking is on by default.',
  },
  {
    id: 'deepseek-v4-pro',
    provider: 'deepseek',
    contextWindow: 1_048_576,
    maxOutputTokens: 393_216,
    pricing: { inputPerMTok: 1.32, cachedInputPerMTok: 0.044, outputPerMTok: 3.96 },
    capabilities: { ...reasoningModel, jsonSchema: false, vision: false },
    tokenizer: 'estimate',
    aliases: [],
    source: DEEPSEEK_PRICING,
    checkedAt: CHECKED,
    notes: 'Peak-hour prices (off-peak is half). Thinking is on by default.',
  },
  {
    id: 'mistral-large-latest',
    provider: 'mistral',
    contextWindow: 262_144,
    maxOutputTokens: 262_144,
    pricing: { inputPerMTok: 0.5, outputPerMTok: 1.5 },
    capabilities: { ...chatModel, jsonSchema: true },
    tokenizer: 'estimate',
    aliases: ['mistral-large-2512'],
    source: MISTRAL_PRICING,
    checkedAt: CHECKED,
  },
  {
    id: 'mistral-medium-latest',
    provider: 'mistral',
    contextWindow: 131_072,
    maxOutputTokens: 131_072,
    pricing: { inputPerMTok: 0.4, outputPerMTok: 2 },
    capabilities: chatModel,
    tokenizer: 'estimate',
    aliases: ['mistral-medium-2508'],
    source: MISTRAL_PRICING,
    checkedAt: CHECKED,
  },
  {
    id: 'mistral-small-latest',
    provider: 'mistral',
    contextWindow: 131_072,
    maxOutputTokens: 131_072,
    pricing: { inputPerMTok: 0.1, outputPerMTok: 0.3 },
    capabilities: chatModel,
    tokenizer: 'estimate',
    aliases: ['mistral-small-2506'],
    source: MISTRAL_PRICING,
    checkedAt: CHECKED,
  },
  {
    id: 'codestral-latest',
    provider: 'mistral',
    contextWindow: 256_000,
    maxOutputTokens: 256_000,
    pricing: { inputPerMTok: 0.3, outputPerMTok: 0.9 },
    capabilities: textOnly(chatModel),
    tokenizer: 'estimate',
    aliases: ['codestral-2508'],
    source: MISTRAL_PRICING,
    checkedAt: CHECKED,
  },
  {
    id: 'llama-3.3-70b-versatile',
    provider: 'groq',
    contextWindow: 131_072,
    maxOutputTokens: 32_768,
    pricing: { inputPerMTok: 0.59, outputPerMTok: 0.79 },
    capabilities: textOnly({ ...chatModel, jsonSchema: false }),
    tokenizer: 'estimate',
    aliases: [],
    source: GROQ_PRICING,
    checkedAt: CHECKED,
  },
  {
    id: 'llama-3.1-8b-instant',
    provider: 'groq',
    contextWindow: 131_072,
    maxOutputTokens: 131_072,
    pricing: { inputPerMTok: 0.05, outputPerMTok: 0.08 },
    capabilities: textOnly({ ...chatModel, jsonSchema: false }),
    tokenizer: 'estimate',
    aliases: [],
    source: GROQ_PRICING,
    checkedAt: CHECKED,
  },
  {
    id: 'openai/gpt-oss-120b',
    provider: 'groq',
    contextWindow: 131_072,
    maxOutputTokens: 65_536,
    pricing: { inputPerMTok: 0.15, cachedInputPerMTok: 0.075, outputPerMTok: 0.6 },
    capabilities: textOnly(reasoningModel),
    tokenizer: 'o200k_base',
    aliases: ['gpt-oss-120b'],
    source: GROQ_PRICING,
    checkedAt: CHECKED,
    notes: 'o200k_base approximates the o200k_harmony encoding; chat framing differs slightly.',
  },
  {
    id: 'openai/gpt-oss-20b',
    provider: 'groq',
    contextWindow: 131_072,
    maxOutputTokens: 65_536,
    pricing: { inputPerMTok: 0.075, cachedInputPerMTok: 0.0375, outputPerMTok: 0.3 },
    capabilities: textOnly(reasoningModel),
    tokenizer: 'o200k_base',
    aliases: ['gpt-oss-20b'],
    source: GROQ_PRICING,
    checkedAt: CHECKED,
    notes: 'o200k_base approximates the o200k_harmony encoding; chat framing differs slightly.',
  },
];
