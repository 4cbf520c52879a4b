import { ChatloopError, type ChatloopErrorOptions, errorGuard } from '@chatloop/protocol';
import type { BlockedAddressKind } from './network-address.js';

/** Options of a {@link BlockedAddressError}. */
export interface BlockedAddressErrorOptions extends ChatloopErrorOptions {
  /** The refused URL's host: host name or IP literal, with the port when the URL gave one. */
  host: string;
  /** The refused IP address: the literal in the URL, or what the host name resolved to. */
  address: string;
  /** Which special-purpose range the address is in. */
  kind: BlockedAddressKind;
}

const KIND_PHRASES: Readonly<Record<BlockedAddressKind, string>> = {
  loopback: 'a loopback',
  unspecified: 'an unspecified',
  private: 'a private',
  'link-local': 'a link-local',
  'carrier-grade-nat': 'a carrier-grade NAT',
  'unique-local': 'a unique-local',
  multicast: 'a multicast',
  reserved: 'a reserved',
};

/**
 * A safe fetch (see `createSafeFetch`) refused a target: the URL's IP literal, or an address its host name
 * resolved to at connect time, is not a public address (loopback, private, link-local such as the cloud
 * metadata service `169.254.169.254`, ...). Nothing was sent to it. It carries the host and the refused
 * address only: never the URL's path or query, header values or credentials.
 */
export class BlockedAddressError extends ChatloopError {
  /** The refused URL's host (with its port when the URL gave one), as `allowHosts` would name it. */
  readonly host: string;
  /** The refused IP address. */
  readonly address: string;
  /** Which special-purpose range the address is in. */
  readonly kind: BlockedAddressKind;

  constructor(options: BlockedAddressErrorOptions) {
    super(
      'blocked_address',
      `Refused to connect to ${options.host}: ${options.address} is ${KIND_PHRASES[options.kind]} address, ` +
        `not a public one. To allow it, add "${options.host}" to allowHosts, or set allowPrivateNetwork: true ` +
        '(for local development only).',
      options,
    );
    this.host = options.host;
    this.address = options.address;
    this.kind = options.kind;
  }

  /** True for a {@link BlockedAddressError}, whichever copy of the package created it. */
  static override is(value: unknown): value is BlockedAddressError {
    return isBlockedAddressError(value);
  }

  /** The serializable view, with the host, the address and its kind. */
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), host: this.host, address: this.address, kind: this.kind };
  }
}

/** True for a {@link BlockedAddressError}, whichever copy of the package created it. */
export const isBlockedAddressError = errorGuard<BlockedAddressError>('blocked_address');
