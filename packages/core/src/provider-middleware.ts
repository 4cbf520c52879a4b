import type { ProviderPreset, RewriteChange } from './providers/provider-preset.js';
import type { SendMiddleware } from './send.js';

/** Says what a provider rewrite changed in a request, and why. */
export interface RewriteEvent {
  type: 'rewrite';
  provider: string;
  model: string;
  changes: RewriteChange[];
}

/**
 * Rewrites each request for `preset` before it is sent (once per call, before retries), reporting every
 * change through `onRewrite`. Requests that need no change pass through untouched.
 * @throws UnsupportedRequestError when the provider cannot serve the request at all.
 */
export function createProviderMiddleware(
  preset: ProviderPreset,
  onRewrite?: (event: RewriteEvent) => void,
): SendMiddleware {
  return (next) => async (request) => {
    const { request: body, changes } = preset.rewrite(request.body);
    if (changes.length === 0) return next(request);
    onRewrite?.({ type: 'rewrite', provider: preset.name, model: body.model, changes });
    return next({ ...request, body });
  };
}
