/** A JSON Schema object node, as the strict-mode rewrite walks it. */
export type SchemaNode = Record<string, unknown>;

/** True for a plain object (a schema node), not an array or a primitive. */
export function isSchemaNode(value: unknown): value is SchemaNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
