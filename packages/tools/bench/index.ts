// Benchmark of @chatloop/tools: schema conversion (cold and cached, both modes, zod 4 and zod 3, against
// the openai package's zodFunction), and the overhead of parsing, validating and dispatching one tool call
// compared with calling the function directly. Prints figures; asserts nothing.
import { performance } from 'node:perf_hooks';
import { createToolRegistry, defineTool, executeToolCalls, toJsonSchema } from '@chatloop/tools';
import { zodFunction } from 'openai/helpers/zod';
import { z } from 'zod';
import { z as z3 } from 'zod/v3';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/**
 * Runs `fn` `iterations` times per round; prints the median microseconds per call of wall time and of this
 * process's CPU time (user + system). On a shared, loaded machine the CPU figure is the one to compare.
 */
async function measure(
  label: string,
  iterations: number,
  fn: (i: number) => unknown,
  rounds = 3,
): Promise<number> {
  for (let i = 0; i < Math.min(iterations, 200); i++) await fn(i); // warm-up (cold loops index past it)
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const start = performance.now();
    const startCpu = process.cpuUsage();
    for (let i = 0; i < iterations; i++) {
      const result = fn(200 + round * iterations + i);
      if (result instanceof Promise) await result;
    }
    const usedCpu = process.cpuUsage(startCpu);
    wall.push(((performance.now() - start) * 1000) / iterations);
    cpu.push((usedCpu.user + usedCpu.system) / iterations);
  }
  const cpuUs = median(cpu);
  console.log(
    `${label.padEnd(58)} ${cpuUs.toFixed(2).padStart(9)} µs CPU/op ${median(wall).toFixed(2).padStart(9)} µs wall/op`,
  );
  return cpuUs;
}

// `nullable` writes the optional fields as .nullable(), the only form the openai helper accepts.
const v4Schema = (nullable = false) => {
  const maybe = <T extends z.ZodType>(schema: T) => (nullable ? schema.nullable() : schema.optional());
  return z.object({
    query: z.string().describe('What to search for'),
    filters: maybe(
      z.object({
        from: maybe(z.iso.date()),
        to: maybe(z.iso.date()),
        kinds: maybe(z.array(z.enum(['doc', 'mail', 'chat']))),
      }),
    ),
    page: z.number().int().min(1).default(1),
    sort: z.discriminatedUnion('by', [
      z.object({ by: z.literal('date'), order: z.enum(['asc', 'desc']) }),
      z.object({ by: z.literal('score') }),
    ]),
  });
};

const v3Schema = (nullable = false) => {
  const maybe = <T extends z3.ZodTypeAny>(schema: T) => (nullable ? schema.nullable() : schema.optional());
  return z3.object({
    query: z3.string().describe('What to search for'),
    filters: maybe(
      z3.object({
        from: maybe(z3.string().date()),
        to: maybe(z3.string().date()),
        kinds: maybe(z3.array(z3.enum(['doc', 'mail', 'chat']))),
      }),
    ),
    page: z3.number().int().min(1).default(1),
    sort: z3.discriminatedUnion('by', [
      z3.object({ by: z3.literal('date'), order: z3.enum(['asc', 'desc']) }),
      z3.object({ by: z3.literal('score') }),
    ]),
  });
};

console.log(
  '# schema conversion (a 4-field search schema with nesting, optionals, enums, a discriminated union)\n',
);
const COLD = 150;
for (const [name, make] of [
  ['zod 4', v4Schema],
  ['zod 3', v3Schema],
] as const) {
  const fresh = Array.from({ length: COLD * 3 + 200 }, () => make());
  // Cold: a schema never converted before (the cache is per schema object).
  await measure(`${name} non-strict, cold`, COLD, (i) => toJsonSchema(fresh[i % fresh.length] as never));
  const freshStrict = Array.from({ length: COLD * 3 + 200 }, () => make());
  await measure(`${name} strict, cold`, COLD, (i) =>
    toJsonSchema(freshStrict[i % freshStrict.length] as never, { strict: true }),
  );
  const cached = make();
  await measure(`${name} strict, cached`, 100_000, () => toJsonSchema(cached as never, { strict: true }));
  const forOpenAI = Array.from({ length: COLD * 3 + 200 }, () => make(true));
  await measure(`${name} openai zodFunction (same schema, .nullable()), cold`, COLD, (i) =>
    zodFunction({ name: 'search', parameters: forOpenAI[i % forOpenAI.length] as never }),
  );
  const oursNullable = Array.from({ length: COLD * 3 + 200 }, () => make(true));
  await measure(`${name} ours strict (same schema, .nullable()), cold`, COLD, (i) =>
    toJsonSchema(oursNullable[i % oursNullable.length] as never, { strict: true }),
  );
}

console.log('\n# one tool call: parse + validate + dispatch, against calling the function directly\n');
const add = (args: { a: number; b: number }) => args.a + args.b;
const tool = defineTool({
  name: 'add',
  parameters: z.object({ a: z.number(), b: z.number() }),
  execute: add,
});
const jsonTool = defineTool({
  name: 'add',
  parameters: {
    type: 'object',
    properties: { a: { type: 'number' }, b: { type: 'number' } },
    required: ['a', 'b'],
  },
  execute: (args) => add(args as { a: number; b: number }),
});
const registry = createToolRegistry([tool]);
const jsonRegistry = createToolRegistry([jsonTool]);
const call = {
  id: 'call_1',
  type: 'function' as const,
  function: { name: 'add', arguments: '{"a":1,"b":2}' },
};
let sink = 0;
const direct = await measure('direct: add(JSON.parse(arguments))', 200_000, () => {
  sink += add(JSON.parse(call.function.arguments) as { a: number; b: number });
});
const parseOnly = await measure('tool.parse (safe parse + zod 4 validation)', 100_000, () =>
  tool.parse(call.function.arguments),
);
const dispatch = await measure('executeToolCalls([call]) zod 4', 20_000, () =>
  executeToolCalls([call], registry),
);
const dispatchJson = await measure('executeToolCalls([call]) JSON Schema (ajv)', 20_000, () =>
  executeToolCalls([call], jsonRegistry),
);
const batch = Array.from({ length: 10 }, (_, i) => ({ ...call, id: `call_${i}` }));
const batched = await measure('executeToolCalls(10 calls) zod 4, per batch', 2_000, () =>
  executeToolCalls(batch, registry),
);
console.log(
  `\nCPU overhead per call over the direct call: parse ${(parseOnly - direct).toFixed(2)} µs, full dispatch ${(dispatch - direct).toFixed(2)} µs (zod 4), ${(dispatchJson - direct).toFixed(2)} µs (ajv), ${(batched / 10 - direct).toFixed(2)} µs in a batch of 10`,
);
if (sink === 0) console.log('(unreachable)');
