import { isSchemaNode as isNode, type SchemaNode as Node } from './schema-node.js';
import { StrictSchemaError } from './tool-errors.js';

function decodePointer(pointer: string): string[] {
  return pointer
    .slice(2)
    .split('/')
    .map((segment) => decodeURIComponent(segment).replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** True for a `$ref` strict mode accepts: `#` or `#/$defs/<name>`. */
export function isCanonicalRef(ref: string): boolean {
  return ref === '#' || /^#\/\$defs\/[^/]+$/.test(ref);
}

function visitRefs(value: unknown, visit: (node: Node) => void): void {
  if (Array.isArray(value)) {
    for (const item of value) visitRefs(item, visit);
    return;
  }
  if (!isNode(value)) return;
  if (typeof value.$ref === 'string') visit(value);
  for (const [key, item] of Object.entries(value)) {
    // enum/const/default/examples hold data, not schemas.
    if (key !== 'enum' && key !== 'const' && key !== 'default' && key !== 'examples') visitRefs(item, visit);
  }
}

/**
 * Moves every shared or recursive type under `$defs` and points every `$ref` at `#` or `#/$defs/<name>`
 * (draft-07 `definitions` and path refs like `#/properties/a/items`, which zod 3's converter emits, are
 * not accepted by strict mode).
 */
export function canonicalizeRefs(root: Node): void {
  if (isNode(root.definitions)) {
    root.$defs = { ...(isNode(root.$defs) ? root.$defs : {}), ...root.definitions };
    delete root.definitions;
    visitRefs(root, (node) => {
      const ref = node.$ref as string;
      if (ref.startsWith('#/definitions/')) node.$ref = `#/$defs/${ref.slice('#/definitions/'.length)}`;
    });
  }
  const pointers = new Set<string>();
  visitRefs(root, (node) => {
    const ref = node.$ref as string;
    if (!isCanonicalRef(ref)) pointers.add(ref);
  });
  if (pointers.size === 0) return;
  const defs: Node = isNode(root.$defs) ? root.$defs : {};
  const renamed = new Map<string, string>();
  const copies: Node[] = [];
  for (const pointer of pointers) {
    if (!pointer.startsWith('#/')) {
      throw new StrictSchemaError('(root)', '$ref', `only local references are supported, got "${pointer}"`);
    }
    let target: unknown = root;
    for (const segment of decodePointer(pointer)) {
      target = isNode(target) || Array.isArray(target) ? (target as Node)[segment] : undefined;
    }
    if (!isNode(target)) {
      throw new StrictSchemaError('(root)', '$ref', `the reference "${pointer}" points at nothing`);
    }
    const base = (decodePointer(pointer).at(-1) ?? 'def').replace(/[^a-zA-Z0-9_-]/g, '_');
    let name = base;
    for (let n = 2; name in defs; n++) name = `${base}_${n}`;
    const copy = structuredClone(target);
    defs[name] = copy;
    copies.push(copy);
    renamed.set(pointer, `#/$defs/${name}`);
  }
  root.$defs = defs;
  visitRefs(root, (node) => {
    const next = renamed.get(node.$ref as string);
    if (next) node.$ref = next;
  });
}
