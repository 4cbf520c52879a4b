/** Where the agent's model lives: the offline testing server, or a real provider from the environment. */
export type ModelConnection =
  | { kind: 'offline'; model: string }
  | { kind: 'provider'; label: string; baseURL: string; apiKey: string; model: string };

/** The model the example uses offline (scripted, but priced like the real one). */
export const OFFLINE_MODEL = 'gpt-4o-mini';

/**
 * Picks the model from the environment: `CHATLOOP_BASE_URL` + `CHATLOOP_API_KEY` (any OpenAI-compatible
 * endpoint), else `OPENAI_API_KEY`, else `DEEPSEEK_API_KEY`, else offline. `CHATLOOP_MODEL` overrides
 * the model id (defaults: `gpt-4o-mini` for OpenAI and custom endpoints, `deepseek-chat` for DeepSeek).
 */
export function modelConnection(env: Readonly<Record<string, string | undefined>>): ModelConnection {
  const model = env.CHATLOOP_MODEL || undefined;
  if (env.CHATLOOP_BASE_URL && env.CHATLOOP_API_KEY) {
    return {
      kind: 'provider',
      label: env.CHATLOOP_BASE_URL,
      baseURL: env.CHATLOOP_BASE_URL,
      apiKey: env.CHATLOOP_API_KEY,
      model: model ?? 'gpt-4o-mini',
    };
  }
  if (env.OPENAI_API_KEY) {
    return {
      kind: 'provider',
      label: 'OpenAI',
      baseURL: 'https://api.openai.com/v1',
      apiKey: env.OPENAI_API_KEY,
      model: model ?? 'gpt-4o-mini',
    };
  }
  if (env.DEEPSEEK_API_KEY) {
    return {
      kind: 'provider',
      label: 'DeepSeek',
      baseURL: 'https://api.deepseek.com/v1',
      apiKey: env.DEEPSEEK_API_KEY,
      model: model ?? 'deepseek-chat',
    };
  }
  return { kind: 'offline', model: model ?? OFFLINE_MODEL };
}
