/**
 * `@warren/core/transport`: what a transport author needs and an application does not. The transport contract
 * (sessions, deliveries, consumers), the registry that maps URL schemes to transports, URL helpers, the built-in
 * memory:// transport (to wrap or compare against), and the AMQP 0-9-1 semantics written once for every transport that
 * emulates a broker (routing tables, topic and headers matching, queue arguments, dead-lettering, FIFO).
 *
 * Applications import from `@warren/core`; errors, `Capabilities` and message types live there and are shared.
 *
 * @module @warren/core/transport
 */
export { AcceptList, type EncodedMessage, type EncodeRequest, encodeBody } from './codec.js';
export { redactCause, redactUrls, toError } from './errors.js';
export { MEMORY_CAPABILITIES, memoryTransport } from './memory/transport.js';
export { didYouMean, nearestName } from './nearest-name.js';
export { optionNames, parseOptions, reconnectSchema, rejectUnknownKeys } from './options.js';
export {
  KNOWN_SCHEME_PACKAGES,
  knownSchemes,
  registerTransport,
  resolveTransport,
  unregisterTransport,
} from './registry.js';
export * from './semantics/index.js';
export type {
  ConnectRequest,
  ConsumeOptions,
  Delivery,
  DeliverySettler,
  DirectReplyChannel,
  DirectReplyHooks,
  OptionsSchema,
  OutboundMessage,
  SchemaIssue,
  SessionHooks,
  TransportConsumer,
  TransportFactory,
  TransportSession,
} from './transport.js';
export { parseUrl, queryParameters, redactUrl, schemeOf } from './url.js';
