import { randomUUID } from 'node:crypto';
import { ConfigurationError } from '@warren/core';

/**
 * Pulse's naming rules: a user may create only `exchange/<user>/...` and `queue/<user>/...`, and may read any
 * `exchange/...`. These helpers build those names.
 */

/** `exchange/<user>/<name>`; a name already starting with `exchange/` is taken as the full name. */
export function exchangeName(user: string, name: string): string {
  if (name.startsWith('exchange/')) return name;
  return `exchange/${user}/${name}`;
}

/** `queue/<user>/<applabel>`, or a fresh `queue/<user>/<uuid>` for a temporary queue without applabel. */
export function queueName(user: string, applabel: string | undefined): string {
  return `queue/${user}/${applabel ?? randomUUID()}`;
}

/** A durable queue outlives its consumer, so it needs a name the consumer finds again: its applabel. */
export function checkDurable(durable: boolean, applabel: string | undefined, what: string): void {
  if (durable && !applabel) {
    throw new ConfigurationError(
      `${what}: a durable queue needs an applabel (it names the queue queue/<user>/<applabel>, so that the next run finds it again); pass applabel, or durable: false for a temporary queue.`,
    );
  }
}
