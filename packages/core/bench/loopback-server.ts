// The benchmark's loopback server, run in its own process so it does not share the client's core.
// Answers POST /v1/chat/completions with a fixed completion, or with a 1,000-chunk stream when the
// request asks to stream (`model: "chunked"`: the same stream, one write per event); `model: "hold"`
// requests are held until the parent says `release`.
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const STREAM_CHUNKS = 1_000;

const completion = Buffer.from(
  JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion',
    created: 1_700_000_000,
    model: 'bench-model',
    system_fingerprint: 'fp_bench',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content:
            'The quick brown fox jumps over the lazy dog. A benchmark answer of a typical short length, ' +
            'about the size of a one-paragraph reply from a chat model, with a little more text to pad it out.',
          refusal: null,
        },
        logprobs: null,
        finish_reason: 'stop',
      },
    ],
    usage: {
      prompt_tokens: 42,
      completion_tokens: 48,
      total_tokens: 90,
      prompt_tokens_details: { cached_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0 },
    },
  }),
);

function streamBody(): Buffer {
  const base = {
    id: 'chatcmpl-bench',
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model: 'bench-model',
  };
  let text = `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] })}\n\n`;
  for (let i = 1; i < STREAM_CHUNKS - 1; i++) {
    text += `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: { content: ` token${i}` }, logprobs: null, finish_reason: null }] })}\n\n`;
  }
  text += `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], usage: { prompt_tokens: 42, completion_tokens: 998, total_tokens: 1040 } })}\n\n`;
  text += 'data: [DONE]\n\n';
  return Buffer.from(text);
}

const stream = streamBody();
const streamEvents = stream
  .toString()
  .split('\n\n')
  .filter((event) => event !== '')
  .map((event) => Buffer.from(`${event}\n\n`));
const jsonHeaders = {
  'content-type': 'application/json',
  'content-length': String(completion.length),
  'x-request-id': 'req_bench',
};
const sseHeaders = {
  'content-type': 'text/event-stream',
  'content-length': String(stream.length),
  'x-request-id': 'req_bench',
};
const held: ServerResponse[] = [];
let holdTarget = Number.POSITIVE_INFINITY;

const server = createServer((request, response) => {
  const parts: Buffer[] = [];
  request.on('data', (part: Buffer) => parts.push(part));
  request.on('end', () => {
    const body = Buffer.concat(parts).toString();
    if (body.includes('"hold"')) {
      held.push(response);
      if (held.length >= holdTarget) process.send?.({ held: held.length });
      return;
    }
    if (body.includes('"chunked"')) {
      // One write per event, chunked encoding, as OpenAI and most providers send a stream.
      response.writeHead(200, { 'content-type': 'text/event-stream', 'x-request-id': 'req_bench' });
      for (const event of streamEvents) response.write(event);
      response.end();
      return;
    }
    if (body.includes('"stream":true')) {
      response.writeHead(200, sseHeaders);
      // Sent in 16 KiB writes, as a real server flushes them.
      for (let at = 0; at < stream.length; at += 16_384) response.write(stream.subarray(at, at + 16_384));
      response.end();
      return;
    }
    response.writeHead(200, jsonHeaders);
    response.end(completion);
  });
});
server.keepAliveTimeout = 60_000;
server.maxRequestsPerSocket = 0;

process.on('message', (message: { hold?: number; release?: boolean; exit?: boolean }) => {
  if (message.hold !== undefined) holdTarget = message.hold;
  if (message.release === true) {
    holdTarget = Number.POSITIVE_INFINITY;
    for (const response of held.splice(0)) {
      response.writeHead(200, jsonHeaders);
      response.end(completion);
    }
  }
  if (message.exit === true) {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  }
});

server.listen(0, '127.0.0.1', () => {
  process.send?.({ port: (server.address() as AddressInfo).port });
});
