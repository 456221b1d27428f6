/**
 * The README's example, kept runnable: a third-party transport (here a thin one over memory://, so that it runs
 * anywhere) registered under its own scheme and checked by the whole suite.
 */

import { runConformanceSuite } from '@warren/conformance';
import { type Capabilities, connect } from '@warren/core';
import { memoryTransport, registerTransport, type TransportFactory } from '@warren/core/transport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// 1. The transport: a TransportFactory registered under its URL scheme (a real one opens a socket in connect).
const capabilities: Capabilities = { ...memoryTransport.capabilities };
const myTransport: TransportFactory<unknown> = {
  name: 'mybroker',
  schemes: ['mybroker'],
  capabilities,
  optionsSchema: memoryTransport.optionsSchema,
  connect: (request) => memoryTransport.connect(request as Parameters<typeof memoryTransport.connect>[0]),
};
registerTransport(myTransport);

// 2. The suite: a connection factory, the transport's capabilities, and vitest's own functions.
runConformanceSuite({
  name: 'mybroker',
  connect: () => connect('mybroker://conformance-example'),
  capabilities,
  test: { describe, it, expect, beforeAll, afterAll },
});
