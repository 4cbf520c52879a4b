import { runVision } from './vision.js';

// `pnpm start`: extraction from three generated PNGs, offline.
const { object, expected } = await runVision((line) => process.stdout.write(`${line}\n`));
process.exitCode = JSON.stringify(object.images) === JSON.stringify(expected) ? 0 : 1;
