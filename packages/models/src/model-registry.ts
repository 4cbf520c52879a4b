import { MODEL_CATALOG } from './model-catalog.js';
import type { ModelInfo, TokenizerName } from './model-info.js';

/** Options of {@link createModelRegistry}. */
export interface ModelRegistryOptions {
  /** The models to start with. Default: {@link MODEL_CATALOG}. */
  models?: readonly ModelInfo[];
}

/** A set of models with lookup by id, alias, dated snapshot or provider prefix. */
export interface ModelRegistry {
  /**
   * The model for `id`, or `undefined` when it is unknown. Tried in order: the exact id or an alias;
   * without a `provider/` prefix (`openai/gpt-4o`); without a dated-snapshot suffix (`-2026-01-15`,
   * `-20260115`, `-0731`). Other names stay unknown: a guess could misprice a request.
   */
  get(id: string): ModelInfo | undefined;
  /** Adds a model, or replaces the one with the same id; its aliases then point to it. */
  register(info: ModelInfo): void;
  /** Every registered model, in registration order. */
  list(): ModelInfo[];
  /**
   * The tokenizer to count with: the model's own, else by family (`gpt-4o*`, `gpt-4.1*`, `gpt-5*`,
   * `o1*`, `o3*`, `o4*` use `o200k_base`; `gpt-4*`, `gpt-3.5*` use `cl100k_base`), else `estimate`.
   */
  tokenizerFor(id: string): TokenizerName;
}

const SNAPSHOT_SUFFIX = /-(?:\d{4}-\d{2}-\d{2}|\d{8}|\d{4})$/;
const O200K_FAMILY = /^(?:gpt-4o|chatgpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|o1|o3|o4|gpt-oss|codex)/;
const CL100K_FAMILY = /^(?:gpt-4|gpt-3\.5)/;

/** Creates a registry holding `options.models` (the built-in catalog by default). */
export function createModelRegistry(options: ModelRegistryOptions = {}): ModelRegistry {
  const byId = new Map<string, ModelInfo>();
  const byName = new Map<string, ModelInfo>();

  const register = (info: ModelInfo): void => {
    const previous = byId.get(info.id.toLowerCase());
    if (previous) {
      for (const alias of previous.aliases ?? []) byName.delete(alias.toLowerCase());
    }
    byId.set(info.id.toLowerCase(), info);
    for (const alias of info.aliases ?? []) byName.set(alias.toLowerCase(), info);
    byName.set(info.id.toLowerCase(), info);
  };

  const exact = (name: string): ModelInfo | undefined => byName.get(name);

  const get = (id: string): ModelInfo | undefined => {
    const name = id.trim().toLowerCase();
    const candidates = [name];
    const slash = name.lastIndexOf('/');
    if (slash >= 0) candidates.push(name.slice(slash + 1));
    for (const candidate of candidates) {
      const found = exact(candidate) ?? exact(candidate.replace(SNAPSHOT_SUFFIX, ''));
      if (found) return found;
    }
    return undefined;
  };

  for (const info of options.models ?? MODEL_CATALOG) register(info);

  return {
    get,
    register,
    list: () => [...byId.values()],
    tokenizerFor(id: string): TokenizerName {
      const info = get(id);
      if (info) return info.tokenizer ?? 'estimate';
      const name = id.trim().toLowerCase();
      const base = name.slice(name.lastIndexOf('/') + 1);
      if (O200K_FAMILY.test(base)) return 'o200k_base';
      if (CL100K_FAMILY.test(base)) return 'cl100k_base';
      return 'estimate';
    },
  };
}

/** The process-wide registry behind {@link getModel} and {@link registerModel}. */
export const defaultModelRegistry: ModelRegistry = createModelRegistry();

/** The model for `id` in the default registry (see {@link ModelRegistry.get}), or `undefined`. */
export function getModel(id: string): ModelInfo | undefined {
  return defaultModelRegistry.get(id);
}

/** Adds or overrides a model in the default registry. */
export function registerModel(info: ModelInfo): void {
  defaultModelRegistry.register(info);
}
