/**
 * mozillapulse's producer script on warren: make a publisher for the code exchange, fill an HgCommitMessage (it
 * validates its required fields), publish it (resolves once the broker confirmed it), disconnect.
 *
 *   npx tsx examples/pulse/producer.ts                                           # memory://
 *   WARREN_URL=amqp://guest:guest@127.0.0.1:5672/ npx tsx examples/pulse/producer.ts
 *
 * On Pulse itself only the exchange's owner may publish to it: give that user's credentials instead of a URL,
 * `new publishers.CodePublisher({ user, password })`.
 */
import { pathToFileURL } from 'node:url';
import { messages, publishers } from '@warren/pulse';

/** The message the scripts send: a commit to mozilla-central, with every required field. */
export function sampleCommit(): messages.hg.HgCommitMessage {
  const message = new messages.hg.HgCommitMessage('mozilla-central');
  message.setData('who', 'someone@example.com');
  message.setData('when', new Date().toISOString());
  message.setData('changeset', 'f00dfeed1234');
  message.setData('message', 'Bug 1234 - make warren speak Pulse');
  message.setData('link', 'https://hg.mozilla.org/mozilla-central/rev/f00dfeed1234');
  return message;
}

async function main(): Promise<void> {
  const url = process.env.WARREN_URL ?? 'memory://';
  const pulse = new publishers.CodePublisher({ url });
  try {
    await pulse.publish(sampleCommit());
    console.log(`published hg.commit.mozilla-central to ${pulse.exchange}`);
  } finally {
    await pulse.disconnect();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
