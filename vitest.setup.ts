import { afterAll } from 'vitest';

// RELIABILITY.md: count unhandled rejections and uncaught exceptions in every suite and fail on any.
const seen: unknown[] = [];
const record = (reason: unknown) => {
  seen.push(reason);
};
process.on('unhandledRejection', record);
process.on('uncaughtException', record);

afterAll(() => {
  process.off('unhandledRejection', record);
  process.off('uncaughtException', record);
  if (seen.length > 0) {
    throw new Error(`${seen.length} unhandled rejection(s)/exception(s) in this file: ${String(seen[0])}`);
  }
});
