import { PulseConsumer } from './consumer.js';
import { EXCHANGES, type ExchangePreset } from './presets.js';

/** The generic consumer: pass `exchange` yourself (mozillapulse's GenericConsumer). */
export { PulseConsumer as GenericConsumer } from './consumer.js';

/** Listens to Pulse test and heartbeat messages (`exchange/pulse/test`). */
export class PulseTestConsumer extends PulseConsumer {
  static override readonly preset: ExchangePreset = EXCHANGES.pulseTest;
}

/** Listens to Pulse meta messages (`exchange/pulse`). */
export class PulseMetaConsumer extends PulseConsumer {
  static override readonly preset: ExchangePreset = EXCHANGES.pulseMeta;
}

/** Listens to Bugzilla bug changes (`exchange/bugzilla`). */
export class BugzillaConsumer extends PulseConsumer {
  static override readonly preset: ExchangePreset = EXCHANGES.bugzilla;
}

/** Listens to Bugzilla simple notifications (`exchange/bugzilla/simple`). */
export class SimpleBugzillaConsumer extends PulseConsumer {
  static override readonly preset: ExchangePreset = EXCHANGES.simpleBugzilla;
}

/** Listens to Mercurial commits, pushes and repository status (`exchange/code`). */
export class CodeConsumer extends PulseConsumer {
  static override readonly preset: ExchangePreset = EXCHANGES.code;
}

/** Listens to Mercurial messages: mozillapulse's name for the code exchange (`exchange/code`). */
export class HgConsumer extends PulseConsumer {
  static override readonly preset: ExchangePreset = EXCHANGES.code;
}

/** Listens to Build events (`exchange/build`). */
export class BuildConsumer extends PulseConsumer {
  static override readonly preset: ExchangePreset = EXCHANGES.build;
}

/** Listens to Normalized build and test results (`exchange/build/normalized`). */
export class NormalizedBuildConsumer extends PulseConsumer {
  static override readonly preset: ExchangePreset = EXCHANGES.normalizedBuild;
}

/** Listens to QA results (`exchange/qa`). */
export class QAConsumer extends PulseConsumer {
  static override readonly preset: ExchangePreset = EXCHANGES.qa;
}

/** Listens to hg.mozilla.org's pushes (`exchange/hgpushes/v2`; routing key: the repository path). */
export class HgPushesConsumer extends PulseConsumer<Record<string, unknown>> {
  static override readonly preset: ExchangePreset = EXCHANGES.hgPushes;
}

/** Listens to Taskcluster: a task was defined (`exchange/taskcluster-queue/v1/task-defined`). */
export class TaskDefinedConsumer extends PulseConsumer<Record<string, unknown>> {
  static override readonly preset: ExchangePreset = EXCHANGES.taskDefined;
}

/** Listens to Taskcluster: a task is pending (`exchange/taskcluster-queue/v1/task-pending`). */
export class TaskPendingConsumer extends PulseConsumer<Record<string, unknown>> {
  static override readonly preset: ExchangePreset = EXCHANGES.taskPending;
}

/** Listens to Taskcluster: a run started (`exchange/taskcluster-queue/v1/task-running`). */
export class TaskRunningConsumer extends PulseConsumer<Record<string, unknown>> {
  static override readonly preset: ExchangePreset = EXCHANGES.taskRunning;
}

/** Listens to Taskcluster: an artifact was created (`exchange/taskcluster-queue/v1/artifact-created`). */
export class ArtifactCreatedConsumer extends PulseConsumer<Record<string, unknown>> {
  static override readonly preset: ExchangePreset = EXCHANGES.artifactCreated;
}

/** Listens to Taskcluster: a task completed (`exchange/taskcluster-queue/v1/task-completed`). */
export class TaskCompletedConsumer extends PulseConsumer<Record<string, unknown>> {
  static override readonly preset: ExchangePreset = EXCHANGES.taskCompleted;
}

/** Listens to Taskcluster: a task failed (`exchange/taskcluster-queue/v1/task-failed`). */
export class TaskFailedConsumer extends PulseConsumer<Record<string, unknown>> {
  static override readonly preset: ExchangePreset = EXCHANGES.taskFailed;
}

/** Listens to Taskcluster: a task ended with an exception (`exchange/taskcluster-queue/v1/task-exception`). */
export class TaskExceptionConsumer extends PulseConsumer<Record<string, unknown>> {
  static override readonly preset: ExchangePreset = EXCHANGES.taskException;
}

/** Listens to Taskcluster: a task group is resolved (`exchange/taskcluster-queue/v1/task-group-resolved`). */
export class TaskGroupResolvedConsumer extends PulseConsumer<Record<string, unknown>> {
  static override readonly preset: ExchangePreset = EXCHANGES.taskGroupResolved;
}

/** Listens to Taskcluster GitHub: a push (`exchange/taskcluster-github/v1/push`). */
export class GithubPushConsumer extends PulseConsumer<Record<string, unknown>> {
  static override readonly preset: ExchangePreset = EXCHANGES.githubPush;
}

/** Listens to Taskcluster GitHub: a pull request event (`exchange/taskcluster-github/v1/pull-request`). */
export class GithubPullRequestConsumer extends PulseConsumer<Record<string, unknown>> {
  static override readonly preset: ExchangePreset = EXCHANGES.githubPullRequest;
}

/** Listens to Taskcluster GitHub: a release (`exchange/taskcluster-github/v1/release`). */
export class GithubReleaseConsumer extends PulseConsumer<Record<string, unknown>> {
  static override readonly preset: ExchangePreset = EXCHANGES.githubRelease;
}

/** Listens to Taskcluster: job messages for Treeherder (`exchange/taskcluster-treeherder/v1/jobs`). */
export class TreeherderJobsConsumer extends PulseConsumer<Record<string, unknown>> {
  static override readonly preset: ExchangePreset = EXCHANGES.treeherderJobs;
}
