/**
 * Where warren keeps things in Redis, all under one prefix:
 * - `version`: a counter bumped by every topology change, so that each publisher sees changes on its next publish;
 * - `exchanges`, `queues`: hashes of name → JSON definition;
 * - `bindings`: a hash whose fields are the bindings themselves (JSON), so binding twice is one field;
 * - `q:<queue>`: the queue's stream, with one consumer group (`warren`) whose pending entries are the unacked set;
 * - `dead:<queue>`: messages that died in the queue and wait to be dead-lettered (an outbox, see DeadLetterer);
 * - `alive:<session>`: a session's liveness key, refreshed while it lives.
 */
export class RedisKeys {
  readonly version: string;
  readonly exchanges: string;
  readonly queues: string;
  readonly bindings: string;
  readonly alivePrefix: string;

  constructor(readonly prefix: string) {
    this.version = `${prefix}version`;
    this.exchanges = `${prefix}exchanges`;
    this.queues = `${prefix}queues`;
    this.bindings = `${prefix}bindings`;
    this.alivePrefix = `${prefix}alive:`;
  }

  stream(queue: string): string {
    return `${this.prefix}q:${queue}`;
  }

  outbox(queue: string): string {
    return `${this.prefix}dead:${queue}`;
  }

  alive(session: string): string {
    return this.alivePrefix + session;
  }
}

/** The consumer group every queue stream has: one group per queue, its consumers share the messages. */
export const GROUP = 'warren';

/** A consumer's name in the group: `<session>/<n>`; the part before `/` names its liveness key. */
export function consumerName(session: string, n: number | 'get'): string {
  return `${session}/${n}`;
}
