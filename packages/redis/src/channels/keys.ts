/**
 * The Redis keys of the channels under one prefix. The Lua scripts (scripts.ts) build the same names from the
 * base, so this is the one place that says how they are spelled; README "Redis data layout" documents them.
 *
 * The prefix is wrapped in braces, a Redis Cluster hash tag: every key of one prefix lives in one slot, which the
 * scripts need since they touch keys they compute.
 */
export class ChannelKeys {
  /** `{prefix}`: what every key starts with. */
  readonly base: string;

  /** The prefix as given. */
  readonly prefix: string;

  constructor(prefix: string) {
    this.prefix = prefix;
    this.base = `{${prefix}}`;
  }

  /**
   * The name a channel's connection shows in `CLIENT LIST` (`<prefix>:dc:worker.1:blocking`), so that an operator
   * (or a test) finds it. White space, which Redis refuses in a name, becomes `_`.
   */
  connectionName(kind: 'rc' | 'dc', name: string, role: string): string {
    return `${this.prefix}:${kind}:${name}:${role}`.replace(/\s/g, '_');
  }

  /** RemoteChannel: the pub/sub channel of a name. */
  broadcast(name: string): string {
    return `${this.base}:rc:${name}`;
  }

  /** DurableChannel: a message (hash: frame, from, to, state, holder, deadline, in-reply-to, deliveries). */
  message(id: string): string {
    return `${this.base}:m:${id}`;
  }

  /** DurableChannel: the ids waiting for a receiver of this name (list; LPUSH in, taken from the right). */
  queue(name: string): string {
    return `${this.base}:q:${name}`;
  }

  /** DurableChannel: the ids one channel instance received and has not answered yet (list). */
  held(instance: string): string {
    return `${this.base}:h:${instance}`;
  }

  /** DurableChannel: deadlines of what a name sent (sorted set, score = deadline in ms of Redis time). */
  timeouts(name: string): string {
    return `${this.base}:t:${name}`;
  }

  /** DurableChannel: the instances of a name that may hold messages (set). */
  instances(name: string): string {
    return `${this.base}:i:${name}`;
  }

  /** DurableChannel: present while an instance lives (string with a TTL, refreshed). */
  alive(instance: string): string {
    return `${this.base}:alive:${instance}`;
  }
}
