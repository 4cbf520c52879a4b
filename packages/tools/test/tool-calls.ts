import type { ToolCall } from '@chatloop/protocol';

/** A model's tool call with the given name and arguments (an object is JSON-encoded). */
export function toolCall(id: string, name: string, args: string | object): ToolCall {
  return {
    id,
    type: 'function',
    function: { name, arguments: typeof args === 'string' ? args : JSON.stringify(args) },
  };
}

/** A promise with its resolve function, for tools a test releases by hand. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
