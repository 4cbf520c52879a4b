import { ChatloopError, errorGuard } from '@chatloop/protocol';

/** A request asks for something its provider cannot do and no rewrite can rescue; it was not sent. */
export class UnsupportedRequestError extends ChatloopError {
  /** The provider preset. */
  readonly provider: string;
  /** The request field at fault. */
  readonly param: string;

  constructor(provider: string, param: string, message: string) {
    super('unsupported_request', message);
    this.provider = provider;
    this.param = param;
  }
}

/** True for an {@link UnsupportedRequestError}. */
export const isUnsupportedRequestError = errorGuard<UnsupportedRequestError>('unsupported_request');
