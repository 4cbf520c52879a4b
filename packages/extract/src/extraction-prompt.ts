import type { ChatMessage } from '@chatloop/protocol';
import type { ExtractionIssue } from './extract-errors.js';
import type { ExtractionMode } from './extraction-mode.js';
import type { ObjectSchema } from './object-schema.js';

/** Defaults of the extraction prompt. */
export const EXTRACTION_PROMPT_DEFAULTS = {
  /** The instructions used when the caller gives none. */
  instructions:
    'Extract the requested information from the input. Use only what the input states; use null where the schema allows it and the input says nothing.',
  /** At most this many issues are listed to the model in a repair message. */
  maxIssuesShown: 20,
} as const;

/**
 * The system message of an extraction: the instructions, and where the mode does not carry the schema
 * on the wire (`json_object`, `text`), the schema itself and how to answer.
 */
export function extractionSystemMessage(
  mode: ExtractionMode,
  schema: ObjectSchema<unknown>,
  instructions: string = EXTRACTION_PROMPT_DEFAULTS.instructions,
): ChatMessage {
  const parts = [instructions];
  if (schema.description) parts.push(`The object to produce: ${schema.description}`);
  if (mode === 'json_object' || mode === 'text') {
    parts.push(
      `Answer with one JSON value that matches this JSON schema:\n${JSON.stringify(schema.jsonSchema)}`,
    );
  }
  if (mode === 'json_object') parts.push('Answer with the JSON object only.');
  if (mode === 'text') parts.push('Write the JSON in a single ```json fenced code block, and nothing else.');
  if (mode === 'tool')
    parts.push(`Answer by calling the function \`${schema.name}\` with the extracted object.`);
  return { role: 'system', content: parts.join('\n\n') };
}

/** The issues as a short list a model can act on. */
export function describeIssues(issues: readonly ExtractionIssue[]): string {
  const shown = issues.slice(0, EXTRACTION_PROMPT_DEFAULTS.maxIssuesShown).map((issue) => {
    const where = issue.path.length > 0 ? `at ${issue.path.join('.')}` : 'at the root';
    return `- ${where}: ${issue.message}`;
  });
  const more = issues.length - shown.length;
  if (more > 0) shown.push(`- and ${more} more`);
  return shown.join('\n');
}

/**
 * The messages that show the model its rejected answer and why, so the next attempt can fix it. In
 * `tool` mode (when the model called the tool) the rejection is the tool's result, which keeps the
 * transcript valid; otherwise it is a user message after the assistant's text.
 */
export function repairMessages(options: {
  rawOutput: string;
  toolCallId?: string;
  toolName: string;
  issues: readonly ExtractionIssue[];
}): ChatMessage[] {
  const feedback = `Your answer was rejected:\n${describeIssues(options.issues)}\nAnswer again with the corrected, complete JSON.`;
  if (options.toolCallId !== undefined) {
    return [
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: options.toolCallId,
            type: 'function',
            function: { name: options.toolName, arguments: options.rawOutput },
          },
        ],
      },
      { role: 'tool', tool_call_id: options.toolCallId, content: feedback },
    ];
  }
  return [
    { role: 'assistant', content: options.rawOutput.length > 0 ? options.rawOutput : '(empty answer)' },
    { role: 'user', content: feedback },
  ];
}
