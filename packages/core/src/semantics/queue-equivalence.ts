import { PreconditionFailedError } from '../errors.js';
import type { NormalizedQueueArguments } from './queue-arguments.js';

/** A canonical string of normalized queue arguments: two declarations are equivalent when these are equal. */
export function queueArgumentsKey(args: NormalizedQueueArguments): string {
  return JSON.stringify(args);
}

/** The settings a redeclaration must repeat, as RabbitMQ compares them. */
export interface QueueIdentity {
  /** Whether the queue survives a broker restart. */
  durable: boolean;
  /** {@link queueArgumentsKey} of its arguments. */
  argumentsKey: string;
}

/**
 * Redeclaring a queue with other settings is a PreconditionFailedError, as in RabbitMQ (406); the same
 * settings are fine. Shared by every transport that keeps its own queue records (memory://, Redis).
 */
export function checkQueueEquivalent(name: string, existing: QueueIdentity, requested: QueueIdentity): void {
  if (existing.durable !== requested.durable || existing.argumentsKey !== requested.argumentsKey) {
    throw new PreconditionFailedError(
      `Queue "${name}" exists with other settings (durable: ${existing.durable}, arguments: ${existing.argumentsKey}); it cannot be redeclared with durable: ${requested.durable}, arguments: ${requested.argumentsKey}. Delete it first or declare it as it is.`,
    );
  }
}
