import type { FunctionTool } from '@chatloop/protocol';
import type { EncodingName } from './tokenizer.js';

/**
 * Token constants of OpenAI's tool-definition accounting, from the OpenAI Cookbook "How to count tokens
 * with tiktoken" (section 7, `num_tokens_for_tools`), which reproduces the API's `prompt_tokens`.
 */
export const TOOL_TOKEN_OVERHEAD = {
  o200k_base: { functionStart: 7, propertiesStart: 3, property: 3, enumStart: -3, enumItem: 3, end: 12 },
  cl100k_base: { functionStart: 10, propertiesStart: 3, property: 3, enumStart: -3, enumItem: 3, end: 12 },
} as const;

const withoutTrailingDot = (text: string): string => (text.endsWith('.') ? text.slice(0, -1) : text);

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/**
 * The prompt tokens that `tools` add to a request, by the OpenAI Cookbook's rule: per function, its
 * `name:description` line; per parameter, a `name:type:description` line and enum values. Nested object
 * and array schemas, which the published rule does not cover, add the tokens of their JSON text.
 */
export function countToolTokens(
  tools: readonly FunctionTool[],
  encoding: EncodingName,
  count: (text: string) => number,
): number {
  if (tools.length === 0) return 0;
  const overhead = TOOL_TOKEN_OVERHEAD[encoding];
  let tokens = 0;
  for (const tool of tools) {
    const fn = tool.function;
    tokens += overhead.functionStart;
    tokens += count(`${fn.name}:${withoutTrailingDot(fn.description ?? '')}`);
    const properties = asRecord(asRecord(fn.parameters)?.properties);
    if (!properties || Object.keys(properties).length === 0) continue;
    tokens += overhead.propertiesStart;
    for (const [key, schemaValue] of Object.entries(properties)) {
      const schema = asRecord(schemaValue) ?? {};
      tokens += overhead.property;
      const enumValues = schema.enum;
      if (Array.isArray(enumValues)) {
        tokens += overhead.enumStart;
        for (const item of enumValues) tokens += overhead.enumItem + count(String(item));
      }
      const type = Array.isArray(schema.type) ? schema.type.join('|') : String(schema.type ?? 'object');
      const description =
        typeof schema.description === 'string' ? withoutTrailingDot(schema.description) : '';
      tokens += count(`${key}:${type}:${description}`);
      const nested = schema.properties ?? schema.items ?? schema.anyOf ?? schema.oneOf;
      if (nested !== undefined) tokens += count(JSON.stringify(nested));
    }
  }
  return tokens + overhead.end;
}
