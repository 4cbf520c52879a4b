/**
 * A checker for OpenAI strict mode (structured outputs), written from OpenAI's documented list
 * ("Supported schemas" in the structured-outputs guide), independent of the converter it tests:
 * - supported types: string, number, boolean, integer, object, array, enum, anyOf (and null in unions);
 * - supported keywords: strings `pattern`, `format` (date-time, time, date, duration, email, hostname,
 *   ipv4, ipv6, uuid); numbers `multipleOf`, `maximum`, `exclusiveMaximum`, `minimum`,
 *   `exclusiveMinimum`; arrays `minItems`, `maxItems`; plus `description`, `enum`, `const`, `$defs`, `$ref`;
 * - the root is an object, not `anyOf`;
 * - every object has `additionalProperties: false` and lists every property in `required`;
 * - definitions under `$defs`, referenced as `#` or `#/$defs/...` (recursion allowed);
 * - at most 5000 object properties and 10 levels of nesting; at most 1000 enum values; at most 120,000
 *   characters of property names, enum values and consts; an enum of more than 250 values at most
 *   15,000 characters.
 */
const TYPES = new Set(['string', 'number', 'boolean', 'integer', 'object', 'array', 'null']);
const FORMATS = new Set([
  'date-time',
  'time',
  'date',
  'duration',
  'email',
  'hostname',
  'ipv4',
  'ipv6',
  'uuid',
]);
const KEYWORDS_BY_TYPE: Record<string, readonly string[]> = {
  string: ['pattern', 'format'],
  number: ['multipleOf', 'maximum', 'exclusiveMaximum', 'minimum', 'exclusiveMinimum'],
  integer: ['multipleOf', 'maximum', 'exclusiveMaximum', 'minimum', 'exclusiveMinimum'],
  array: ['items', 'minItems', 'maxItems'],
  object: ['properties', 'required', 'additionalProperties'],
  boolean: [],
  null: [],
};
const COMMON = ['type', 'description', 'enum', 'const', 'anyOf', '$ref', '$defs'];

type Schema = Record<string, unknown>;

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every rule the schema breaks, as `path: problem` lines (empty when it is valid for strict mode). */
export function strictModeViolations(root: unknown): string[] {
  const problems: string[] = [];
  let properties = 0;
  let enumValues = 0;
  let characters = 0;
  if (!isSchema(root)) return ['(root): not an object schema'];
  if (root.type !== 'object') problems.push('(root): the root must have type "object"');
  if (root.anyOf !== undefined) problems.push('(root): the root must not be anyOf');
  const defs = isSchema(root.$defs) ? root.$defs : {};

  const visit = (node: unknown, path: string, depth: number): void => {
    if (!isSchema(node)) {
      problems.push(`${path}: not a schema object`);
      return;
    }
    if (node !== root && node.$defs !== undefined) problems.push(`${path}: $defs only at the root`);
    if (typeof node.$ref === 'string') {
      const ref = node.$ref;
      const target = ref === '#' ? root : ref.startsWith('#/$defs/') ? defs[ref.slice(8)] : undefined;
      if (target === undefined) problems.push(`${path}: $ref "${ref}" does not resolve to # or #/$defs/...`);
      return;
    }
    const types = node.type === undefined ? [] : Array.isArray(node.type) ? node.type : [node.type];
    const allowed = new Set(COMMON);
    for (const type of types) {
      if (!TYPES.has(String(type))) problems.push(`${path}: unsupported type ${JSON.stringify(type)}`);
      for (const keyword of KEYWORDS_BY_TYPE[String(type)] ?? []) allowed.add(keyword);
    }
    for (const keyword of Object.keys(node)) {
      if (!allowed.has(keyword)) problems.push(`${path}: keyword "${keyword}" is not supported`);
    }
    if (
      types.length === 0 &&
      node.anyOf === undefined &&
      node.enum === undefined &&
      node.const === undefined
    ) {
      problems.push(`${path}: no type`);
    }
    if (typeof node.format === 'string' && !FORMATS.has(node.format)) {
      problems.push(`${path}: format "${node.format}" is not supported`);
    }
    const values = Array.isArray(node.enum) ? node.enum : node.const !== undefined ? [node.const] : [];
    enumValues += values.length;
    const enumCharacters = values.reduce<number>(
      (sum, value) => sum + (typeof value === 'string' ? value.length : 0),
      0,
    );
    characters += enumCharacters;
    if (values.length > 250 && enumCharacters > 15_000)
      problems.push(`${path}: enum over 250 values and 15,000 characters`);
    const variants: unknown[] = Array.isArray(node.anyOf) ? node.anyOf : [];
    for (const [i, variant] of variants.entries()) visit(variant, `${path}|anyOf[${i}]`, depth);
    if (types.includes('array')) visit(node.items, `${path}[]`, depth);
    if (types.includes('object')) {
      if (depth > 10) problems.push(`${path}: nested deeper than 10 levels`);
      if (node.additionalProperties !== false) problems.push(`${path}: additionalProperties must be false`);
      const props = isSchema(node.properties) ? node.properties : {};
      const required = Array.isArray(node.required) ? node.required : [];
      const names = Object.keys(props);
      if (required.length !== names.length || !names.every((name) => required.includes(name))) {
        problems.push(`${path}: required must list every property (${names.join(', ')})`);
      }
      for (const name of names) {
        properties += 1;
        characters += name.length;
        visit(props[name], path === '(root)' ? name : `${path}.${name}`, depth + 1);
      }
    }
  };
  const { $defs: _defs, ...body } = root;
  visit(body, '(root)', 1);
  for (const [name, def] of Object.entries(defs)) visit(def, `$defs.${name}`, 1);
  if (properties > 5000) problems.push(`(root): ${properties} object properties (max 5000)`);
  if (enumValues > 1000) problems.push(`(root): ${enumValues} enum values (max 1000)`);
  if (characters > 120_000)
    problems.push(`(root): ${characters} characters of names and enum values (max 120,000)`);
  return problems;
}
