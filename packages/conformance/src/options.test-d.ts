import type { Capabilities, Connection } from '@warren/core';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it, test } from 'vitest';
import {
  type ConformanceOptions,
  type ConformanceTestApi,
  type ConformanceTestContext,
  runConformanceSuite,
} from './index.js';

// Checked by tsc (vitest --typecheck), not run: these are the public types a transport's test file relies on.
describe('public types of the suite options', () => {
  test("vitest's own functions are accepted as they are", () => {
    expectTypeOf({ describe, it, expect, beforeAll, afterAll }).toExtend<ConformanceTestApi>();
  });

  test('runConformanceSuite takes ConformanceOptions and returns nothing', () => {
    expectTypeOf(runConformanceSuite).parameter(0).toEqualTypeOf<ConformanceOptions>();
    expectTypeOf(runConformanceSuite).returns.toBeVoid();
  });

  test('each option has its exact type, none is any', () => {
    expectTypeOf<ConformanceOptions['name']>().toEqualTypeOf<string>();
    expectTypeOf<ConformanceOptions['connect']>().toEqualTypeOf<() => Promise<Connection>>();
    expectTypeOf<ConformanceOptions['test']>().toEqualTypeOf<ConformanceTestApi>();
    expectTypeOf<ConformanceOptions['capabilities']>().toEqualTypeOf<Capabilities | undefined>();
    expectTypeOf<ConformanceOptions['cutConnection']>().toEqualTypeOf<
      ((connection: Connection) => Promise<void>) | undefined
    >();
    expectTypeOf<ConformanceOptions['timeScale']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<ConformanceTestContext['skip']>().parameters.toEqualTypeOf<[note?: string]>();
  });

  test('name, connect and test are required; the rest is optional', () => {
    const test = { describe, it, expect, beforeAll, afterAll };
    const connect = (): Promise<Connection> => Promise.reject(new Error('not called'));
    expectTypeOf({ name: 'x', connect, test }).toExtend<ConformanceOptions>();
    expectTypeOf({ name: 'x', connect }).not.toExtend<ConformanceOptions>();
    expectTypeOf({ name: 'x', test }).not.toExtend<ConformanceOptions>();
    expectTypeOf({ connect, test }).not.toExtend<ConformanceOptions>();
    // A connection factory must be asynchronous, and the fault hook must take the connection to cut.
    expectTypeOf({ name: 'x', connect: () => ({}) as Connection, test }).not.toExtend<ConformanceOptions>();
    expectTypeOf({
      name: 'x',
      connect,
      test,
      cutConnection: (port: number) => Promise.resolve(port),
    }).not.toExtend<ConformanceOptions>();
    expectTypeOf({ name: 'x', connect, test, timeScale: '2' }).not.toExtend<ConformanceOptions>();
  });
});
