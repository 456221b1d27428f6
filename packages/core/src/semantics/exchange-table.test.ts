import { describe, expect, it } from 'vitest';
import { NotFoundError, PreconditionFailedError } from '../errors.js';
import type { ExchangeType } from '../topology.js';
import { checkExchangeEquivalent, ExchangeTable } from './exchange-table.js';

function table(...exchanges: Array<[string, ExchangeType]>): ExchangeTable {
  const t = new ExchangeTable();
  for (const [name, type] of exchanges)
    t.declare({ name, type, durable: false, autoDelete: false, internal: false, arguments: {} });
  return t;
}
const queue = (destination: string, routingKey = '', args = {}) => ({
  destination,
  destinationKind: 'queue' as const,
  routingKey,
  arguments: args,
});
const all = () => true;

describe('ExchangeTable', () => {
  it('routes direct by exact key, each queue once', () => {
    const t = table(['d', 'direct']);
    t.bind('d', queue('q1', 'a'));
    t.bind('d', queue('q2', 'a'));
    t.bind('d', queue('q3', 'b'));
    expect(t.route('d', 'a', {}, all).sort()).toEqual(['q1', 'q2']);
    expect(t.route('d', 'c', {}, all)).toEqual([]);
  });
  it('routes topic, fanout and headers', () => {
    const t = table(['t', 'topic'], ['f', 'fanout'], ['h', 'headers']);
    t.bind('t', queue('stocks', '*.stock.#'));
    t.bind('f', queue('f1'));
    t.bind('f', queue('f2', 'ignored'));
    t.bind('h', queue('pdf', '', { 'x-match': 'all', format: 'pdf' }));
    expect(t.route('t', 'eur.stock.db', {}, all)).toEqual(['stocks']);
    expect(t.route('t', 'stock.nasdaq', {}, all)).toEqual([]);
    expect(t.route('f', 'anything', {}, all).sort()).toEqual(['f1', 'f2']);
    expect(t.route('h', '', { format: 'pdf' }, all)).toEqual(['pdf']);
    expect(t.route('h', '', { format: 'doc' }, all)).toEqual([]);
  });
  it('follows exchange-to-exchange bindings and cuts cycles', () => {
    const t = table(['a', 'fanout'], ['b', 'topic']);
    t.bind('a', { destination: 'b', destinationKind: 'exchange', routingKey: '', arguments: {} });
    t.bind('b', { destination: 'a', destinationKind: 'exchange', routingKey: '#', arguments: {} });
    t.bind('b', queue('q', 'x.#'));
    expect(t.route('a', 'x.y', {}, all)).toEqual(['q']);
    expect(t.route('a', 'z', {}, all)).toEqual([]);
  });
  it('the default exchange routes to the queue named by the key when it exists', () => {
    const t = new ExchangeTable();
    expect(t.route('', 'jobs', {}, (name) => name === 'jobs')).toEqual(['jobs']);
    expect(t.route('', 'nope', {}, (name) => name === 'jobs')).toEqual([]);
  });
  it('unknown exchange is NotFoundError; redeclare with another type is PreconditionFailedError', () => {
    const t = table(['x', 'direct']);
    expect(() => t.route('missing', 'k', {}, all)).toThrow(NotFoundError);
    expect(() =>
      t.declare({ name: 'x', type: 'topic', durable: false, autoDelete: false, internal: false, arguments: {} }),
    ).toThrow(PreconditionFailedError);
  });
  it('unbind and removal of a deleted queue stop routing', () => {
    const t = table(['d', 'direct']);
    t.bind('d', queue('q1', 'a'));
    t.bind('d', queue('q2', 'a'));
    expect(t.unbind('d', queue('q1', 'a'))).toBe(true);
    expect(t.route('d', 'a', {}, all)).toEqual(['q2']);
    t.removeBindingsTo('q2', 'queue');
    expect(t.route('d', 'a', {}, all)).toEqual([]);
  });
  it('delete with ifUnused refuses an exchange that has bindings', () => {
    const t = table(['d', 'direct']);
    t.bind('d', queue('q', 'a'));
    expect(() => t.delete('d', { ifUnused: true })).toThrow(PreconditionFailedError);
    expect(t.delete('d')).toBe(true);
    expect(t.has('d')).toBe(false);
  });
  it('loads a whole table at once and routes it as if declared and bound one by one', () => {
    const definition = (name: string, type: ExchangeType) => ({
      name,
      type,
      durable: false,
      autoDelete: false,
      internal: false,
      arguments: {},
    });
    const loaded = ExchangeTable.load(
      [definition('t', 'topic'), definition('f', 'fanout')],
      [
        { source: 't', binding: queue('q1', 'a.*') },
        { source: 't', binding: queue('q1', 'a.*') },
        { source: 't', binding: { destination: 'f', destinationKind: 'exchange', routingKey: '#', arguments: {} } },
        { source: 'f', binding: queue('q2') },
        { source: 'missing', binding: queue('q3') },
      ],
    );
    expect(loaded.bindingCount('t')).toBe(2);
    expect(loaded.route('t', 'a.b', {}, all).sort()).toEqual(['q1', 'q2']);
    expect(loaded.route('t', 'b', {}, all)).toEqual(['q2']);
    expect(loaded.has('missing')).toBe(false);
  });
  it('checkExchangeEquivalent refuses another type or durability', () => {
    const existing = { name: 'x', type: 'direct' as const, durable: true };
    expect(() => checkExchangeEquivalent(existing, { type: 'direct', durable: true })).not.toThrow();
    expect(() => checkExchangeEquivalent(existing, { type: 'topic', durable: true })).toThrow(PreconditionFailedError);
    expect(() => checkExchangeEquivalent(existing, { type: 'direct', durable: false })).toThrow(
      PreconditionFailedError,
    );
  });
});
