import { describe, expect, it } from 'vitest';
import { bindingField, exchangeRecord, parseBindingField, TopologySnapshot } from './topology.js';

const keys = { stream: (q: string) => `s:${q}`, outbox: (q: string) => `d:${q}` };
const exchange = (type: string) =>
  exchangeRecord({ name: '', type: type as 'topic', durable: true, autoDelete: false, internal: false, arguments: {} });
const queue = (args: object = {}) =>
  JSON.stringify({ d: true, a: JSON.stringify({ other: {}, ...args }), o: null, ad: false });

describe('stored topology', () => {
  it('gives equal fields for equal bindings whatever the key order of their arguments', () => {
    const a = bindingField('h', 'queue', 'q', '', { 'x-match': 'any', b: 1, a: 2 });
    const b = bindingField('h', 'queue', 'q', '', { a: 2, 'x-match': 'any', b: 1 });
    expect(a).toBe(b);
    expect(parseBindingField(a)).toEqual({
      source: 'h',
      binding: {
        destination: 'q',
        destinationKind: 'queue',
        routingKey: '',
        arguments: { a: 2, b: 1, 'x-match': 'any' },
      },
    });
    expect(parseBindingField('not json')).toBeUndefined();
  });

  it('routes with core routing over what was read, default exchange included', () => {
    const snapshot = TopologySnapshot.build(
      '7',
      { t: exchange('topic'), f: exchange('fanout'), broken: '{' },
      {
        q1: queue(),
        q2: queue({ maxLength: 2, overflow: 'reject-publish', deadLetterExchange: 'dlx' }),
        q3: queue({ messageTtl: 5 }),
      },
      [
        bindingField('t', 'queue', 'q1', 'a.#', {}),
        bindingField('t', 'exchange', 'f', '*.b', {}),
        bindingField('f', 'queue', 'q2', '', {}),
      ],
      keys,
      (key) => JSON.parse(key),
    );
    expect(snapshot.version).toBe('7');
    expect(snapshot.route('t', 'a.b', {}).sort()).toEqual(['q1', 'q2']);
    expect(snapshot.route('t', 'z.b', {})).toEqual(['q2']);
    expect(snapshot.route('', 'q3', {})).toEqual(['q3']);
    expect(snapshot.route('', 'nope', {})).toEqual([]);
    expect(() => snapshot.route('broken', 'x', {})).toThrow(/does not exist/);
    const q2 = snapshot.queues.get('q2');
    expect(q2).toMatchObject({
      mode: 'r',
      hasDeadLetterExchange: true,
      hasTtl: false,
      streamKey: 's:q2',
      outboxKey: 'd:q2',
    });
    expect(snapshot.queues.get('q3')).toMatchObject({ mode: '', hasTtl: true });
  });
});
