import { describe, expect, it } from 'vitest';
import { ChatloopError, errorGuard } from './chatloop-error.js';

class ExampleError extends ChatloopError {
  constructor(message: string, cause?: unknown) {
    super('example', message, { cause });
  }
}

describe('ChatloopError', () => {
  it('carries a stable code, its subclass name and the cause', () => {
    const cause = new Error('socket hang up');
    const error = new ExampleError('request failed', cause);
    expect(error.code).toBe('example');
    expect(error.name).toBe('ExampleError');
    expect(error.cause).toBe(cause);
    expect(error).toBeInstanceOf(Error);
  });

  it('recognises errors from another copy of the package by their brand', () => {
    const foreign = Object.defineProperty(new Error('x'), Symbol.for('chatloop.error'), { value: true });
    Object.assign(foreign, { code: 'example' });
    expect(ChatloopError.is(foreign)).toBe(true);
    expect(ChatloopError.is(new Error('plain'))).toBe(false);
    expect(ChatloopError.is(null)).toBe(false);
    const isExample = errorGuard<ExampleError>('example');
    expect(isExample(foreign)).toBe(true);
    expect(isExample(new ChatloopError('other', 'x'))).toBe(false);
  });

  it('serializes to plain JSON with the cause summarized', () => {
    const error = new ExampleError('outer', new ChatloopError('inner', 'inner failed'));
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: 'ExampleError',
      code: 'example',
      message: 'outer',
      cause: { name: 'ChatloopError', code: 'inner', message: 'inner failed' },
    });
  });
});
