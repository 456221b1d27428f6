import { describe, expect, it } from 'vitest';
import {
  detectStrategy,
  EXCHANGE_ANNOTATION,
  plainStrategy,
  ROUTING_KEY_ANNOTATION,
  rabbitmqStrategy,
} from './addresses.js';

describe('address strategies', () => {
  it('RabbitMQ: the default exchange goes to /amq/queue, others to /exchange/X/key', () => {
    const rabbit = rabbitmqStrategy('3.10.8');
    expect(rabbit.sendAddress('', 'jobs')).toBe('/amq/queue/jobs');
    expect(rabbit.sendAddress('feed', 'importer.news')).toBe('/exchange/feed/importer.news');
    expect(rabbit.sendAddress('fan', '')).toBe('/exchange/fan');
    expect(rabbit.sendAddress('a/b', 'c/d')).toBe('/exchange/a%2Fb/c%2Fd');
    expect(rabbit.receiveAddress('jobs')).toBe('/amq/queue/jobs');
    expect(rabbit.brokerName).toBe('RabbitMQ 3.10.8');
  });

  it('RabbitMQ: the origin comes from the broker annotations, else from what warren stamped', () => {
    const rabbit = rabbitmqStrategy(undefined);
    const stamped = rabbit.stamp('feed', 'k') as Record<string, string>;
    expect(stamped).toEqual({ [EXCHANGE_ANNOTATION]: 'feed', [ROUTING_KEY_ANNOTATION]: 'k' });
    expect(rabbit.origin(stamped, 'q')).toEqual({ exchange: 'feed', routingKey: 'k' });
    expect(rabbit.origin({ 'x-exchange': 'e', 'x-routing-key': 'r' }, 'q')).toEqual({ exchange: 'e', routingKey: 'r' });
    expect(rabbit.origin(undefined, 'q')).toEqual({ exchange: '', routingKey: 'q' });
    // The default exchange needs no stamp: the routing key is the queue's name.
    expect(rabbit.stamp('', 'q')).toBeUndefined();
  });

  it('plain: the routing key is the node address, the exchange is always the default one', () => {
    const plain = plainStrategy('the broker');
    expect(plain.sendAddress('', 'orders')).toBe('orders');
    expect(plain.receiveAddress('orders')).toBe('orders');
    expect(plain.stamp('', 'orders')).toBeUndefined();
    expect(plain.origin({ 'x-opt-warren-exchange': 'x' }, 'orders')).toEqual({ exchange: '', routingKey: 'orders' });
  });

  it('detects RabbitMQ from its open frame, or takes the option', () => {
    expect(detectStrategy('auto', { product: 'RabbitMQ', version: '3.10.8' }, 'h:1').kind).toBe('rabbitmq');
    expect(detectStrategy('auto', undefined, 'h:1')).toMatchObject({
      kind: 'plain',
      brokerName: 'the AMQP 1.0 broker at h:1',
    });
    expect(detectStrategy('auto', { product: 'apache-activemq-artemis', version: '2.31' }, 'h:1').brokerName).toBe(
      'apache-activemq-artemis 2.31 at h:1',
    );
    expect(detectStrategy('plain', { product: 'RabbitMQ' }, 'h:1').kind).toBe('plain');
    expect(detectStrategy('rabbitmq', undefined, 'h:1').kind).toBe('rabbitmq');
  });
});
