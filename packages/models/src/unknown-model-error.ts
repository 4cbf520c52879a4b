import { ChatloopError, errorGuard } from '@chatloop/protocol';

/** Thrown when a price or window is needed for a model the registry does not know. */
export class UnknownModelError extends ChatloopError {
  /** The model id that was looked up. */
  readonly model: string;

  constructor(model: string) {
    super(
      'unknown_model',
      `Model "${model}" is not in the model registry, so its price and window are unknown. ` +
        'Register it with registerModel({ id, contextWindow, maxOutputTokens, pricing, ... }).',
    );
    this.model = model;
  }
}

/** True for an {@link UnknownModelError} from any copy of the package. */
export const isUnknownModelError = errorGuard<UnknownModelError>('unknown_model');
