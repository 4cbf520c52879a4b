import { request as httpRequest } from 'node:http';

/** What a raw request saw: status and headers (if any), every body byte, and how it ended. */
export interface RawOutcome {
  status?: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** `end` for a clean end, `error` when the connection broke. */
  ended: 'end' | 'error';
}

/** Options of {@link rawRequest}. */
export interface RawRequestOptions {
  headers?: Record<string, string>;
  /** Called with each body piece; may abort the request. */
  onData?: (piece: Buffer, abort: () => void) => void;
  /** Called once the headers arrived. */
  onResponse?: (abort: () => void) => void;
}

/** POSTs JSON to `${url}/chat/completions` with node:http, observing bytes exactly as they come. */
export function rawRequest(url: string, body: unknown, options: RawRequestOptions = {}): Promise<RawOutcome> {
  return new Promise((resolve) => {
    const pieces: Buffer[] = [];
    const outcome: RawOutcome = { headers: {}, body: Buffer.alloc(0), ended: 'end' };
    let settled = false;
    const finish = (ended: RawOutcome['ended']) => {
      if (settled) return;
      settled = true;
      outcome.ended = ended;
      outcome.body = Buffer.concat(pieces);
      resolve(outcome);
    };
    const req = httpRequest(
      `${url}/chat/completions`,
      { method: 'POST', agent: false, headers: { 'content-type': 'application/json', ...options.headers } },
      (res) => {
        outcome.status = res.statusCode;
        outcome.headers = res.headers;
        const abort = () => req.destroy();
        options.onResponse?.(abort);
        res.on('data', (piece: Buffer) => {
          pieces.push(piece);
          options.onData?.(piece, abort);
        });
        res.on('end', () => finish('end'));
        res.on('error', () => finish('error'));
        res.on('aborted', () => finish('error'));
        res.on('close', () => finish(res.complete ? 'end' : 'error'));
      },
    );
    req.on('error', () => finish('error'));
    req.end(JSON.stringify(body));
  });
}
