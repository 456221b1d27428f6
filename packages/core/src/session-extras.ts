import { UnsupportedFeatureError } from './errors.js';
import type { QueueInfo } from './topology.js';
import type { DirectReplyChannel, DirectReplyHooks, TransportSession } from './transport.js';

/*
 * Core's side of the optional methods of the transport contract: each calls the session's method when the
 * transport has it, and otherwise answers as the contract says (a typed error, or null for "use the fallback").
 */

/** `session.checkQueue`, or UnsupportedFeatureError naming the transport when it has none. */
export function checkQueueOn(session: TransportSession, name: string, transport: string): Promise<QueueInfo> {
  if (session.checkQueue === undefined) return Promise.reject(noCheck(transport));
  return session.checkQueue(name);
}

/** `session.checkExchange`, or UnsupportedFeatureError naming the transport when it has none. */
export function checkExchangeOn(session: TransportSession, name: string, transport: string): Promise<void> {
  if (name === '') return Promise.resolve();
  if (session.checkExchange === undefined) return Promise.reject(noCheck(transport));
  return session.checkExchange(name);
}

/** A direct reply channel, or null when the transport or this broker has none (use a reply queue instead). */
export async function openDirectReplyOn(
  session: TransportSession,
  hooks: DirectReplyHooks,
): Promise<DirectReplyChannel | null> {
  if (session.openDirectReply === undefined) return null;
  try {
    return await session.openDirectReply(hooks);
  } catch (error) {
    if (error instanceof UnsupportedFeatureError) return null;
    throw error;
  }
}

function noCheck(transport: string): UnsupportedFeatureError {
  return new UnsupportedFeatureError(
    `The ${transport} transport cannot check for a queue or exchange without creating it (its session has no checkQueue/checkExchange). Declare it instead, or update the transport.`,
  );
}
