import type { ChatMessage } from '@chatloop/protocol';
import { describe, expect, it } from 'vitest';
import { repairTranscript, splitUnits } from './transcript-units.js';

const call = (id: string) => ({ id, type: 'function' as const, function: { name: 'f', arguments: '{}' } });

describe('splitUnits', () => {
  it('groups an assistant tool_calls message with all its results', () => {
    const messages: ChatMessage[] = [
      { role: 'system', content: 's' },
      { role: 'user', content: 'u' },
      { role: 'assistant', content: null, tool_calls: [call('a'), call('b')] },
      { role: 'tool', tool_call_id: 'b', content: 'rb' },
      { role: 'tool', tool_call_id: 'a', content: 'ra' },
      { role: 'assistant', content: 'done' },
    ];
    expect(splitUnits(messages)).toEqual([
      { start: 0, end: 1, kind: 'system' },
      { start: 1, end: 2, kind: 'message' },
      { start: 2, end: 5, kind: 'group' },
      { start: 5, end: 6, kind: 'message' },
    ]);
  });

  it('marks orphan tool messages and groups missing results as invalid, and repair removes them', () => {
    const messages: ChatMessage[] = [
      { role: 'tool', tool_call_id: 'x', content: 'orphan' },
      { role: 'user', content: 'u' },
      { role: 'assistant', content: null, tool_calls: [call('a'), call('b')] },
      { role: 'tool', tool_call_id: 'a', content: 'ra' },
      { role: 'user', content: 'next' },
    ];
    expect(splitUnits(messages).map((unit) => unit.kind)).toEqual([
      'invalid',
      'message',
      'invalid',
      'message',
    ]);
    expect(repairTranscript(messages)).toEqual([messages[1], messages[4]]);
    const valid = [messages[1]!];
    expect(repairTranscript(valid)).toBe(valid);
  });
});
