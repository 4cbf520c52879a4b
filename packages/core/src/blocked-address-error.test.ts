import { ChatloopError } from '@chatloop/protocol';
import { describe, expect, it } from 'vitest';
import { BlockedAddressError, isBlockedAddressError } from './blocked-address-error.js';
import { QueueFullError } from './limiter-errors.js';

describe('BlockedAddressError', () => {
  const error = new BlockedAddressError({ host: '127.0.0.1:3000', address: '127.0.0.1', kind: 'loopback' });

  it('has a stable code and carries the host, the address and its kind', () => {
    expect(error.code).toBe('blocked_address');
    expect(error.name).toBe('BlockedAddressError');
    expect(error.toJSON()).toEqual({
      name: 'BlockedAddressError',
      code: 'blocked_address',
      message: error.message,
      host: '127.0.0.1:3000',
      address: '127.0.0.1',
      kind: 'loopback',
    });
  });

  it('says what was refused and how to allow it', () => {
    expect(error.message).toContain('127.0.0.1:3000');
    expect(error.message).toContain('loopback');
    expect(error.message).toContain('allowHosts');
    expect(error.message).toContain('allowPrivateNetwork');
  });

  it('is recognised by its guards, also when another copy of the package made it', () => {
    expect(BlockedAddressError.is(error)).toBe(true);
    expect(isBlockedAddressError(error)).toBe(true);
    expect(ChatloopError.is(error)).toBe(true);
    // Another copy's class is a different constructor with the same brand and code.
    const fromOtherCopy = new ChatloopError('blocked_address', 'refused');
    expect(BlockedAddressError.is(fromOtherCopy)).toBe(true);
    expect(BlockedAddressError.is(new QueueFullError('a', 1))).toBe(false);
    expect(BlockedAddressError.is(new Error('refused'))).toBe(false);
    expect(BlockedAddressError.is({ code: 'blocked_address' })).toBe(false);
    expect(BlockedAddressError.is(undefined)).toBe(false);
  });
});
