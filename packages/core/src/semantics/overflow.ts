import type { NormalizedQueueArguments } from './queue-arguments.js';

/** What a full queue does with one more message, as RabbitMQ's `x-overflow` says. */
export type OverflowMode = 'drop-head' | 'reject-publish' | 'reject-publish-dlx';

/** A queue's length limits and what happens beyond them; absent when the queue has no limit. */
export interface OverflowPolicy {
  /** Most ready messages the queue holds. */
  maxLength?: number;
  /** Most bytes of ready message bodies the queue holds. */
  maxLengthBytes?: number;
  /** What happens to one more message. */
  mode: OverflowMode;
}

/** The queue's length policy, or undefined when it has neither `maxLength` nor `maxLengthBytes`. */
export function overflowPolicy(args: NormalizedQueueArguments): OverflowPolicy | undefined {
  const { maxLength, maxLengthBytes } = args;
  if (maxLength === undefined && maxLengthBytes === undefined) return undefined;
  const policy: OverflowPolicy = { mode: args.overflow ?? 'drop-head' };
  if (maxLength !== undefined) policy.maxLength = maxLength;
  if (maxLengthBytes !== undefined) policy.maxLengthBytes = maxLengthBytes;
  return policy;
}

/** Whether a queue holding `ready` messages (`readyBytes` bytes) is over its limits: drop-head then drops. */
export function isOverLimit(policy: OverflowPolicy, ready: number, readyBytes: number): boolean {
  return (
    (policy.maxLength !== undefined && ready > policy.maxLength) ||
    (policy.maxLengthBytes !== undefined && readyBytes > policy.maxLengthBytes && ready > 0)
  );
}

/** Whether one more message of `size` bytes would take the queue over its limits (reject-publish refuses it). */
export function wouldOverflow(policy: OverflowPolicy, ready: number, readyBytes: number, size: number): boolean {
  return (
    (policy.maxLength !== undefined && ready + 1 > policy.maxLength) ||
    (policy.maxLengthBytes !== undefined && readyBytes + size > policy.maxLengthBytes)
  );
}

/** Whether the policy refuses publishes when full (instead of dropping from the head). */
export function rejectsPublish(policy: OverflowPolicy | undefined): boolean {
  return policy !== undefined && policy.mode !== 'drop-head';
}
