/** Mercurial messages (commits, pushes, repository status). */

export { type MessageData, type PreparedMessage, PulseMessage, routingWord } from './base.js';
/** Bugzilla messages. */
export * as bugzilla from './bugzilla.js';
/** Build messages. */
export * as build from './build.js';
export { RawMessage } from './generic.js';
export * as hg from './hg.js';
/** Test messages. */
export * as test from './test.js';
