import { ChatloopError } from '@chatloop/protocol';

/**
 * A run failed on something that is not a chatloop error (a hook or a context manager threw): the
 * original is kept as `cause`.
 */
export class AgentRunError extends ChatloopError {
  constructor(cause: unknown) {
    super(
      'agent_run_failed',
      `The agent run failed: ${cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)}`,
      { cause },
    );
  }
}
