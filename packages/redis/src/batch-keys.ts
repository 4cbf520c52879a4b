import { REDIS_CONNECTION_DEFAULTS } from './redis-connection.js';

/** The Redis keys of one shared extraction batch (one hash tag, so a cluster keeps them on one slot). */
export interface BatchKeys {
  /** List: every journal record, in the order appended (failed attempts included, for usage). */
  records: string;
  /** Hash: item id -> its first successful record (written with HSETNX: one result per item). */
  results: string;
  /** Hash: item id -> its last failure, while it has no result. */
  failures: string;
  /** Hash: item id -> its input index (for output in input order). */
  order: string;
  /** The claim key of one item: `SET NX PX` by the process working on it. */
  claim(id: string): string;
}

/** The keys of batch `batchId` under `keyPrefix` (default `chatloop:`). */
export function batchKeys(
  batchId: string,
  keyPrefix: string = REDIS_CONNECTION_DEFAULTS.keyPrefix,
): BatchKeys {
  const base = `${keyPrefix}batch:{${batchId}}:`;
  return {
    records: `${base}records`,
    results: `${base}results`,
    failures: `${base}failures`,
    order: `${base}order`,
    claim: (id) => `${base}claim:${id}`,
  };
}
