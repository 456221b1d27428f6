import type { Headers } from '../properties.js';
import type { Arguments } from '../topology.js';

/**
 * Headers-exchange matching as RabbitMQ does it: the binding's arguments are the headers to compare, `x-match`
 * says how (`all`, the default, or `any`; `all-with-x`/`any-with-x` also compare `x-` headers). A binding
 * argument with no value (undefined) matches on the header's presence alone.
 */
export function headersMatch(bindingArguments: Arguments | undefined, headers: Headers | undefined): boolean {
  const args = bindingArguments ?? {};
  const mode = typeof args['x-match'] === 'string' ? (args['x-match'] as string) : 'all';
  const any = mode === 'any' || mode === 'any-with-x';
  const withX = mode.endsWith('-with-x');
  const actual = headers ?? {};
  for (const key of Object.keys(args)) {
    if (key === 'x-match' || (!withX && key.startsWith('x-'))) continue;
    const expected = args[key];
    const present = Object.hasOwn(actual, key);
    const ok = present && (expected === undefined || sameValue(expected, actual[key]));
    if (any && ok) return true;
    if (!any && !ok) return false;
  }
  return !any;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b);
  // Numbers and numeric strings are distinct AMQP types; compare structurally only for plain data.
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    return JSON.stringify(a) === JSON.stringify(b);
  }
  return false;
}
