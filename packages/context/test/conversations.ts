import type { ChatMessage, ToolCall } from '@chatloop/protocol';
import fc from 'fast-check';

/** One turn of a generated conversation. */
type Step =
  | { kind: 'user'; text: string; image: boolean }
  | { kind: 'assistant'; text: string }
  | { kind: 'tools'; calls: number; resultSize: number; reasoning: string };

const word = fc.constantFrom(
  'alpha',
  'beta',
  'gamma',
  'delta',
  'tool',
  'result',
  'answer',
  'file',
  'data',
  '数据',
  '😀',
);
const text = fc.array(word, { minLength: 1, maxLength: 40 }).map((words) => words.join(' '));
/** A `data:` URL with the header of a width x height PNG (enough for size sniffing). */
export function pngDataUrl(width: number, height: number): string {
  const bytes = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(bytes, 0);
  bytes.writeUInt32BE(13, 8);
  bytes.write('IHDR', 12, 'latin1');
  bytes.writeUInt32BE(width, 16);
  bytes.writeUInt32BE(height, 20);
  return `data:image/png;base64,${bytes.toString('base64')}`;
}
const PNG_1024 = pngDataUrl(1024, 1024);

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('user' as const), text, image: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('assistant' as const), text }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('tools' as const),
      calls: fc.integer({ min: 1, max: 3 }),
      resultSize: fc.integer({ min: 1, max: 300 }),
      reasoning: text,
    }),
  },
);

/** A generated conversation and the indexes of its pinned messages. */
export interface GeneratedConversation {
  messages: ChatMessage[];
  pinned: Set<ChatMessage>;
}

/**
 * Random valid conversations: a system message, a first user message, then user turns (some with
 * images), assistant answers and tool-call groups (with DeepSeek `reasoning_content`, 1-3 parallel
 * calls, results of varied size), and a few pinned messages; always ending with a user message or a
 * complete tool-call group, as an agent would send.
 */
export const conversation: fc.Arbitrary<GeneratedConversation> = fc
  .record({
    steps: fc.array(step, { minLength: 1, maxLength: 40 }),
    pins: fc.array(fc.nat(), { maxLength: 3 }),
    developer: fc.boolean(),
  })
  .map(({ steps, pins, developer }) => {
    const messages: ChatMessage[] = [{ role: 'system', content: 'You are a test assistant.' }];
    if (developer) messages.push({ role: 'developer', content: 'Answer briefly.' });
    messages.push({ role: 'user', content: 'The task: analyse the data.' });
    let callId = 0;
    for (const s of steps) {
      if (s.kind === 'user') {
        messages.push(
          s.image
            ? {
                role: 'user',
                content: [
                  { type: 'text', text: s.text },
                  { type: 'image_url', image_url: { url: PNG_1024, detail: 'high' } },
                ],
              }
            : { role: 'user', content: s.text },
        );
      } else if (s.kind === 'assistant') {
        messages.push({ role: 'assistant', content: s.text });
      } else {
        const calls: ToolCall[] = Array.from({ length: s.calls }, () => ({
          id: `call_${++callId}`,
          type: 'function' as const,
          function: { name: 'lookup', arguments: `{"n":${callId}}` },
        }));
        messages.push({
          role: 'assistant',
          content: null,
          reasoning_content: s.reasoning,
          tool_calls: calls,
        });
        for (const call of calls) {
          messages.push({ role: 'tool', tool_call_id: call.id, content: 'x'.repeat(s.resultSize) });
        }
      }
    }
    const pinned = new Set<ChatMessage>();
    for (const pin of pins) {
      const message = messages[pin % messages.length]!;
      if (message.role === 'user' || (message.role === 'assistant' && !message.tool_calls))
        pinned.add(message);
    }
    return { messages, pinned };
  });
