import { describe, expect, it } from 'vitest';
import { errorFromResponse } from './error-from-response.js';
import {
  APIError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  ContextLengthError,
  InsufficientQuotaError,
  InternalServerError,
  isAPIError,
  isBadRequestError,
  isContextLengthError,
  isRateLimitError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  UnprocessableEntityError,
} from './errors.js';

const KEY = 'sk-SENTINEL-abcdef123456';
const json = { 'content-type': 'application/json', 'x-request-id': 'req_9' };

function answer(status: number, body: unknown, headers: Record<string, string> = json) {
  return errorFromResponse({
    status,
    headers,
    bodyText: typeof body === 'string' ? body : JSON.stringify(body),
    secrets: [KEY],
    now: () => Date.parse('2026-01-01T00:00:00Z'),
  });
}

describe('errorFromResponse', () => {
  it.each([
    [400, BadRequestError, 'bad_request'],
    [401, AuthenticationError, 'authentication'],
    [403, PermissionDeniedError, 'permission_denied'],
    [404, NotFoundError, 'not_found'],
    [409, ConflictError, 'conflict'],
    [422, UnprocessableEntityError, 'unprocessable_entity'],
    [429, RateLimitError, 'rate_limit'],
    [500, InternalServerError, 'internal_server'],
    [502, InternalServerError, 'internal_server'],
    [503, InternalServerError, 'internal_server'],
    [504, InternalServerError, 'internal_server'],
    [408, APIError, 'api_error'],
    [413, APIError, 'api_error'],
  ])('maps %i to %o', (status, type, code) => {
    const error = answer(status, {
      error: { message: 'Something failed', type: 'some_type', param: 'messages', code: 'some_code' },
    });
    expect(error).toBeInstanceOf(type);
    expect(error.constructor).toBe(type);
    expect(error.code).toBe(code);
    expect(isAPIError(error)).toBe(true);
    expect(error).toMatchObject({
      status,
      apiCode: 'some_code',
      type: 'some_type',
      param: 'messages',
      requestId: 'req_9',
      attempts: 1,
    });
    expect(error.headers['x-request-id']).toBe('req_9');
    expect(error.message).toMatch(new RegExp(`^${status} .*: Something failed \\(request id req_9\\)$`));
  });

  it('recognises context-length errors by code and by wording', () => {
    expect(answer(400, { error: { message: 'too long', code: 'context_length_exceeded' } })).toBeInstanceOf(
      ContextLengthError,
    );
    const wordings = [
      "This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens.",
      'prompt is too long: 210000 tokens > 200000 maximum',
      'Input is too long for requested model.',
      'Please reduce the length of the messages or completion.',
      'the request exceeds the available context size, try increasing it',
      'The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).',
    ];
    for (const message of wordings) {
      const error = answer(400, { error: { message, type: 'invalid_request_error' } });
      expect(isContextLengthError(error), message).toBe(true);
      expect(isBadRequestError(error)).toBe(true);
      expect(error.code).toBe('context_length_exceeded');
    }
    expect(isContextLengthError(answer(400, { error: { message: 'Invalid value for temperature' } }))).toBe(
      false,
    );
  });

  it('tells insufficient quota from a rate limit', () => {
    const quota = answer(429, {
      error: {
        message: 'You exceeded your current quota',
        type: 'insufficient_quota',
        code: 'insufficient_quota',
      },
    });
    expect(quota).toBeInstanceOf(InsufficientQuotaError);
    expect(isRateLimitError(quota)).toBe(false);
    expect(quota.status).toBe(429);
  });

  it('reads retry-after-ms, retry-after seconds and HTTP dates on a 429', () => {
    const body = { error: { message: 'Rate limit reached', code: 'rate_limit_exceeded' } };
    expect((answer(429, body, { 'retry-after-ms': '250' }) as RateLimitError).retryAfterMs).toBe(250);
    expect((answer(429, body, { 'retry-after': '2' }) as RateLimitError).retryAfterMs).toBe(2000);
    const dated = answer(429, body, { 'retry-after': 'Thu, 01 Jan 2026 00:00:30 GMT' }) as RateLimitError;
    expect(dated.retryAfterMs).toBe(30_000);
    expect((answer(429, body, {}) as RateLimitError).retryAfterMs).toBeUndefined();
    expect(JSON.parse(JSON.stringify(answer(429, body, { 'retry-after': '1' })))).toMatchObject({
      name: 'RateLimitError',
      code: 'rate_limit',
      status: 429,
      retryAfterMs: 1000,
    });
  });

  it('gives a clear message for a non-JSON body (a gateway HTML page)', () => {
    const html = `<html>\n<head><title>502 Bad Gateway</title></head>\n<body>${'x'.repeat(1000)}</body></html>`;
    const error = answer(502, html, { 'content-type': 'text/html' });
    expect(error).toBeInstanceOf(InternalServerError);
    expect(error.message).toMatch(
      /^502 Bad Gateway: the server answered with a non-JSON body \(text\/html\): "<html> <head>/,
    );
    expect(error.message.length).toBeLessThan(300);
    expect(answer(503, '', {}).message).toBe('503 Service Unavailable: the server sent no error body');
    expect(answer(500, '{"error":{"message":"trunc', json).message).toContain('non-JSON body');
  });

  it('reads other JSON error shapes (Ollama, FastAPI)', () => {
    expect(answer(404, { error: 'model "llama9" not found' }).message).toContain('model "llama9" not found');
    expect(answer(422, { detail: 'field required' }).message).toContain('field required');
    expect(answer(400, { foo: 1 }).message).toContain('the error body had no message');
  });

  it('never lets the key through: message, toString, JSON, body', () => {
    const echoed = answer(401, {
      error: { message: `Incorrect API key provided: ${KEY}.`, code: 'invalid_api_key' },
    });
    const plain = answer(500, `upstream said Authorization: Bearer ${KEY}`, { 'content-type': 'text/plain' });
    for (const error of [echoed, plain]) {
      expect(error.message).not.toContain(KEY);
      expect(String(error)).not.toContain(KEY);
      expect(JSON.stringify(error)).not.toContain(KEY);
      expect(JSON.stringify(error.body)).not.toContain(KEY);
      expect(error.stack ?? '').not.toContain(KEY);
    }
    expect(echoed.message).toContain('[redacted]');
  });
});
