import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTool, type Tool } from './define-tool.js';
import { isToolDefinitionError, isUnknownToolError } from './tool-errors.js';
import { createToolRegistry } from './tool-registry.js';

const make = (name: string) =>
  defineTool({ name, description: `the ${name} tool`, parameters: z.object({}), execute: () => name });

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('createToolRegistry', () => {
  it('registers, looks up, lists and removes tools', () => {
    const registry = createToolRegistry([make('a'), make('b')]);
    expect(registry.names()).toEqual(['a', 'b']);
    expect(registry.has('a')).toBe(true);
    expect(registry.get('b')?.name).toBe('b');
    expect(registry.get('zzz')).toBeUndefined();
    registry.register(make('c'));
    expect(registry.list().map((tool) => tool.name)).toEqual(['a', 'b', 'c']);
    expect(registry.remove('b')).toBe(true);
    expect(registry.remove('b')).toBe(false);
    expect(registry.names()).toEqual(['a', 'c']);
  });

  it('rejects duplicate and invalid names', () => {
    expect(isToolDefinitionError(thrown(() => createToolRegistry([make('a'), make('a')])))).toBe(true);
    const bad = { ...make('a'), name: 'not valid!' } as Tool;
    expect(isToolDefinitionError(thrown(() => createToolRegistry([bad])))).toBe(true);
  });

  it('renders the tools array, for all tools or a subset, and selects a per-request registry', () => {
    const registry = createToolRegistry([make('a'), make('b'), make('c')]);
    expect(registry.definitions().map((tool) => tool.function.name)).toEqual(['a', 'b', 'c']);
    expect(registry.definitions(['c', 'a']).map((tool) => tool.function.name)).toEqual(['c', 'a']);
    expect(registry.definitions()[0]).toEqual({
      type: 'function',
      function: { name: 'a', description: 'the a tool', parameters: { type: 'object', properties: {} } },
    });
    const subset = registry.select(['b']);
    expect(subset.names()).toEqual(['b']);
    expect(registry.names()).toEqual(['a', 'b', 'c']);
    expect(isUnknownToolError(thrown(() => registry.select(['nope'])))).toBe(true);
    expect(isUnknownToolError(thrown(() => registry.definitions(['nope'])))).toBe(true);
  });

  it('renders tool_choice', () => {
    const registry = createToolRegistry([make('a')]);
    expect(registry.toolChoice('auto')).toBe('auto');
    expect(registry.toolChoice('required')).toBe('required');
    expect(registry.toolChoice('none')).toBe('none');
    expect(registry.toolChoice({ name: 'a' })).toEqual({ type: 'function', function: { name: 'a' } });
    const error = thrown(() => registry.toolChoice({ name: 'b' }));
    expect(isUnknownToolError(error)).toBe(true);
    expect((error as Error).message).toContain('Available tools: a');
  });
});
