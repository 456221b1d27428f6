import type { MessageProperties } from '@warren/core';
import type { MessageProperties as AmqplibProperties } from 'amqplib';
import { describe, expect, it } from 'vitest';
import {
  expirationFromWire,
  fromAmqplibProperties,
  timestampFromWire,
  toDeliveryInfo,
  toPublishOptions,
} from './marshal.js';

const wire = (overrides: Partial<AmqplibProperties>): AmqplibProperties => ({
  contentType: undefined,
  contentEncoding: undefined,
  headers: undefined,
  deliveryMode: undefined,
  priority: undefined,
  correlationId: undefined,
  replyTo: undefined,
  expiration: undefined,
  messageId: undefined,
  timestamp: undefined,
  type: undefined,
  userId: undefined,
  appId: undefined,
  clusterId: undefined,
  ...overrides,
});

describe('toPublishOptions', () => {
  it('writes every property as amqplib and kombu expect it on the wire', () => {
    const properties: MessageProperties = {
      contentType: 'application/json',
      contentEncoding: 'utf-8',
      headers: { compression: 'application/x-gzip', n: 1 },
      messageId: 'm-1',
      correlationId: 'c-1',
      replyTo: 'replies',
      priority: 7,
      expiration: 60_000,
      timestamp: new Date('2024-05-06T07:08:09.999Z'),
      persistent: true,
      type: 'order.created',
      appId: 'shop',
      userId: 'guest',
    };
    expect(toPublishOptions(properties, true)).toEqual({
      contentType: 'application/json',
      contentEncoding: 'utf-8',
      headers: { compression: 'application/x-gzip', n: 1 },
      deliveryMode: 2,
      priority: 7,
      correlationId: 'c-1',
      replyTo: 'replies',
      expiration: '60000',
      messageId: 'm-1',
      timestamp: Date.UTC(2024, 4, 6, 7, 8, 9) / 1000,
      type: 'order.created',
      userId: 'guest',
      appId: 'shop',
      mandatory: true,
    });
  });

  it('leaves unset properties undefined, transient is delivery mode 1, and expiration is whole milliseconds', () => {
    const options = toPublishOptions({ headers: {}, persistent: false, expiration: 1500.7 }, false);
    expect(options.deliveryMode).toBe(1);
    expect(options.expiration).toBe('1500');
    expect(options.contentType).toBeUndefined();
    expect(options.timestamp).toBeUndefined();
    expect(options.mandatory).toBe(false);
    expect(toPublishOptions({ headers: {} }, false).deliveryMode).toBeUndefined();
  });

  it('keeps one object shape whatever is set (a monomorphic hot path)', () => {
    expect(Object.keys(toPublishOptions({ headers: {} }, false))).toEqual(
      Object.keys(toPublishOptions({ headers: {}, priority: 1, persistent: true, contentType: 'x' }, true)),
    );
  });
});

describe('fromAmqplibProperties', () => {
  it('reads what a kombu producer writes', () => {
    const properties = fromAmqplibProperties(
      wire({
        contentType: 'application/json',
        contentEncoding: 'utf-8',
        headers: { compression: 'application/x-gzip' },
        deliveryMode: 2,
        priority: 0,
        expiration: '2500',
        timestamp: 1_715_000_000,
        messageId: 'abc',
        correlationId: 'def',
        replyTo: 'r',
        type: 't',
        appId: 'a',
        userId: 'guest',
      }),
    );
    expect(properties).toEqual({
      contentType: 'application/json',
      contentEncoding: 'utf-8',
      headers: { compression: 'application/x-gzip' },
      persistent: true,
      priority: 0,
      expiration: 2500,
      timestamp: new Date(1_715_000_000_000),
      messageId: 'abc',
      correlationId: 'def',
      replyTo: 'r',
      type: 't',
      appId: 'a',
      userId: 'guest',
    });
  });

  it('gives empty headers and no persistence when the broker sent none', () => {
    const properties = fromAmqplibProperties(wire({}));
    expect(properties.headers).toEqual({});
    expect(properties.persistent).toBeUndefined();
    expect(fromAmqplibProperties(wire({ deliveryMode: 1 })).persistent).toBe(false);
  });

  it('round-trips core properties through the wire form', () => {
    const original: MessageProperties = {
      headers: { a: 'b' },
      contentType: 'text/plain',
      expiration: 10,
      timestamp: new Date(1_700_000_000_000),
      persistent: false,
      priority: 3,
    };
    const options = toPublishOptions(original, false);
    const back = fromAmqplibProperties(wire({ ...options, headers: options.headers }));
    expect(back).toEqual(original);
  });
});

describe('wire conversions', () => {
  it('parses expiration strings and refuses garbage', () => {
    expect(expirationFromWire('0')).toBe(0);
    expect(expirationFromWire('123')).toBe(123);
    expect(expirationFromWire('soon')).toBeUndefined();
    expect(expirationFromWire(undefined)).toBeUndefined();
  });

  it('reads timestamps in seconds, as numbers or bigints', () => {
    expect(timestampFromWire(1)).toEqual(new Date(1000));
    expect(timestampFromWire(2n)).toEqual(new Date(2000));
    expect(timestampFromWire('x')).toBeUndefined();
  });

  it('builds delivery info with the queue, and a consumer tag only for consumed messages', () => {
    const fields = { deliveryTag: 1, redelivered: true, exchange: 'ex', routingKey: 'rk' };
    expect(toDeliveryInfo({ ...fields, consumerTag: 'ctag' }, 'q')).toEqual({
      exchange: 'ex',
      routingKey: 'rk',
      redelivered: true,
      consumerTag: 'ctag',
      queue: 'q',
    });
    expect('consumerTag' in toDeliveryInfo({ ...fields, messageCount: 0 }, 'q')).toBe(false);
  });

  it("shows a quorum queue's x-delivery-count as deliveryCount, and nothing when the header is absent", () => {
    const fields = { deliveryTag: 1, redelivered: true, exchange: '', routingKey: 'q', consumerTag: 'c' };
    expect(toDeliveryInfo(fields, 'q', { 'x-delivery-count': 2 }).deliveryCount).toBe(2);
    expect(toDeliveryInfo(fields, 'q', { 'x-delivery-count': 3n }).deliveryCount).toBe(3);
    expect('deliveryCount' in toDeliveryInfo(fields, 'q', {})).toBe(false);
    expect('deliveryCount' in toDeliveryInfo(fields, 'q', { 'x-delivery-count': 'two' })).toBe(false);
  });
});
