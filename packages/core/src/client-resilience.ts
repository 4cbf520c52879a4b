import type { ChatCompletionRequest } from '@chatloop/protocol';
import { ChatloopError } from '@chatloop/protocol';
import type { Limiter } from './limiter.js';
import { createLimiterMiddleware, type LimiterPauseEvent } from './limiter-middleware.js';
import { createProviderMiddleware, type RewriteEvent } from './provider-middleware.js';
import type { ProviderOptions, ProviderPreset } from './providers/provider-preset.js';
import { getProviderPreset } from './providers/provider-registry.js';
import { createRetryMiddleware } from './retry-middleware.js';
import type { RetryOptions } from './retry-policy.js';
import type { SendMiddleware } from './send.js';
import type { RetryEvent, Sleep } from './with-retries.js';

/** What the resilience layer tells a client's `onEvent` observer: rewrites, retries, limiter pauses. */
export type ResilienceEvent =
  | RewriteEvent
  | (Omit<RetryEvent, 'error'> & { error: unknown })
  | LimiterPauseEvent;

/** The client options of the resilience layer (part of `ClientOptions`). */
export interface ResilienceOptions {
  /** A provider preset name (`openai`, `azure`, `deepseek`, ...): base URL, auth, request rewrites. */
  provider?: string;
  /** Provider settings, e.g. Azure's `deployment` and `apiVersion`. */
  providerOptions?: ProviderOptions;
  /** Retries after the first attempt. Default 2 (shorthand for `retry.maxRetries`). */
  maxRetries?: number;
  /** Backoff, server-wait cap and overall deadline; see `DEFAULT_RETRY_OPTIONS`. */
  retry?: RetryOptions;
  /** A rate limiter (in-process `createLimiter`, or a shared one); none by default. */
  limiter?: Limiter;
  /** The limiter scope of this client. Default: the provider name and base URL. */
  limiterScope?: string;
  /** The token charge of a request for the limiter. Default `estimateRequestTokens`. */
  estimateTokens?: (request: ChatCompletionRequest) => number;
  /** Observes rewrites, retries and limiter pauses (debug events; never carry the key). */
  onEvent?: (event: ResilienceEvent) => void;
  /** Backoff sleep. Default: a Node timer, cancelled on abort. */
  sleep?: Sleep;
  /** Returns [0, 1) for jitter. Default `Math.random`. */
  random?: () => number;
  /** Wall clock in ms for `retry-after` dates and deadlines. Default `Date.now`. */
  clock?: () => number;
  /** Where the provider's key variable is read when `apiKey` is not given. Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
}

/** Where and how a client with a provider preset connects. */
export interface ResolvedConnection {
  baseURL: string;
  apiKey: string | undefined;
  apiKeyHeader: string | undefined;
  query: Record<string, string> | undefined;
  preset: ProviderPreset | undefined;
}

/**
 * Applies a provider preset to the connection settings: its default base URL, its key variable, its
 * auth header, and Azure's deployment path and `api-version`.
 * @throws ChatloopError (`invalid_options`) for an unknown provider, a missing base URL, or Azure
 *   without a deployment; RangeError never escapes.
 */
export function resolveConnection(options: {
  baseURL?: string | undefined;
  apiKey?: string | undefined;
  provider?: string | undefined;
  providerOptions?: ProviderOptions | undefined;
  env?: Readonly<Record<string, string | undefined>> | undefined;
}): ResolvedConnection {
  let preset: ProviderPreset | undefined;
  if (options.provider !== undefined) {
    try {
      preset = getProviderPreset(options.provider);
    } catch (cause) {
      throw new ChatloopError('invalid_options', (cause as Error).message, { cause });
    }
  }
  const env = options.env ?? process.env;
  const apiKey =
    options.apiKey ?? (preset?.apiKeyEnv === undefined ? undefined : env[preset.apiKeyEnv] || undefined);
  let baseURL = options.baseURL ?? preset?.baseURL;
  if (baseURL === undefined) {
    throw new ChatloopError(
      'invalid_options',
      preset === undefined
        ? 'createClient needs a baseURL (or a provider preset that has one).'
        : `The ${preset.label} preset has no default base URL; pass baseURL (e.g. your resource endpoint).`,
    );
  }
  if (preset?.name !== 'azure') {
    return {
      baseURL,
      apiKey,
      apiKeyHeader: preset?.auth === 'api-key' ? 'api-key' : undefined,
      query: undefined,
      preset,
    };
  }
  const deployment = options.providerOptions?.deployment;
  if (deployment === undefined || deployment === '') {
    throw new ChatloopError(
      'invalid_options',
      'The Azure OpenAI preset needs providerOptions.deployment (the deployment name in the Azure portal).',
    );
  }
  const endpoint = preset.endpoint({ model: deployment, messages: [] }, apiKey, options.providerOptions);
  const [path = '', search = ''] = endpoint.path.split('?');
  baseURL = baseURL.replace(/\/+$/, '') + path.replace(/\/chat\/completions$/, '');
  return {
    baseURL,
    apiKey,
    apiKeyHeader: 'api-key',
    query: Object.fromEntries(new URLSearchParams(search)),
    preset,
  };
}

/**
 * The resilience middlewares of a client, outermost first: provider rewrites (once per call), retries
 * (the one retry layer), and the limiter around each attempt. Empty pieces are left out.
 */
export function resilienceMiddleware(
  options: ResilienceOptions,
  connection: Pick<ResolvedConnection, 'baseURL' | 'preset'>,
): SendMiddleware[] {
  const middleware: SendMiddleware[] = [];
  const onEvent = options.onEvent;
  if (connection.preset !== undefined && connection.preset.name !== 'openai-compatible') {
    middleware.push(createProviderMiddleware(connection.preset, onEvent));
  }
  const retry: RetryOptions = { ...options.retry };
  if (options.maxRetries !== undefined) retry.maxRetries = options.maxRetries;
  middleware.push(
    createRetryMiddleware({
      retry,
      perCall: (request) =>
        request.maxRetries === undefined ? undefined : { maxRetries: request.maxRetries },
      ...(options.clock === undefined ? {} : { now: options.clock }),
      ...(options.sleep === undefined ? {} : { sleep: options.sleep }),
      ...(options.random === undefined ? {} : { random: options.random }),
      ...(onEvent === undefined ? {} : { onRetry: onEvent }),
    }),
  );
  if (options.limiter !== undefined) {
    middleware.push(
      createLimiterMiddleware({
        limiter: options.limiter,
        scope: options.limiterScope ?? `${connection.preset?.name ?? 'custom'}:${connection.baseURL}`,
        ...(options.estimateTokens === undefined ? {} : { estimateTokens: options.estimateTokens }),
        ...(options.clock === undefined ? {} : { now: options.clock }),
        ...(onEvent === undefined ? {} : { onPause: onEvent }),
      }),
    );
  }
  return middleware;
}
