import { ChatloopError, errorGuard } from '@chatloop/protocol';

/** Thrown when even the messages that must be kept do not fit the budget. */
export class ContextOverflowError extends ChatloopError {
  /** Tokens the kept messages need. */
  readonly requiredTokens: number;
  /** Tokens available for messages. */
  readonly availableTokens: number;

  constructor(requiredTokens: number, availableTokens: number) {
    super(
      'context_overflow',
      `The messages that must be kept (system, developer, pinned, first and last user messages, the latest ` +
        `tool-call group) need ${requiredTokens} tokens but only ${availableTokens} are available. ` +
        'Unpin messages, elide large tool results, lower maxOutputTokens or use a model with a larger window.',
    );
    this.requiredTokens = requiredTokens;
    this.availableTokens = availableTokens;
  }
}

/** True for a {@link ContextOverflowError} from any copy of the package. */
export const isContextOverflowError = errorGuard<ContextOverflowError>('context_overflow');
