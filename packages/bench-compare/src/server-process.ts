// The benchmark's model server: @chatloop/testing's startServer with the bench models, run in its own
// process (forked by the bench over IPC) so its CPU time is not charged to the contenders.
import { startServer } from '@chatloop/testing';
import { benchModels, type HoldControl } from './bench-models.js';

/** Messages from the parent. */
export type ServerCommand =
  | { type: 'hold'; loopStep: number }
  | { type: 'release' }
  | { type: 'trim' }
  | { type: 'close' };

/** Messages to the parent. */
export type ServerReport = { type: 'ready'; url: string } | { type: 'held'; count: number };

const send = (report: ServerReport) => process.send?.(report);
let waiting: Array<() => void> = [];
const control: HoldControl = {
  hold: undefined,
  onHeld(release) {
    waiting.push(release);
    send({ type: 'held', count: waiting.length });
  },
};

const server = await startServer({ models: benchModels(control) });

process.on('message', (command: ServerCommand) => {
  if (command.type === 'hold') control.hold = { loopStep: command.loopStep };
  if (command.type === 'release') {
    control.hold = undefined;
    const released = waiting;
    waiting = [];
    for (const release of released) release();
  }
  // The server records every request; the bench sends tens of thousands, so it drops them between slices.
  if (command.type === 'trim') server.requests.length = 0;
  if (command.type === 'close') void server.close().then(() => process.disconnect());
});
send({ type: 'ready', url: server.url });
