import { isSchemaNode as isNode, type SchemaNode as Node } from './schema-node.js';
import type { StrictJsonSchema } from './strict-json-schema.js';

/**
 * Removes the `null`s that strict mode made the model send for optional properties, so the original
 * schema (where the field is optional, not nullable) validates them as absent. Mutates and returns
 * `value`; properties that were nullable in the original schema keep their `null`.
 */
export function stripAddedNulls(value: unknown, strict: StrictJsonSchema): unknown {
  const root = strict.schema as Node;
  const defs = isNode(root.$defs) ? root.$defs : {};
  const walk = (data: unknown, node: unknown, depth: number): void => {
    if (depth > 256 || !isNode(node) || typeof data !== 'object' || data === null) return;
    if (typeof node.$ref === 'string') {
      walk(data, node.$ref === '#' ? root : defs[node.$ref.slice('#/$defs/'.length)], depth + 1);
      return;
    }
    if (Array.isArray(node.anyOf)) {
      const fitting = node.anyOf.find((variant) => fits(data, variant, root, defs));
      walk(data, fitting, depth + 1);
      return;
    }
    if (Array.isArray(data)) {
      for (const item of data) walk(item, node.items, depth + 1);
      return;
    }
    const properties = isNode(node.properties) ? node.properties : {};
    const nulled = strict.addedNulls.get(node);
    const record = data as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (record[key] === null && nulled?.has(key)) delete record[key];
      else walk(record[key], properties[key], depth + 1);
    }
  };
  walk(value, root, 0);
  return value;
}

function fits(data: object, variant: unknown, root: Node, defs: Node): boolean {
  let node = variant;
  for (let hops = 0; isNode(node) && typeof node.$ref === 'string' && hops < 8; hops++) {
    node = node.$ref === '#' ? root : defs[node.$ref.slice('#/$defs/'.length)];
  }
  if (!isNode(node)) return false;
  const types = Array.isArray(node.type) ? node.type : [node.type];
  if (Array.isArray(data)) return types.includes('array');
  if (!types.includes('object') || !isNode(node.properties)) return false;
  const properties = node.properties;
  const record = data as Record<string, unknown>;
  // A variant fits when it knows every key and every const/enum discriminator matches.
  return Object.keys(record).every((key) => {
    const property = properties[key];
    if (!isNode(property)) return false;
    return !Array.isArray(property.enum) || property.enum.includes(record[key]);
  });
}
