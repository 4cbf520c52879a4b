import { readFileSync } from 'node:fs';
import { ChatloopError, safeJsonParse } from '@chatloop/protocol';
import { FAULT_KINDS, type Fault, type FaultPlan } from './faults.js';
import type { RateLimitOptions } from './rate-limit.js';
import { type ScriptedModel, type ScriptedTurn, scriptedModel } from './scripted-model.js';
import type { ServerOptions } from './server.js';

/** Thrown when a script file cannot be read or does not have the documented shape. */
export class ScriptFileError extends ChatloopError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('invalid_script', message, options);
  }
}

/** The server options a script file can set. */
export type ScriptOptions = Pick<
  ServerOptions,
  'models' | 'defaultModel' | 'profile' | 'rateLimit' | 'apiKey' | 'faults' | 'contextWindow' | 'chunkDelayMs'
>;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(where: string, message: string): never {
  throw new ScriptFileError(`${where}: ${message}`);
}

function checkKeys(value: Json, allowed: readonly string[], where: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key))
      fail(where, `unknown field '${key}' (expected one of: ${allowed.join(', ')})`);
  }
}

function optionalString(value: Json, key: string, where: string): void {
  if (value[key] !== undefined && value[key] !== null && typeof value[key] !== 'string') {
    fail(`${where}.${key}`, 'expected a string');
  }
}

function optionalNumber(value: Json, key: string, where: string): number | undefined {
  const field = value[key];
  if (field === undefined) return undefined;
  if (typeof field !== 'number' || !Number.isFinite(field) || field < 0)
    fail(`${where}.${key}`, 'expected a number >= 0');
  return field;
}

const TURN_KEYS = [
  'content',
  'toolCalls',
  'reasoningContent',
  'refusal',
  'usage',
  'finishReason',
  'when',
] as const;
const MATCHER_KEYS = ['lastUserMessage', 'lastToolResult', 'lastToolName', 'model'] as const;

function parseTurn(value: unknown, where: string): ScriptedTurn {
  if (!isObject(value)) fail(where, 'expected a turn object');
  checkKeys(value, TURN_KEYS, where);
  for (const key of ['content', 'reasoningContent', 'refusal', 'finishReason'])
    optionalString(value, key, where);
  if (value.usage !== undefined && !isObject(value.usage)) fail(`${where}.usage`, 'expected an object');
  if (value.toolCalls !== undefined) {
    if (!Array.isArray(value.toolCalls)) fail(`${where}.toolCalls`, 'expected an array');
    value.toolCalls.forEach((call: unknown, index) => {
      const at = `${where}.toolCalls[${index}]`;
      if (!isObject(call)) fail(at, 'expected an object');
      checkKeys(call, ['name', 'arguments', 'id'], at);
      if (typeof call.name !== 'string') fail(`${at}.name`, 'expected a string');
      if (typeof call.arguments !== 'string' && !isObject(call.arguments))
        fail(`${at}.arguments`, 'expected a string or an object');
      optionalString(call, 'id', at);
    });
  }
  if (value.when !== undefined) {
    if (!isObject(value.when)) fail(`${where}.when`, 'expected an object');
    checkKeys(value.when, MATCHER_KEYS, `${where}.when`);
    for (const key of MATCHER_KEYS) optionalString(value.when, key, `${where}.when`);
  }
  return value as ScriptedTurn;
}

function parseModel(value: unknown, where: string): ScriptedModel {
  if (Array.isArray(value))
    return scriptedModel(value.map((turn, index) => parseTurn(turn, `${where}[${index}]`)));
  if (!isObject(value)) fail(where, 'expected an array of turns or { turns, loop, contextWindow, thinking }');
  checkKeys(value, ['turns', 'loop', 'contextWindow', 'thinking'], where);
  if (!Array.isArray(value.turns)) fail(`${where}.turns`, 'expected an array of turns');
  if (value.loop !== undefined && typeof value.loop !== 'boolean')
    fail(`${where}.loop`, 'expected a boolean');
  if (value.thinking !== undefined && typeof value.thinking !== 'boolean')
    fail(`${where}.thinking`, 'expected a boolean');
  const turns = value.turns.map((turn, index) => parseTurn(turn, `${where}.turns[${index}]`));
  return scriptedModel(turns, {
    loop: value.loop as boolean | undefined,
    contextWindow: optionalNumber(value, 'contextWindow', where),
    thinking: value.thinking as boolean | undefined,
  });
}

