// The benchmark's model server, in its own process so its CPU time is not charged to the contenders.
// It serves a 10-step tool loop (9 tool-calling turns, then an answer) and, on request, holds every
// call that reaches a given step until released, so a fixed number of runs can be kept in flight.
import type { ChatCompletionRequest } from '@chatloop/protocol';
import { scriptedModel, startServer } from '@chatloop/testing';
import { STEPS_PER_RUN } from './tool-loop.js';

type Command = { type: 'hold'; atStep: number } | { type: 'release' } | { type: 'close' };

let holdAtStep = -1;
let held: Array<() => void> = [];
const send = (message: unknown) => process.send?.(message);

const toolResults = (request: ChatCompletionRequest) =>
  request.messages.filter((m) => m.role === 'tool').length;

const server = await startServer({
  models: {
    bench: scriptedModel([
      async (request) => {
        const step = toolResults(request);
        if (step === holdAtStep) {
          await new Promise<void>((resolve) => {
            held.push(resolve);
            send({ type: 'held', count: held.length });
          });
        }
        return step < STEPS_PER_RUN - 1
          ? { toolCalls: [{ name: 'lookup', arguments: { n: step } }] }
          : { content: 'All ten steps are done.' };
      },
    ]),
  },
});

process.on('message', (command: Command) => {
  if (command.type === 'hold') holdAtStep = command.atStep;
  if (command.type === 'release') {
    holdAtStep = -1;
    const waiting = held;
    held = [];
    for (const resolve of waiting) resolve();
  }
  if (command.type === 'close') {
    void server.close().then(() => process.disconnect());
  }
});
send({ type: 'ready', url: server.url });
