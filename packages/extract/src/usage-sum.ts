import type { Usage } from '@chatloop/protocol';

/** A usage with every count at zero. */
export function emptyUsage(): Usage {
  return { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
}

/**
 * Adds `next` into `total` (mutating and returning `total`): prompt, completion and total tokens, cached
 * prompt tokens and reasoning tokens. A missing `next` adds nothing.
 */
export function addUsage(total: Usage, next: Usage | null | undefined): Usage {
  if (!next) return total;
  total.prompt_tokens += next.prompt_tokens ?? 0;
  total.completion_tokens += next.completion_tokens ?? 0;
  total.total_tokens += next.total_tokens ?? (next.prompt_tokens ?? 0) + (next.completion_tokens ?? 0);
  const cached = next.prompt_tokens_details?.cached_tokens;
  if (cached) {
    total.prompt_tokens_details = {
      ...total.prompt_tokens_details,
      cached_tokens: (total.prompt_tokens_details?.cached_tokens ?? 0) + cached,
    };
  }
  const reasoning = next.completion_tokens_details?.reasoning_tokens;
  if (reasoning) {
    total.completion_tokens_details = {
      ...total.completion_tokens_details,
      reasoning_tokens: (total.completion_tokens_details?.reasoning_tokens ?? 0) + reasoning,
    };
  }
  return total;
}