function parseFault(value: unknown, where: string): Fault {
  if (!isObject(value) || !(FAULT_KINDS as readonly unknown[]).includes(value.kind)) {
    fail(where, `expected a fault object with a 'kind' of: ${FAULT_KINDS.join(', ')}`);
  }
  if (value.kind === 'status' && typeof value.status !== 'number')
    fail(`${where}.status`, 'expected an HTTP status');
  return value as unknown as Fault;
}

function parseFaults(value: unknown, where: string): FaultPlan {
  if (!isObject(value)) fail(where, 'expected { sequence, rate, seed, pool }');
  checkKeys(value, ['sequence', 'rate', 'seed', 'pool'], where);
  const plan: FaultPlan = {};
  if (value.sequence !== undefined) {
    if (!Array.isArray(value.sequence)) fail(`${where}.sequence`, 'expected an array');
    plan.sequence = value.sequence.map((fault, index) =>
      fault === null ? null : parseFault(fault, `${where}.sequence[${index}]`),
    );
  }
  if (value.pool !== undefined) {
    if (!Array.isArray(value.pool)) fail(`${where}.pool`, 'expected an array');
    plan.pool = value.pool.map((fault, index) => parseFault(fault, `${where}.pool[${index}]`));
  }
  const rate = optionalNumber(value, 'rate', where);
  if (rate !== undefined && rate > 1) fail(`${where}.rate`, 'expected a probability from 0 to 1');
  plan.rate = rate;
  plan.seed = optionalNumber(value, 'seed', where);
  return plan;
}

const SCRIPT_KEYS = [
  'models',
  'default',
  'profile',
  'rateLimit',
  'apiKey',
  'faults',
  'contextWindow',
  'chunkDelayMs',
] as const;

/**
 * Turns the JSON of a script file into server options. A script is either an array of turns (the
 * model behind every name) or an object: `{ models: { name: turns | { turns, loop, contextWindow,
 * thinking } }, default, profile, rateLimit: { rpm, tpm, windowMs }, apiKey, faults: { sequence, rate,
 * seed, pool }, contextWindow, chunkDelayMs }`. Turns use the fields of {@link ScriptedTurn}, with
 * `when` as a JSON matcher.
 *
 * @throws ScriptFileError naming the first field that is wrong.
 */
export function parseScript(value: unknown, source = 'script'): ScriptOptions {
  if (Array.isArray(value)) return { defaultModel: parseModel(value, source) };
  if (!isObject(value)) fail(source, 'expected an array of turns or an object');
  checkKeys(value, SCRIPT_KEYS, source);
  const options: ScriptOptions = {};
  if (value.models !== undefined) {
    if (!isObject(value.models)) fail(`${source}.models`, 'expected an object of model name to turns');
    options.models = {};
    for (const [name, model] of Object.entries(value.models))
      options.models[name] = parseModel(model, `${source}.models.${name}`);
  }
  if (value.default !== undefined) options.defaultModel = parseModel(value.default, `${source}.default`);
  if (value.profile !== undefined) {
    if (value.profile !== 'openai' && value.profile !== 'deepseek')
      fail(`${source}.profile`, "expected 'openai' or 'deepseek'");
    options.profile = value.profile;
  }
  if (value.rateLimit !== undefined) {
    if (!isObject(value.rateLimit)) fail(`${source}.rateLimit`, 'expected { rpm, tpm, windowMs }');
    checkKeys(value.rateLimit, ['rpm', 'tpm', 'windowMs'], `${source}.rateLimit`);
    const rateLimit: RateLimitOptions = {};
    for (const key of ['rpm', 'tpm', 'windowMs'] as const) {
      const number = optionalNumber(value.rateLimit, key, `${source}.rateLimit`);
      if (number !== undefined) rateLimit[key] = number;
    }
    options.rateLimit = rateLimit;
  }
  if (value.apiKey !== undefined) {
    optionalString(value, 'apiKey', source);
    options.apiKey = value.apiKey as string;
  }
  if (value.faults !== undefined) options.faults = parseFaults(value.faults, `${source}.faults`);
  options.contextWindow = optionalNumber(value, 'contextWindow', source);
  options.chunkDelayMs = optionalNumber(value, 'chunkDelayMs', source);
  for (const key of ['contextWindow', 'chunkDelayMs'] as const)
    if (options[key] === undefined) delete options[key];
  return options;
}

/**
 * Reads and parses a script file (JSON).
 * @throws ScriptFileError when the file cannot be read, is not JSON, or has the wrong shape.
 */
export function loadScript(path: string): ScriptOptions {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new ScriptFileError(`Cannot read the script file ${path}.`, { cause });
  }
  let value: unknown;
  try {
    value = safeJsonParse(text);
  } catch (cause) {
    throw new ScriptFileError(`The script file ${path} is not valid JSON.`, { cause });
  }
  return parseScript(value, path);
}
