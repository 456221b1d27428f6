import {
  ConnectionError,
  MessageNackedError,
  NoRouteError,
  SerializationError,
  TimeoutError,
  type WarrenError,
} from '@warren/core';
import { brokerText, mapOperationError } from './errors.js';

/** The messages of the publish path, built only when something goes wrong. */
export const publishErrors = {
  nacked: (exchange: string, routingKey: string) =>
    new MessageNackedError(
      `The broker refused the message to exchange "${exchange}" with routing key "${routingKey}" (basic.nack): a queue it routes to may be full with overflow "reject-publish". Send it again later, or make room in the queue.`,
    ),

  /** Not an error of the send: a warning that nacked messages go out again on a new channel (nack-retry.ts). */
  nackRetried: (count: number, channelAgeMs: number, delayMs: number) =>
    new MessageNackedError(
      `RabbitMQ nacked ${count} message(s) on a publish channel opened ${channelAgeMs} ms earlier (as it does while a quorum queue elects a new leader): warren sends them again on a new channel in ${delayMs} ms. Nothing to do unless this repeats.`,
    ),

  noRoute: (exchange: string, routingKey: string, replyText: string) =>
    new NoRouteError(
      `No queue took the mandatory message to exchange "${exchange}" with routing key "${routingKey}" (${replyText}): declare and bind a queue for it first, or send it without mandatory.`,
    ),

  confirmTimeout: (timeoutMs: number) =>
    new TimeoutError(
      `The broker did not confirm the message within ${timeoutMs} ms; it may or may not have been delivered. Check the broker's memory and disk alarms (rabbitmq-diagnostics alarms), or raise publishTimeoutMs.`,
    ),

  sendTimeout: (timeoutMs: number) =>
    new TimeoutError(
      `The message could not be written within ${timeoutMs} ms (back-pressure, a full confirm window or the publish channel reopening); it was not sent. Slow down the publisher, raise maxInFlight, or raise publishTimeoutMs.`,
    ),

  unencodable: (error: unknown) =>
    new SerializationError(
      `The message's properties cannot be encoded for AMQP: ${error instanceof Error ? error.message : String(error)}. Check the header values (strings, numbers, booleans, Buffers, arrays and objects of those; 64 KiB at most in all) and the property types.`,
      { cause: error },
    ),

  /** The channel was cut under messages written but not confirmed. */
  unconfirmed: (cause: unknown, reason: string) =>
    new ConnectionError(
      `The publish channel closed before the broker confirmed the message (${reason}); it may or may not have been delivered. warren reopens the channel by itself: send it again if duplicates are acceptable.`,
      { cause },
    ),

  /** The session is closed or lost: the message was never written. */
  notSent: (reason: string) => new ConnectionError(`The message was not sent: ${reason}.`),
};

/**
 * For each unconfirmed message of a publish channel that the broker closed with an error: the message that
 * caused it (the broker names the exchange: "NOT_FOUND - no exchange 'x' in vhost '/'") gets the mapped error
 * (NotFoundError, AccessRefusedError, ...); the others were only cut by it (null: send them again). When the
 * broker names no exchange, every message gets the mapped error: better a typed error than a loop that closes
 * the channel again and again.
 */
export function channelErrorFor(error: unknown): (exchange: string) => WarrenError | null {
  const named = /exchange '([^']*)'/.exec(brokerText(error) ?? '')?.[1];
  let mapped: WarrenError | undefined;
  return (exchange) => {
    if (named !== undefined && named !== exchange) return null;
    mapped ??= mapOperationError(error, `publishing to exchange "${exchange}"`);
    return mapped;
  };
}
