import { z } from 'zod';
import { PulseMessage } from './base.js';

/** Fields of SimpleBugMessage. */
export interface SimpleBugData {
  /** The bug id. */
  id: number;
  /** The bug's last-change time. */
  delta_ts: string;
  /** Any further field. */
  [extra: string]: unknown;
}

/** Fields every bug message has. */
export interface BugData {
  /** Who changed the bug. */
  who: string;
  /** When. */
  when: string;
  /** Any further field. */
  [extra: string]: unknown;
}

/** Fields of BugChangedMessage. */
export interface BugChangedData extends BugData {
  /** The bug's fields. */
  bug: Record<string, unknown>;
  /** The value before the change. */
  before?: unknown;
  /** The value after the change. */
  after?: unknown;
}

/** Validates SimpleBugMessage (Bugzilla's simple exchange): the bug id and its last-change time. */
export const simpleBugSchema: z.ZodType<SimpleBugData> = z
  .object({ id: z.number().int().positive(), delta_ts: z.string().min(1) })
  .loose();

const bugShape = { who: z.string().min(1), when: z.string().min(1) };

/** Validates every bug message: who did it and when. */
export const bugSchema: z.ZodType<BugData> = z.object(bugShape).loose();

/** Validates BugChangedMessage: the bug, and a before or after value that differ. */
export const bugChangedSchema: z.ZodType<BugChangedData> = z
  .object({
    ...bugShape,
    bug: z.record(z.string(), z.unknown()),
    before: z.unknown().optional(),
    after: z.unknown().optional(),
  })
  .loose()
  .refine((data) => data.before !== undefined || data.after !== undefined, 'set before or after')
  .refine((data) => data.before !== data.after, 'before and after must differ');

/** Bugzilla's simple notification: routing key `<bug id>`; requires id and delta_ts. */
export class SimpleBugMessage extends PulseMessage<SimpleBugData> {
  constructor() {
    super({ schema: simpleBugSchema });
  }

  /** Sets the bug id and last-change time (mozillapulse's `set`). */
  set(bugId: number, deltaTs: string): this {
    this.setData('id', bugId);
    this.setData('delta_ts', deltaTs);
    return this;
  }

  /** The bug id. */
  override routingKeyParts(): string[] {
    return [String(this.data.id ?? '')];
  }
}

/** A bug state change: routing key `bug.<state>`; requires who and when. */
export class BugStateMessage extends PulseMessage<BugData> {
  /** @param state `new`, `closed`, `reopened`, `duped`, `unduped`. */
  constructor(state: string) {
    super({ schema: bugSchema, routingParts: ['bug', state] });
  }
}

/** A new bug. */
export class BugCreatedMessage extends BugStateMessage {
  constructor() {
    super('new');
  }
}

/** A closed bug. */
export class BugClosedMessage extends BugStateMessage {
  constructor() {
    super('closed');
  }
}

/** A changed bug field: routing key `bug.changed.<field>`; requires who, when, bug and a before or after value. */
export class BugChangedMessage extends PulseMessage<BugChangedData> {
  /** @param field the field that changed, such as `status`. */
  constructor(field: string) {
    super({ schema: bugChangedSchema, routingParts: ['bug', 'changed', field] });
  }
}
