import type { ExchangeType } from '@warren/core';

/** One binding of a queue to the exchange under test. */
export interface TableBinding {
  routingKey?: string;
  arguments?: Record<string, unknown>;
}

export interface TableMessage {
  id: string;
  routingKey: string;
  headers?: Record<string, unknown>;
}

/**
 * A routing table: queues (by label) with their bindings to one exchange, the messages published to it, and the
 * ids that each queue must hold afterwards, no more and no fewer. A message that no queue lists goes nowhere.
 */
export interface RoutingTable {
  type: ExchangeType;
  bindings: Record<string, TableBinding[]>;
  messages: TableMessage[];
  expected: Record<string, string[]>;
}

export const DIRECT_TABLE: RoutingTable = {
  type: 'direct',
  bindings: { a: [{ routingKey: 'a' }], b: [{ routingKey: 'b' }], both: [{ routingKey: 'a' }, { routingKey: 'b' }] },
  messages: [
    { id: 'a1', routingKey: 'a' },
    { id: 'b1', routingKey: 'b' },
    { id: 'c1', routingKey: 'c' },
    { id: 'a2', routingKey: 'a' },
    // Direct matching is exact: no pattern, no case folding.
    { id: 'A', routingKey: 'A' },
    { id: 'a.x', routingKey: 'a.x' },
  ],
  // A queue bound twice gets a matching message once.
  expected: { a: ['a1', 'a2'], b: ['b1'], both: ['a1', 'a2', 'b1'] },
};

export const TOPIC_TABLE: RoutingTable = {
  type: 'topic',
  bindings: {
    stock: [{ routingKey: '*.stock.#' }],
    everything: [{ routingKey: '#' }],
    usdOneWord: [{ routingKey: 'usd.*' }],
    usdAnything: [{ routingKey: 'usd.#' }],
    endsInDb: [{ routingKey: '#.db' }],
    exact: [{ routingKey: 'stock.nasdaq' }],
    twoPatterns: [{ routingKey: '*.stock.#' }, { routingKey: 'usd.#' }],
  },
  messages: [
    { id: 'usd.stock', routingKey: 'usd.stock' },
    { id: 'eur.stock.db', routingKey: 'eur.stock.db' },
    { id: 'stock.nasdaq', routingKey: 'stock.nasdaq' },
    { id: 'usd.bond', routingKey: 'usd.bond' },
    { id: 'usd', routingKey: 'usd' },
    { id: 'usd.stock.db.x', routingKey: 'usd.stock.db.x' },
  ],
  expected: {
    // `*` is exactly one word, `#` zero or more: not stock.nasdaq (no word before stock).
    stock: ['usd.stock', 'eur.stock.db', 'usd.stock.db.x'],
    everything: ['usd.stock', 'eur.stock.db', 'stock.nasdaq', 'usd.bond', 'usd', 'usd.stock.db.x'],
    usdOneWord: ['usd.stock', 'usd.bond'],
    // `#` matches zero words, so usd.# takes usd itself.
    usdAnything: ['usd.stock', 'usd.bond', 'usd', 'usd.stock.db.x'],
    endsInDb: ['eur.stock.db'],
    exact: ['stock.nasdaq'],
    // Matching both patterns still delivers once.
    twoPatterns: ['usd.stock', 'eur.stock.db', 'usd.bond', 'usd', 'usd.stock.db.x'],
  },
};

export const FANOUT_TABLE: RoutingTable = {
  type: 'fanout',
  bindings: { one: [{ routingKey: 'ignored' }], two: [{ routingKey: '' }] },
  messages: [
    { id: 'x', routingKey: 'x' },
    { id: 'y', routingKey: 'y' },
    { id: 'empty', routingKey: '' },
  ],
  expected: { one: ['x', 'y', 'empty'], two: ['x', 'y', 'empty'] },
};

const REPORT = { format: 'pdf', type: 'report' };

export const HEADERS_TABLE: RoutingTable = {
  type: 'headers',
  bindings: {
    all: [{ arguments: { 'x-match': 'all', ...REPORT } }],
    any: [{ arguments: { 'x-match': 'any', ...REPORT } }],
    // x-match defaults to all.
    implicitAll: [{ arguments: { format: 'pdf' } }],
  },
  messages: [
    { id: 'pdf-report', routingKey: '', headers: { format: 'pdf', type: 'report' } },
    { id: 'pdf', routingKey: '', headers: { format: 'pdf' } },
    { id: 'report', routingKey: '', headers: { type: 'report' } },
    { id: 'zip-log', routingKey: '', headers: { format: 'zip', type: 'log' } },
    { id: 'pdf-report-extra', routingKey: 'any.key', headers: { format: 'pdf', type: 'report', extra: 'yes' } },
    { id: 'no-headers', routingKey: 'pdf' },
  ],
  expected: {
    all: ['pdf-report', 'pdf-report-extra'],
    any: ['pdf-report', 'pdf', 'report', 'pdf-report-extra'],
    implicitAll: ['pdf-report', 'pdf', 'pdf-report-extra'],
  },
};
