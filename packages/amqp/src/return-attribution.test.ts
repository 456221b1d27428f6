import type { OutboundMessage } from '@warren/core/transport';
import type { Message } from 'amqplib';
import { describe, expect, it } from 'vitest';
import { ConfirmWindow } from './confirm-window.js';
import { looksLike, ReturnAttribution } from './return-attribution.js';

interface Entry {
  tag: number;
  mandatory: boolean;
  body: string;
}

/**
 * A confirm window and the attribution, fed frame sequences as RabbitMQ's channel sends them (a return, then the
 * flush of confirms recorded so far: one `multiple` ack for the tags below the oldest unconfirmed one, then
 * single acks in ascending order). Each entry is [mandatory, body]; a return names the body it carries.
 */
function harness(entries: Array<[boolean, string]>) {
  const window = new ConfirmWindow<Entry>();
  const outcome = new Map<number, string>();
  for (const [mandatory, body] of entries) window.add({ tag: window.size + 1, mandatory, body });
  const attribution = new ReturnAttribution<Entry>();
  const confirmed = (entry: Entry) => outcome.set(entry.tag, 'confirmed');
  const returned = (entry: Entry, message: unknown) => outcome.set(entry.tag, `returned ${String(message)}`);
  const matches = (entry: Entry, message: unknown) => entry.mandatory && entry.body === message;
  const moreMatching = (tag: number, message: unknown) => window.someAfter(tag, (entry) => matches(entry, message));
  const hooks = {
    takeBelow: (tag: number) => window.takeUpTo(tag - 1, confirmed),
    takeTop: (tag: number) => window.take(tag),
    matches,
    moreMatching,
    confirmed,
    returned,
  };
  return {
    outcome,
    ret: (body: string) => attribution.returnArrived(body, returned),
    ack: (tag: number, multiple: boolean) => {
      if (attribution.active) attribution.ack(tag, multiple, hooks);
      else if (multiple) window.takeUpTo(tag, confirmed);
      else {
        const entry = window.take(tag);
        if (entry) confirmed(entry);
      }
      if (attribution.active) attribution.settle(moreMatching, returned);
    },
    closeChannel: () => attribution.reset(returned),
  };
}

const alike = (count: number): Array<[boolean, string]> => Array.from({ length: count }, () => [true, 'x']);

