import type { ChatMessage, ToolMessage } from '@chatloop/protocol';
import { describe, expect, it } from 'vitest';
import { prepareContext } from './context-manager.js';
import { elideToolResults } from './elide-tool-results.js';

const group = (id: string, name: string, result: string): ChatMessage[] => [
  {
    role: 'assistant',
    content: null,
    tool_calls: [{ id, type: 'function', function: { name, arguments: '{}' } }],
  },
  { role: 'tool', tool_call_id: id, content: result },
];
const big = (label: string) => `${label} line 1\nline 2\nline 3\nline 4\n${'x'.repeat(5000)}`;

describe('elideToolResults', () => {
  it('replaces old large results with a stub and keeps the newest groups verbatim', async () => {
    const messages: ChatMessage[] = [
      { role: 'user', content: 'go' },
      ...group('1', 'read_file', big('first')),
      ...group('2', 'list_dir', 'small'),
      ...group('3', 'read_file', big('third')),
      ...group('4', 'read_file', big('fourth')),
    ];
    const { messages: output, events } = await prepareContext(elideToolResults(), messages, {
      model: 'gpt-4o',
    });
    const stub = output[2] as ToolMessage;
    expect(stub.tool_call_id).toBe('1');
    expect(stub.content).toContain('read_file');
    expect(stub.content).toContain(`${big('first').length} characters`);
    expect(stub.content).toContain('first line 1\nline 2\nline 3');
    expect(stub.content).not.toContain('line 4');
    expect(output[4]).toBe(messages[4]);
    expect(output.slice(5)).toEqual(messages.slice(5));
    expect(messages[2]).toMatchObject({ content: big('first') });
    expect(events).toEqual([
      expect.objectContaining({ type: 'elided', message: messages[2], replacement: stub }),
    ]);
    expect(events[0]?.type === 'elided' && events[0].savedTokens).toBeGreaterThan(500);
  });

  it('reuses the same stub object from turn to turn (counts stay cached)', async () => {
    const manager = elideToolResults({ keepRecentGroups: 1 });
    const messages: ChatMessage[] = [
      { role: 'user', content: 'go' },
      ...group('1', 'f', big('a')),
      ...group('2', 'f', 'ok'),
    ];
    const first = await manager.prepare(messages, { model: 'gpt-4o' });
    const second = await manager.prepare([...messages, { role: 'user', content: 'more' }], {
      model: 'gpt-4o',
    });
    expect(second[2]).toBe(first[2]);
  });

  it('leaves the history as it is when nothing is old or large enough', async () => {
    const messages: ChatMessage[] = [{ role: 'user', content: 'go' }, ...group('1', 'f', big('a'))];
    expect(await elideToolResults().prepare(messages, { model: 'gpt-4o' })).toEqual(messages);
  });

  it('elides each result once as the history grows, and starts over on a different history', async () => {
    const manager = elideToolResults({ keepRecentGroups: 1 });
    const history: ChatMessage[] = [{ role: 'user', content: 'go' }];
    let elided = 0;
    const ctx = { model: 'gpt-4o', onEvent: () => (elided += 1) };
    for (let i = 0; i < 10; i++) {
      history.push(...group(`${i}`, 'read_file', big(`r${i}`)));
      const output = await manager.prepare(history, ctx);
      expect(
        output.filter((m) => m.role === 'tool' && String(m.content).startsWith('[tool result elided')),
      ).toHaveLength(i);
    }
    expect(elided).toBe(9);
    const other: ChatMessage[] = [
      { role: 'user', content: 'other' },
      ...group('x', 'f', big('x')),
      ...group('y', 'f', 'ok'),
    ];
    expect((await manager.prepare(other, ctx))[2]).toMatchObject({
      content: expect.stringContaining('elided'),
    });
  });
});
