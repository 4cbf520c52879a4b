import type { Usage } from '@chatloop/protocol';
import { ChatloopError, errorGuard } from '@chatloop/protocol';

/** One reason a model's output was rejected: a JSON path (empty for the root) and a message. */
export interface ExtractionIssue {
  /** Where the problem is, as object keys and array indexes from the root. */
  path: ReadonlyArray<string | number>;
  /** What is wrong, worded for the model and for people. */
  message: string;
}

/** The longest raw output an error keeps, in characters; longer output is cut with a marker. */
export const MAX_RAW_OUTPUT_CHARS = 4_000;

function clip(text: string): string {
  return text.length <= MAX_RAW_OUTPUT_CHARS
    ? text
    : `${text.slice(0, MAX_RAW_OUTPUT_CHARS)}… [${text.length - MAX_RAW_OUTPUT_CHARS} more characters]`;
}

/**
 * Thrown when the model's output still is not valid JSON, or does not match the schema, after the local
 * repair and every allowed repair retry. Carries the last raw output (clipped to
 * {@link MAX_RAW_OUTPUT_CHARS}), the issues, the attempts made and the usage they billed.
 */
export class ExtractionFailedError extends ChatloopError {
  /** The model's last output, as text (clipped). */
  readonly rawOutput: string;
  /** Why the last output was rejected. */
  readonly issues: readonly ExtractionIssue[];
  /** Model calls made, repair retries included. */
  readonly attempts: number;
  /** Tokens billed over all attempts. */
  readonly usage: Usage;

  constructor(options: { rawOutput: string; issues: ExtractionIssue[]; attempts: number; usage: Usage }) {
    const first = options.issues[0];
    const where = first && first.path.length > 0 ? ` at ${first.path.join('.')}` : '';
    super(
      'extraction_failed',
      `The model's output did not match the schema after ${options.attempts} attempt(s)${
        first ? `: ${first.message}${where}` : ''
      }. Inspect error.issues and error.rawOutput; a clearer schema description or a larger model may help.`,
    );
    this.rawOutput = clip(options.rawOutput);
    this.issues = options.issues;
    this.attempts = options.attempts;
    this.usage = options.usage;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), issues: this.issues, attempts: this.attempts, rawOutput: this.rawOutput };
  }
}

/** Thrown when the model refuses to answer (a `refusal`, or a `content_filter` stop). Not retried. */
export class ExtractionRefusedError extends ChatloopError {
  /** The model's refusal text, or a note that a content filter stopped it. */
  readonly refusal: string;
  /** Model calls made. */
  readonly attempts: number;
  /** Tokens billed over all attempts. */
  readonly usage: Usage;

  constructor(options: { refusal: string; attempts: number; usage: Usage }) {
    super('extraction_refused', `The model refused to extract: ${clip(options.refusal)}`);
    this.refusal = clip(options.refusal);
    this.attempts = options.attempts;
    this.usage = options.usage;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), refusal: this.refusal, attempts: this.attempts };
  }
}

/** Thrown for an input that cannot be turned into messages (unreadable file, unsupported image, bad line). */
export class ExtractInputError extends ChatloopError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('extract_input', message, options);
  }
}

/** Thrown for a schema that cannot be used (not zod, not a JSON schema object, unloadable module). */
export class ExtractSchemaError extends ChatloopError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('extract_schema', message, options);
  }
}

/** True for an {@link ExtractionFailedError} from any copy of the package. */
export const isExtractionFailedError = errorGuard<ExtractionFailedError>('extraction_failed');
/** True for an {@link ExtractionRefusedError} from any copy of the package. */
export const isExtractionRefusedError = errorGuard<ExtractionRefusedError>('extraction_refused');
/** True for an {@link ExtractInputError} from any copy of the package. */
export const isExtractInputError = errorGuard<ExtractInputError>('extract_input');
/** True for an {@link ExtractSchemaError} from any copy of the package. */
export const isExtractSchemaError = errorGuard<ExtractSchemaError>('extract_schema');