describe('ReturnAttribution', () => {
  it('gives the return to the last tag of a multiple ack, not to an older identical message it also covers', () => {
    // 1 routed (its queue confirm coalesced), then 2 unroutable: return, then ack multiple up to 2.
    const h = harness(alike(2));
    h.ret('x');
    h.ack(2, true);
    expect(h.outcome.get(1)).toBe('confirmed');
    expect(h.outcome.get(2)).toBe('returned x');
  });

  it('gives the return to a single ack that comes before the ack of an older routed message', () => {
    const h = harness(alike(2));
    h.ret('x');
    h.ack(2, false);
    expect(h.outcome.get(2)).toBe('returned x');
    h.ack(1, true);
    expect(h.outcome.get(1)).toBe('confirmed');
  });

  it('follows a flush of a multiple ack then a single ack of a look-alike to that single ack', () => {
    // Routed 1..9 and 11 wait for the disk; 1..5 confirmed meanwhile; 10 unroutable: ack multiple 5, ack 10.
    const h = harness(alike(11));
    h.ret('x');
    h.ack(5, true);
    expect(h.outcome.get(5)).toBeUndefined(); // held: the flush may go on
    h.ack(10, false);
    expect(h.outcome.get(5)).toBe('confirmed');
    expect(h.outcome.get(10)).toBe('returned x');
    h.ack(9, true);
    h.ack(11, true);
    for (const tag of [1, 2, 3, 4, 6, 7, 8, 9, 11]) expect(h.outcome.get(tag)).toBe('confirmed');
  });

  it('takes a single ack of a look-alike as the owner, not a later one confirmed out of order', () => {
    const h = harness(alike(3));
    h.ret('x');
    h.ack(2, false);
    h.ack(3, false);
    h.ack(1, true);
    expect([h.outcome.get(1), h.outcome.get(2), h.outcome.get(3)]).toEqual(['confirmed', 'returned x', 'confirmed']);
  });

  it('passes over acked messages that do not look like the returned one', () => {
    const h = harness([
      [true, 'a'],
      [true, 'b'],
      [true, 'c'],
    ]);
    h.ret('b');
    h.ack(1, false); // 'a' routed, confirmed out of order: not the owner
    expect(h.outcome.get(1)).toBe('confirmed');
    h.ack(2, false);
    expect(h.outcome.get(2)).toBe('returned b');
    h.ack(3, true);
    expect(h.outcome.get(3)).toBe('confirmed');
  });

  it('settles a held candidate at once when no look-alike could come after it', () => {
    const h = harness([
      [true, 'x'],
      [true, 'y'],
      [false, 'x'],
    ]);
    h.ret('x');
    h.ack(1, true);
    expect(h.outcome.get(1)).toBe('returned x');
    h.ack(3, true);
    expect(h.outcome.get(2)).toBe('confirmed');
    expect(h.outcome.get(3)).toBe('confirmed');
  });

  it('skips a frame topped by a message that was not mandatory', () => {
    const h = harness([
      [false, 'x'],
      [true, 'x'],
      [false, 'x'],
    ]);
    h.ret('x');
    h.ack(1, true);
    expect(h.outcome.get(1)).toBe('confirmed');
    h.ack(2, false);
    expect(h.outcome.get(2)).toBe('returned x');
  });

  it('ends a run at the next return, and attributes each return to its own message', () => {
    const h = harness(alike(4));
    h.ret('x');
    h.ack(1, true);
    expect(h.outcome.get(1)).toBeUndefined();
    h.ret('x');
    expect(h.outcome.get(1)).toBe('returned x');
    h.ack(3, true);
    expect(h.outcome.get(2)).toBe('confirmed');
    expect(h.outcome.get(3)).toBeUndefined();
    h.ack(4, true);
    expect(h.outcome.get(3)).toBe('returned x');
    expect(h.outcome.get(4)).toBe('confirmed');
  });

  it('drops a return whose run had no candidate (its message left the window: timed out)', () => {
    const h = harness([
      [false, 'x'],
      [true, 'x'],
    ]);
    h.ret('x');
    h.ack(1, true);
    h.ack(2, true); // a multiple after the first frame: the run ended without a candidate
    expect(h.outcome.get(1)).toBe('confirmed');
    expect(h.outcome.get(2)).toBe('confirmed');
  });

  it('settles the held candidate as returned when the channel closes', () => {
    const h = harness(alike(2));
    h.ret('x');
    h.ack(1, true);
    expect(h.outcome.get(1)).toBeUndefined();
    h.closeChannel();
    expect(h.outcome.get(1)).toBe('returned x');
  });
});

describe('looksLike', () => {
  const sent = (headers: Record<string, unknown>, messageId?: string): OutboundMessage => ({
    exchange: 'x',
    routingKey: 'k',
    content: Buffer.from('body'),
    properties: messageId === undefined ? { headers } : { headers, messageId },
    mandatory: true,
  });
  const returned = (headers: Record<string, unknown>, messageId?: string, body = 'body') =>
    ({
      fields: { exchange: 'x', routingKey: 'k', replyCode: 312, replyText: 'NO_ROUTE' },
      properties: { headers, messageId },
      content: Buffer.from(body),
    }) as unknown as Message;

  it('compares exchange, key, body, ids and plain header values', () => {
    expect(looksLike(sent({ route: 'no', n: 1 }), returned({ route: 'no', n: 1 }))).toBe(true);
    expect(looksLike(sent({ route: 'yes' }), returned({ route: 'no' }))).toBe(false);
    expect(looksLike(sent({}, 'a'), returned({}, 'b'))).toBe(false);
    expect(looksLike(sent({}, 'a'), returned({}, 'a'))).toBe(true);
    expect(looksLike(sent({}), returned({}, undefined, 'other'))).toBe(false);
    expect(looksLike({ ...sent({}), routingKey: 'other' }, returned({}))).toBe(false);
  });
});
