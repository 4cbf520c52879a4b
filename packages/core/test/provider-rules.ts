import type { AssistantMessage, ChatCompletionRequest } from '@chatloop/protocol';

/**
 * Each provider's documented request rules (see docs/providers.md and PROVIDER-QUIRKS.md), as checks that
 * list what a request violates. Used to prove each preset's rewrites produce an acceptable request.
 */
export function violations(provider: string, request: ChatCompletionRequest): string[] {
  const found: string[] = [];
  const has = (key: string) => request[key] !== undefined;
  const assistants = request.messages.filter((message) => message.role === 'assistant') as AssistantMessage[];
  const deepJson = JSON.stringify(request.tools ?? []);
  const reasoningModel = /^(o\d|gpt-5)/.test(request.model);
  switch (provider) {
    case 'openai':
      if (reasoningModel) {
        if (has('max_tokens')) found.push('max_tokens on a reasoning model');
        if (has('temperature') && request.temperature !== 1) found.push('temperature on a reasoning model');
        for (const key of ['top_p', 'presence_penalty', 'frequency_penalty', 'logprobs', 'top_logprobs']) {
          if (has(key)) found.push(`${key} on a reasoning model`);
        }
      }
      if (assistants.some((message) => 'reasoning_content' in message))
        found.push('reasoning_content sent to OpenAI');
      break;
    case 'azure':
      if (request.messages.some((message) => message.role === 'developer') && !reasoningModel) {
        found.push('developer role on Azure');
      }
      if (has('max_completion_tokens') && !reasoningModel)
        found.push('max_completion_tokens on an older deployment');
      break;
    case 'deepseek': {
      if (['deepseek-chat', 'deepseek-reasoner'].includes(request.model)) found.push('retired alias');
      const thinking = (request.thinking as { type?: string } | undefined)?.type !== 'disabled';
      if (thinking) {
        if (has('logprobs') || has('top_logprobs')) found.push('logprobs in thinking mode');
        for (const message of assistants) {
          if ((message.tool_calls?.length ?? 0) > 0 && typeof message.reasoning_content !== 'string') {
            found.push('tool-calling assistant turn without reasoning_content');
          }
        }
      }
      if (request.response_format?.type === 'json_schema') found.push('json_schema');
      if (request.messages.some((message) => message.role === 'developer')) found.push('developer role');
      if (has('max_completion_tokens')) found.push('max_completion_tokens');
      break;
    }
    case 'mistral':
      if (request.tool_choice === 'required' || typeof request.tool_choice === 'object')
        found.push('tool_choice form');
      if (request.messages.some((message) => 'name' in message)) found.push('name on a message');
      if (request.messages.some((message) => Object.values(message).includes(null))) found.push('null field');
      if (Object.values(request).includes(null)) found.push('null top-level field');
      if (assistants.some((message) => !message.content && (message.tool_calls?.length ?? 0) === 0)) {
        found.push('empty assistant message');
      }
      if (has('seed')) found.push('seed');
      if (has('stream_options')) found.push('stream_options');
      break;
    case 'groq':
      if (assistants.some((message) => message.function_call === null)) found.push('null function_call');
      if (has('logprobs')) found.push('logprobs');
      break;
    case 'vllm':
    case 'llamacpp':
      if (deepJson.includes('additionalProperties')) found.push('additionalProperties in tool schema');
      if (deepJson.includes('"strict"')) found.push('strict in tool schema');
      break;
    default:
      break;
  }
  if (provider !== 'openai' && provider !== 'openai-compatible' && provider !== 'deepseek') {
    if (assistants.some((message) => 'reasoning_content' in message || 'reasoning' in message)) {
      found.push('earlier reasoning sent back');
    }
  }
  if (!['openai', 'openai-compatible', 'azure'].includes(provider)) {
    if (request.messages.some((message) => message.role === 'developer')) found.push('developer role');
    // Groq documents max_completion_tokens (max_tokens is its deprecated spelling).
    if (provider === 'groq' ? has('max_tokens') : has('max_completion_tokens'))
      found.push('output limit field');
  }
  return found;
}

/** A request using every feature the presets rewrite. */
export function kitchenSinkRequest(
  model: string,
  extra: Partial<ChatCompletionRequest> = {},
): ChatCompletionRequest {
  return {
    model,
    messages: [
      { role: 'developer', content: 'Be brief.' },
      { role: 'user', content: 'Weather in Paris?', name: 'ana' },
      {
        role: 'assistant',
        content: null,
        function_call: null,
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '18C' },
      { role: 'assistant', content: 'It is 18C.', reasoning_content: 'The tool said 18C.' },
      { role: 'assistant', content: '' },
      { role: 'user', content: 'And tomorrow?' },
    ],
    tools: [
      {
        type: 'function',
        function: {
          name: 'weather',
          strict: true,
          parameters: {
            type: 'object',
            properties: {
              city: { type: 'object', properties: { name: { type: 'string' } }, additionalProperties: false },
            },
            required: ['city'],
            additionalProperties: false,
          },
        },
      },
    ],
    tool_choice: 'required',
    max_tokens: 256,
    temperature: 0.2,
    top_p: 0.9,
    logprobs: true,
    top_logprobs: 2,
    seed: 7,
    parallel_tool_calls: true,
    user: null as never,
    ...extra,
  };
}
