import type { FunctionTool, ToolChoice } from '@chatloop/protocol';
import { TOOL_NAME_PATTERN, type Tool } from './define-tool.js';
import { ToolDefinitionError, UnknownToolError } from './tool-errors.js';

/** A `tool_choice` in our terms: a mode, or the name of the one tool the model must call. */
export type ToolChoiceOption = 'auto' | 'none' | 'required' | { name: string };

/** A set of tools by name. Create with {@link createToolRegistry}. */
export interface ToolRegistry {
  /** The tool with this name, or undefined. */
  get(name: string): Tool | undefined;
  /** Whether a tool with this name is registered. */
  has(name: string): boolean;
  /** The tools, in registration order. */
  list(): Tool[];
  /** The names, in registration order. */
  names(): string[];
  /** The request's `tools` array: every tool, or those named (in the order given). */
  definitions(names?: readonly string[]): FunctionTool[];
  /**
   * Adds a tool.
   * @throws ToolDefinitionError when the name is taken or invalid.
   */
  register(tool: Tool): void;
  /** Removes a tool; returns whether it was there. */
  remove(name: string): boolean;
  /**
   * A new registry with only the named tools (for one request).
   * @throws UnknownToolError for a name that is not registered.
   */
  select(names: readonly string[]): ToolRegistry;
  /**
   * The request's `tool_choice` for a mode or one tool's name.
   * @throws UnknownToolError when the named tool is not registered.
   */
  toolChoice(choice: ToolChoiceOption): ToolChoice;
}

/**
 * Creates a registry from tools.
 *
 * @throws ToolDefinitionError for two tools with the same name, or an invalid name.
 */
export function createToolRegistry(tools: Iterable<Tool> = []): ToolRegistry {
  const byName = new Map<string, Tool>();
  const require = (name: string): Tool => {
    const tool = byName.get(name);
    if (!tool) throw new UnknownToolError(name, [...byName.keys()]);
    return tool;
  };
  const registry: ToolRegistry = {
    get: (name) => byName.get(name),
    has: (name) => byName.has(name),
    list: () => [...byName.values()],
    names: () => [...byName.keys()],
    definitions: (names) =>
      names ? names.map((name) => require(name).definition) : registry.list().map((tool) => tool.definition),
    register(tool) {
      if (typeof tool?.name !== 'string' || !TOOL_NAME_PATTERN.test(tool.name)) {
        throw new ToolDefinitionError(
          `Invalid tool name ${JSON.stringify(tool?.name)}: use 1-64 letters, digits, "_" or "-".`,
        );
      }
      if (byName.has(tool.name))
        throw new ToolDefinitionError(`A tool named "${tool.name}" is already registered.`);
      byName.set(tool.name, tool);
    },
    remove: (name) => byName.delete(name),
    select: (names) => createToolRegistry(names.map(require)),
    toolChoice(choice) {
      if (typeof choice === 'string') return choice;
      return { type: 'function', function: { name: require(choice.name).name } };
    },
  };
  for (const tool of tools) registry.register(tool);
  return registry;
}
