import { z } from 'zod';
import { PulseMessage, routingWord } from './base.js';

/** Fields of HgCommitMessage. */
export interface HgCommitData {
  /** The repository path, such as `mozilla-central`. */
  repository: string;
  /** Who committed (an e-mail address, usually). */
  who: string;
  /** When: an RFC 3339 time, or seconds since the epoch. */
  when: string | number;
  /** The changeset id: 12 to 40 hexadecimal digits. */
  changeset: string;
  /** The commit message. */
  message: string;
  /** A link to the changeset. */
  link: string;
  /** Any further field. */
  [extra: string]: unknown;
}

/** Fields of HgPushMessage. */
export interface HgPushData {
  /** The repository path. */
  repository: string;
  /** Who pushed. */
  who: string;
  /** When: an RFC 3339 time, or seconds since the epoch. */
  when: string | number;
  /** The changeset ids pushed. */
  changesets: string[];
  /** Any further field. */
  [extra: string]: unknown;
}

/** Fields of a repository status message. */
export interface HgRepoStatusData {
  /** The repository path. */
  repository: string;
  /** Any further field. */
  [extra: string]: unknown;
}

/** Validates HgCommitMessage: who committed, when, the changeset id, its message and a link to it. */
export const hgCommitSchema: z.ZodType<HgCommitData> = z
  .object({
    repository: z.string().min(1),
    who: z.string().min(1),
    when: z.union([z.string().min(1), z.number()]),
    changeset: z.string().regex(/^[0-9a-f]{12,40}$/, 'expected a changeset id: 12 to 40 hexadecimal digits'),
    message: z.string(),
    link: z.url(),
  })
  .loose();

/** Validates HgPushMessage. */
export const hgPushSchema: z.ZodType<HgPushData> = z
  .object({
    repository: z.string().min(1),
    who: z.string().min(1),
    when: z.union([z.string().min(1), z.number()]),
    changesets: z.array(z.string()).min(1),
  })
  .loose();

/** Validates a repository status message (opened or closed). */
export const hgRepoStatusSchema: z.ZodType<HgRepoStatusData> = z.object({ repository: z.string().min(1) }).loose();

/** mozillapulse's GenericHgMessage: routing key `hg.<kind>.<repository path parts>`. */
export class GenericHgMessage<TData extends HgRepoStatusData> extends PulseMessage<TData> {
  /** Appends the repository's path parts (`releases/mozilla-beta` → `releases.mozilla-beta`). */
  override routingKeyParts(): string[] {
    const repository = String(this.data.repository ?? '');
    return [...this.routingParts, ...repository.split('/').filter(Boolean).map(routingWord)];
  }
}

/** A commit to a Mercurial repository; requires who, when, changeset, message and link. */
export class HgCommitMessage extends GenericHgMessage<HgCommitData> {
  /** @param repository the repository path, such as `mozilla-central` or `releases/mozilla-beta`. */
  constructor(repository: string) {
    super({ schema: hgCommitSchema, routingParts: ['hg', 'commit'] });
    this.setData('repository', repository);
  }
}

/** A push of changesets; requires who, when and changesets. */
export class HgPushMessage extends GenericHgMessage<HgPushData> {
  /** @param repository the repository path. */
  constructor(repository: string) {
    super({ schema: hgPushSchema, routingParts: ['hg', 'push'] });
    this.setData('repository', repository);
  }
}

/** The repository was opened for commits. */
export class HgRepoOpenedMessage extends GenericHgMessage<HgRepoStatusData> {
  /** @param repository the repository path. */
  constructor(repository: string) {
    super({ schema: hgRepoStatusSchema, routingParts: ['hg', 'repo', 'opened'] });
    this.setData('repository', repository);
  }
}

/** The repository was closed for commits. */
export class HgRepoClosedMessage extends GenericHgMessage<HgRepoStatusData> {
  /** @param repository the repository path. */
  constructor(repository: string) {
    super({ schema: hgRepoStatusSchema, routingParts: ['hg', 'repo', 'closed'] });
    this.setData('repository', repository);
  }
}
