import { z } from 'zod';
import { PulseMessage, routingWord } from './base.js';

/** Fields of HgCommitMessage: who committed, when, the changeset id, its message and a link to it. */
export const hgCommitSchema = z
  .object({
    repository: z.string().min(1),
    who: z.string().min(1),
    when: z.union([z.string().min(1), z.number()]),
    changeset: z.string().regex(/^[0-9a-f]{12,40}$/, 'expected a changeset id: 12 to 40 hexadecimal digits'),
    message: z.string(),
    link: z.url(),
  })
  .loose();

/** Fields of HgPushMessage. */
export const hgPushSchema = z
  .object({
    repository: z.string().min(1),
    who: z.string().min(1),
    when: z.union([z.string().min(1), z.number()]),
    changesets: z.array(z.string()).min(1),
  })
  .loose();

/** Fields of a repository status message (opened or closed). */
export const hgRepoStatusSchema = z.object({ repository: z.string().min(1) }).loose();

/** mozillapulse's GenericHgMessage: routing key `hg.<kind>.<repository path parts>`. */
export class GenericHgMessage<TData extends { repository: string }> extends PulseMessage<TData> {
  /** Appends the repository's path parts (`releases/mozilla-beta` → `releases.mozilla-beta`). */
  override routingKeyParts(): string[] {
    const repository = String(this.data.repository ?? '');
    return [...this.routingParts, ...repository.split('/').filter(Boolean).map(routingWord)];
  }
}

/** A commit to a Mercurial repository; requires who, when, changeset, message and link. */
export class HgCommitMessage extends GenericHgMessage<z.infer<typeof hgCommitSchema>> {
  /** @param repository the repository path, such as `mozilla-central` or `releases/mozilla-beta`. */
  constructor(repository: string) {
    super({ schema: hgCommitSchema, routingParts: ['hg', 'commit'] });
    this.setData('repository', repository);
  }
}

/** A push of changesets; requires who, when and changesets. */
export class HgPushMessage extends GenericHgMessage<z.infer<typeof hgPushSchema>> {
  /** @param repository the repository path. */
  constructor(repository: string) {
    super({ schema: hgPushSchema, routingParts: ['hg', 'push'] });
    this.setData('repository', repository);
  }
}

/** The repository was opened for commits. */
export class HgRepoOpenedMessage extends GenericHgMessage<z.infer<typeof hgRepoStatusSchema>> {
  /** @param repository the repository path. */
  constructor(repository: string) {
    super({ schema: hgRepoStatusSchema, routingParts: ['hg', 'repo', 'opened'] });
    this.setData('repository', repository);
  }
}

/** The repository was closed for commits. */
export class HgRepoClosedMessage extends GenericHgMessage<z.infer<typeof hgRepoStatusSchema>> {
  /** @param repository the repository path. */
  constructor(repository: string) {
    super({ schema: hgRepoStatusSchema, routingParts: ['hg', 'repo', 'closed'] });
    this.setData('repository', repository);
  }
}
