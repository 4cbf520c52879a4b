import { ChatloopError } from '@chatloop/protocol';

/** A stand-in for the client's HTTP errors in unit tests: a chatloop error with status and headers. */
export class HttpFailure extends ChatloopError {
  readonly status: number;
  readonly headers: Record<string, string>;
  constructor(status: number, headers: Record<string, string> = {}, code = `http_${status}`) {
    super(code, `HTTP ${status}`);
    this.status = status;
    this.headers = headers;
  }
}

/** A stand-in for a connection error. */
export class ConnectionFailure extends ChatloopError {
  constructor() {
    super('api_connection', 'connection refused');
  }
}
