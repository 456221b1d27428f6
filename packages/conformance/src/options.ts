import type { Capabilities, Connection } from '@warren/core';
import type { ExpectStatic } from 'vitest';

/** What the suite needs from a test's context: skipping at run time, when capabilities are read from the connection. */
export interface ConformanceTestContext {
  /** Marks the running test skipped (a capability read at run time disclaims it). */
  skip(note?: string): void;
}

/** The body of one conformance test, given the test context. */
export type ConformanceTestBody = (context: ConformanceTestContext) => Promise<void>;

/** The slice of vitest's `it` the suite calls. */
export interface ConformanceIt {
  (name: string, body: ConformanceTestBody, timeoutMs?: number): void;
  /** Registers a test reported as skipped. */
  skip(name: string, body: ConformanceTestBody, timeoutMs?: number): void;
}

/**
 * The test functions of the runner, passed in rather than imported: the suite then registers its tests in the
 * caller's own vitest (the one that runs the file), and this package does not load vitest at run time. Pass
 * vitest's `{ describe, it, expect, beforeAll, afterAll }` as they are.
 */
export interface ConformanceTestApi {
  /** Groups tests (vitest's `describe`). */
  describe(name: string, body: () => void): void;
  /** Registers a test (vitest's `it`). */
  it: ConformanceIt;
  /** Assertions (vitest's `expect`). */
  expect: ExpectStatic;
  /** Runs once before the tests of the enclosing `describe` (vitest's `beforeAll`). */
  beforeAll(body: () => Promise<void> | void, timeoutMs?: number): void;
  /** Runs once after them (vitest's `afterAll`). */
  afterAll(body: () => Promise<void> | void, timeoutMs?: number): void;
}

/** How a transport's test file runs the suite. */
export interface ConformanceOptions {
  /** Names the top-level `describe` block: `warren conformance: <name>`. */
  name: string;
  /**
   * Opens a new Connection each call. The suite opens one shared connection for the run, and more in the tests
   * that need several clients (several consumers, a cut connection), and closes every one it opened.
   */
  connect: () => Promise<Connection>;
  /** The test runner's functions: vitest's `{ describe, it, expect, beforeAll, afterAll }`. */
  test: ConformanceTestApi;
  /**
   * The transport's capabilities, when known before the run: tests that they disclaim are then reported as
   * skipped at collection. Without it, they are read from the first connection and disclaimed tests skip at run
   * time. When given, the suite also checks that the connection reports the same.
   */
  capabilities?: Capabilities;
  /**
   * Cuts a connection the way a network failure would (close it broker-side, or reset its socket: see
   * `connection.localPorts()`), and resolves once it is cut. Required when `capabilities.restartable` is true:
   * the recovery case cuts connections in the middle of a 10,000-message run.
   */
  cutConnection?: (connection: Connection) => Promise<void>;
  /** Multiplies every timeout (and the suite's few time-based settings such as TTLs) for slow brokers. Default 1. */
  timeScale?: number;
  /**
   * Cases the transport claims the capabilities for but is known to fail, by case name, each with the reason (an
   * open defect, not a disclaimer): they are registered as skipped, so the gap stays visible in every run.
   */
  knownFailures?: Readonly<Record<string, string>>;
}
