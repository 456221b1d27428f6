import { connect } from '@warren/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConformanceTestApi, ConformanceTestBody } from '../index.js';
import { runConformanceSuite } from '../index.js';
import { cutFaultyConnection, type Fault, registerFaultyTransport } from './faulty-transport.js';

/**
 * The suite tested against broken transports: memory:// with one fault each. Every listed case must fail, and
 * fail on an assertion or a wait (not on a crash of the harness); a case that passes despite the fault tests
 * nothing. Only the listed cases run, with short timeouts (timeScale), so that waiting for what never comes is quick.
 */
const MUST_FAIL: Record<Exclude<Fault, 'none' | 'loses-sends-after-reconnect'>, string[]> = {
  'drops-every-7th-publish': [
    'publish then subscribe: 100 messages, body and properties intact',
    'subscribe then publish: 100 messages through an exchange',
    '50 concurrent publishers x 5 consumers: every message exactly once, with acks',
    '5000 messages through consumers created and closed in turn: nothing lost',
    'purge drops the ready messages and returns how many',
  ],
  'loses-properties': [
    'publish then subscribe: 100 messages, body and properties intact',
    'reject dead-letters to the dead-letter exchange with an x-death header',
  ],
  'duplicates-deliveries': [
    'publish then subscribe: 100 messages, body and properties intact',
    '50 concurrent publishers x 5 consumers: every message exactly once, with acks',
    '5000 messages through consumers created and closed in turn: nothing lost',
  ],
  'ignores-prefetch': ['no new delivery beyond prefetch until an ack'],
  'requeue-acks': [
    'requeue redelivers the message with redelivered set',
    'a fetched message that is requeued comes back redelivered',
  ],
  'reject-requeues': [
    'reject dead-letters to the dead-letter exchange with an x-death header',
    'reject without a dead-letter exchange drops the message',
    'a callback that throws: error event, message rejected, the consumer goes on',
  ],
  'close-acks-unsettled': [
    'closing a consumer with unacked messages hands them to another consumer',
    '5000 messages through consumers created and closed in turn: nothing lost',
  ],
  'no-redelivered-flag': [
    'requeue redelivers the message with redelivered set',
    'closing a consumer with unacked messages hands them to another consumer',
    'a fetched message that is requeued comes back redelivered',
  ],
  'topic-star-as-hash': ['topic exchange routes by its table'],
  'headers-any-as-all': ['headers exchange routes by its table'],
  'ignores-ttl': [
    'per-queue TTL expires messages',
    'per-queue TTL dead-letters expired messages with reason expired',
    'per-message expiration drops only the expiring message',
  ],
  'no-dead-letters': [
    'reject dead-letters to the dead-letter exchange with an x-death header',
    'per-queue TTL dead-letters expired messages with reason expired',
    'per-message expiration drops only the expiring message',
    'max length drops from the head',
  ],
  'purge-miscounts': [
    'purge drops the ready messages and returns how many',
    'purge and fetch together: purge counts only what fetch left',
  ],
  'ignores-mandatory': ['a mandatory message that no queue takes rejects with NoRouteError'],
  'truncates-large-bodies': [
    'round trip: json (unicode, empty, 1 MiB)',
    'round trip: text (unicode, empty, 1 MiB)',
    'round trip: binary (unicode, empty, 1 MiB)',
    'round trip: msgpack (unicode, empty, 1 MiB)',
  ],
};

/** Failures that show the suite caught the fault: a failed assertion, or a wait for what never came. */
const CAUGHT = ['AssertionError', 'WaitTimeoutError'];

/** So fast that a wait for what never comes ends quickly; the control run shows it is not too fast to pass. */
const TIME_SCALE = 0.1;

/**
 * A test API that registers only the `names` cases: as they are (`expect: 'pass'`), or each as a test that passes
 * when the case fails (`expect: 'fail'`).
 */
function selectedCases(
  names: readonly string[],
  registered: Set<string>,
  outcome: 'pass' | 'fail',
): ConformanceTestApi {
  const selected = (name: string, body: ConformanceTestBody, timeoutMs?: number): void => {
    if (!names.includes(name)) return;
    registered.add(name);
    if (outcome === 'pass') {
      it(name, body, timeoutMs);
      return;
    }
    it(
      `${name}: fails`,
      async (context) => {
        let caught: unknown;
        try {
          await body(context);
        } catch (error) {
          caught = error;
        }
        expect(caught, 'the case passed although the transport breaks its rule').toBeInstanceOf(Error);
        expect(CAUGHT, String(caught)).toContain((caught as Error).name);
        if (process.env.SELF_TEST_DEBUG) console.log(name, String(caught));
      },
      // Room for the case's own waits to run out first, so it fails on them rather than on this timeout.
      (timeoutMs ?? 5_000) * 3,
    );
  };
  // Theme blocks are flattened: most of them hold no listed case, and vitest refuses an empty describe.
  const flatDescribe = (name: string, body: () => void): void => {
    if (name.startsWith('warren conformance')) describe(name, body);
    else body();
  };
  return { describe: flatDescribe, it: Object.assign(selected, { skip: () => {} }), expect, beforeAll, afterAll };
}

function selfTest(
  fault: Fault,
  names: string[],
  outcome: 'pass' | 'fail',
  restartable = false,
  timeScale = TIME_SCALE,
): void {
  const scheme = registerFaultyTransport(fault, { restartable });
  const registered = new Set<string>();
  runConformanceSuite({
    name: `self-test, ${fault}${restartable ? ', restartable' : ''}`,
    // Quick reconnects: the recovery case waits for them.
    connect: () => connect({ url: `${scheme}://self-test`, reconnect: { minDelayMs: 5, maxDelayMs: 50 } }),
    test: selectedCases(names, registered, outcome),
    timeScale,
    ...(restartable && { cutConnection: cutFaultyConnection }),
  });
  // A renamed case would otherwise drop out of the self-test without a word.
  it(`self-test, ${fault}: every listed case exists`, () => {
    expect(names.filter((name) => !registered.has(name))).toEqual([]);
  });
}

// The control: without a fault, at the same time scale, every case used below passes.
selfTest('none', [...new Set(Object.values(MUST_FAIL).flat())], 'pass');
for (const [fault, names] of Object.entries(MUST_FAIL) as Array<
  [Exclude<Fault, 'none' | 'loses-sends-after-reconnect'>, string[]]
>) {
  selfTest(fault, names, 'fail');
}

// The recovery case, on memory:// made restartable: sessions are cut as a network failure would cut them.
const RECOVERY = 'a connection cut mid-stream: every confirmed message of 10000 is delivered';
// Its final wait (60 s, scaled) is what a lossy transport runs into, so it gets a smaller scale of its own.
selfTest('none', [RECOVERY], 'pass', true, 0.03);
selfTest('loses-sends-after-reconnect', [RECOVERY], 'fail', true, 0.03);
