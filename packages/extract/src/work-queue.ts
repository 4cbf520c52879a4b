/** One item handed to a batch worker. */
export interface QueuedItem<I> {
  /** The item's stable key (journal and output id). */
  key: string;
  /** The item as given. */
  item: I;
  /** Its position in the input (0-based), for messages. */
  index: number;
}

/**
 * Where batch workers take their next item. The in-process default reads the inputs in order and skips
 * the keys the journal already holds; a shared backend (Redis) can hand items to workers of many
 * processes through the same port.
 */
export interface WorkQueue<I> {
  /** The next item, or `undefined` when there is none left. Never called concurrently with itself. */
  next(): Promise<QueuedItem<I> | undefined>;
}

/** Options of {@link createInputQueue}. */
export interface InputQueueOptions<I> {
  /** The stable key of an item. */
  key: (item: I, index: number) => string;
  /** True for a key to skip (done in an earlier run). */
  skip: (key: string) => boolean;
  /** Called for each skipped item (already done, or a repeat of a key seen in this run). */
  onSkip?: (item: QueuedItem<I>, reason: 'done' | 'duplicate') => void;
}

/**
 * A {@link WorkQueue} over an iterable or async iterable of inputs (read lazily, so a large file is never
 * held in memory): skips done keys and repeats of a key within the run.
 */
export function createInputQueue<I>(
  inputs: Iterable<I> | AsyncIterable<I>,
  options: InputQueueOptions<I>,
): WorkQueue<I> {
  const iterator =
    Symbol.asyncIterator in inputs
      ? (inputs as AsyncIterable<I>)[Symbol.asyncIterator]()
      : (inputs as Iterable<I>)[Symbol.iterator]();
  const seen = new Set<string>();
  let index = 0;
  let finished = false;
  return {
    async next() {
      while (!finished) {
        const step = await iterator.next();
        if (step.done) {
          finished = true;
          return undefined;
        }
        const position = index++;
        const key = options.key(step.value, position);
        const queued = { key, item: step.value, index: position };
        if (seen.has(key)) {
          options.onSkip?.(queued, 'duplicate');
          continue;
        }
        seen.add(key);
        if (options.skip(key)) {
          options.onSkip?.(queued, 'done');
          continue;
        }
        return queued;
      }
      return undefined;
    },
  };
}
