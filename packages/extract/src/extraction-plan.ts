import { getModel } from '@chatloop/models';
import type { ChatCompletionRequest, Usage } from '@chatloop/protocol';
import type { ExtractClient } from './extract-client.js';
import { clientProviderName } from './extract-client.js';
import type { ExtractionIssue } from './extract-errors.js';
import { type ExtractInput, type InputMessageOptions, toInputMessages } from './extract-input.js';
import {
  type ExtractionModeOption,
  type ModeCapabilities,
  type ModeOutput,
  modeRequestFields,
  type ResolvedMode,
  resolveMode,
} from './extraction-mode.js';
import { extractionSystemMessage } from './extraction-prompt.js';
import { type ObjectSchema, type SchemaInput, toObjectSchema } from './object-schema.js';
import { parseModelJson } from './parse-model-json.js';

/** Defaults of `extract` and `extractStream`. */
export const EXTRACT_DEFAULTS = {
  /** The extraction mode. */
  mode: 'auto',
  /** Model calls after the first that show the model its parse or validation errors. */
  maxRepairRetries: 2,
} as const;

/** Options of `extract`, `extractStream` and each item of `extractMany`. */
export interface ExtractOptions<T> extends InputMessageOptions {
  /** The client that sends the requests (a `@chatloop/core` client, or anything with `chat`/`stream`). */
  client: ExtractClient;
  /** The model id. */
  model: string;
  /** What to produce: a zod schema (typed result), a JSON schema, or an `ObjectSchema`. */
  schema: SchemaInput<T>;
  /** What to extract from. */
  input: ExtractInput;
  /** Instructions for the model (the system message). Default: a generic extraction instruction. */
  instructions?: string;
  /** How to ask for JSON. Default `auto` (the best the provider supports). */
  mode?: ExtractionModeOption;
  /** The provider preset name, for `auto` (default: the client's `provider`, if it has one). */
  provider?: string;
  /** What the endpoint supports, for `auto`; default from the provider's row of the capability table. */
  capabilities?: ModeCapabilities;
  /** The schema's name on the wire. Default `extraction`. */
  schemaName?: string;
  /** What the object is, for the model. */
  schemaDescription?: string;
  /** Repair retries after the first call. Default 2 (so at most 3 model calls). */
  maxRepairRetries?: number;
  /** Extra request fields (temperature, max_completion_tokens, seed, ...). */
  request?: Partial<ChatCompletionRequest>;
  /** Aborts the extraction (the current model call included). */
  signal?: AbortSignal;
  /** Called with each model call's usage as it arrives, so billed attempts are counted even when a later one throws. */
  onUsage?: (usage: Usage) => void;
}

/** Everything one extraction needs before its first call. */
export interface ExtractionPlan<T> {
  schema: ObjectSchema<T>;
  mode: ResolvedMode;
  /** The first call's request (repair retries append to its `messages`). */
  request: ChatCompletionRequest;
  /** Model calls allowed in all. */
  maxAttempts: number;
}

/**
 * Builds the plan of one extraction: schema, mode, request fields and the first messages. Sends nothing
 * (the client is read only for its provider name), so a dry run can plan and count every request.
 */
export async function planExtraction<T>(
  options: Omit<ExtractOptions<T>, 'client'> & { client?: ExtractClient },
  streaming: boolean,
): Promise<ExtractionPlan<T>> {
  const schema = toObjectSchema(options.schema, {
    ...(options.schemaName === undefined ? {} : { name: options.schemaName }),
    ...(options.schemaDescription === undefined ? {} : { description: options.schemaDescription }),
  });
  const provider = options.provider ?? (options.client ? clientProviderName(options.client) : undefined);
  const modelCapabilities = getModel(options.model)?.capabilities;
  const mode = resolveMode({
    mode: options.mode ?? EXTRACT_DEFAULTS.mode,
    ...(provider === undefined ? {} : { provider }),
    ...(options.capabilities === undefined ? {} : { capabilities: options.capabilities }),
    ...(modelCapabilities === undefined
      ? {}
      : {
          modelCapabilities: {
            jsonSchema: modelCapabilities.jsonSchema,
            tools: modelCapabilities.tools,
            jsonObject: true,
          },
        }),
    streaming,
  });
  const inputMessages = await toInputMessages(options.input, options);
  return {
    schema,
    mode,
    request: {
      ...options.request,
      ...modeRequestFields(mode.mode, schema),
      model: options.model,
      messages: [extractionSystemMessage(mode.mode, schema, options.instructions), ...inputMessages],
    },
    maxAttempts: 1 + Math.max(0, options.maxRepairRetries ?? EXTRACT_DEFAULTS.maxRepairRetries),
  };
}

/** The verdict on one attempt's output. */
export type OutputVerdict<T> =
  | { ok: true; value: T; repaired: boolean }
  | { ok: false; issues: ExtractionIssue[] };

/** Parses (with local repair) and validates one attempt's output text. */
export function judgeOutput<T>(
  schema: ObjectSchema<T>,
  output: Extract<ModeOutput, { kind: 'output' }>,
  finishReason: string | null,
): OutputVerdict<T> {
  const parsed = parseModelJson(output.text);
  const cut =
    finishReason === 'length'
      ? [{ path: [], message: 'The answer was cut off at the output token limit; answer more briefly.' }]
      : [];
  if (!parsed.ok) return { ok: false, issues: [{ path: [], message: parsed.message }, ...cut] };
  const verdict = schema.validate(parsed.value);
  if (verdict.ok) return { ok: true, value: verdict.value, repaired: parsed.repaired };
  return { ok: false, issues: [...verdict.issues, ...cut] };
}

/** What every extraction reports besides its object. */
export interface ExtractionReport {
  /** The mode used, and why `auto` picked it. */
  mode: ResolvedMode;
  /** Model calls made (1 + repair retries used). */
  attempts: number;
  /** Tokens billed over all attempts. */
  usage: Usage;
  /** True when the accepted output needed a local JSON repair. */
  repaired: boolean;
  /** The accepted output, as the model wrote it. */
  rawOutput: string;
}
