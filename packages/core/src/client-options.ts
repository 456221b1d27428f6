import { z } from 'zod';
import { ConfigurationError } from './errors.js';
import { didYouMean } from './nearest-name.js';
import { serializers } from './serialization/serializers.js';
import { EXCHANGE_TYPES } from './topology.js';

/**
 * A schema shape with an entry for every key of `T` (tsc names the one missing when `T` grows); it may have more
 * (an option being added on another branch).
 */
export type Covers<T> = Record<keyof T, z.ZodType> & Record<string, z.ZodType>;

export const flag = z.boolean().optional();
export const text = z.string().optional();
export const table = z.record(z.string(), z.unknown()).optional();
export const exchangeTypeOption = z.enum(EXCHANGE_TYPES as readonly [string, ...string[]]).optional();
/** A zod (or zod-like) schema: anything with `safeParse`. */
export const bodySchemaOption = z
  .custom<{ safeParse: unknown }>((value) => typeof (value as { safeParse?: unknown })?.safeParse === 'function', {
    message: 'expected a schema with safeParse (a zod schema)',
  })
  .optional();
export const headersOption = table;

/**
 * Checks a consumer's accept list: a content type (it has a `/`) passes; anything else must name a registered
 * serializer (`accept: ['jsno']` is a typo, not a format).
 */
export function checkAcceptList(accept: readonly string[] | undefined, what: string): void {
  if (accept === undefined) return;
  const names = serializers.names();
  for (const entry of accept) {
    if (!entry.includes('/') && !names.includes(entry)) {
      throw new ConfigurationError(
        `${what}: accept entry "${entry}" is neither a registered serializer nor a content type${didYouMean(entry, names)}. Registered: ${names.join(', ')}; or give a content type such as "application/json".`,
      );
    }
  }
}

/** The defined values of `fields` (a subclass's carrot-style defaults), to check as an options object. */
export function definedFields(source: object, names: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of names) {
    const value = (source as Record<string, unknown>)[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}
