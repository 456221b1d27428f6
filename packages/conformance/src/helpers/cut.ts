import type { Connection } from '@warren/core';
import type { SuiteContext } from '../context.js';
import type { TestScope } from '../scope.js';
import { Condition } from './wait.js';

/** A connection of its own that a case may cut, and a way to wait until it has come back. */
export interface CuttableConnection {
  connection: Connection;
  /** Cuts the connection (the transport's fault hook) and resolves once it has reconnected. */
  cutAndAwaitReconnect(): Promise<void>;
}

/**
 * Opens a connection for a case that cuts it (only where `restartable`): errors during the outage are expected
 * and ignored; `cutAndAwaitReconnect` waits on the 'reconnect' event itself, never on a sleep.
 */
export async function cuttableConnection(suite: SuiteContext, t: TestScope): Promise<CuttableConnection> {
  const cut = suite.options.cutConnection;
  if (!cut) {
    throw new Error(
      'capabilities.restartable is true but runConformanceSuite got no cutConnection hook: pass one so that the suite can cut connections.',
    );
  }
  const connection = await t.connect();
  connection.on('error', () => undefined);
  const reconnected = new Condition();
  let reconnects = 0;
  connection.on('reconnect', () => {
    reconnects += 1;
    reconnected.notify();
  });
  return {
    connection,
    async cutAndAwaitReconnect() {
      const before = reconnects;
      await cut(connection);
      await reconnected.until(() => reconnects > before, t.ms(30_000), 'the connection to come back');
    },
  };
}
