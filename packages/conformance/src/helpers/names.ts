import { randomBytes } from 'node:crypto';

/**
 * One id per process: two runs of the suite against one shared broker (two CI jobs, two transports' test files
 * in parallel) never touch each other's queues, and a leftover queue says which run made it.
 */
const RUN_ID = randomBytes(4).toString('hex');
let sequence = 0;

/**
 * A name no other test uses, in this process or another one: `warren.conformance.<label>.<run>.<n>`. Every
 * queue and exchange of the suite gets one, so tests can run in parallel and never see each other's messages.
 */
export function uniqueName(label: string): string {
  sequence += 1;
  return `warren.conformance.${label}.${RUN_ID}.${sequence}`;
}
