import { EXCHANGES, type ExchangePreset } from './presets.js';
import { PulsePublisher } from './publisher.js';

/** The generic publisher: pass `exchange` yourself (mozillapulse's GenericPublisher). */
export { PulsePublisher as GenericPublisher } from './publisher.js';

/** Publishes to Pulse test and heartbeat messages (`exchange/pulse/test`). */
export class PulseTestPublisher extends PulsePublisher {
  static override readonly preset: ExchangePreset = EXCHANGES.pulseTest;
}

/** Publishes to Pulse meta messages (`exchange/pulse`). */
export class PulseMetaPublisher extends PulsePublisher {
  static override readonly preset: ExchangePreset = EXCHANGES.pulseMeta;
}

/** Publishes to Bugzilla bug changes (`exchange/bugzilla`). */
export class BugzillaPublisher extends PulsePublisher {
  static override readonly preset: ExchangePreset = EXCHANGES.bugzilla;
}

/** Publishes to Bugzilla simple notifications (`exchange/bugzilla/simple`). */
export class SimpleBugzillaPublisher extends PulsePublisher {
  static override readonly preset: ExchangePreset = EXCHANGES.simpleBugzilla;
}

/** Publishes to Mercurial commits, pushes and repository status (`exchange/code`). */
export class CodePublisher extends PulsePublisher {
  static override readonly preset: ExchangePreset = EXCHANGES.code;
}

/** Publishes to Mercurial messages: mozillapulse's name for the code exchange (`exchange/code`). */
export class HgPublisher extends PulsePublisher {
  static override readonly preset: ExchangePreset = EXCHANGES.code;
}

/** Publishes to Build events (`exchange/build`). */
export class BuildPublisher extends PulsePublisher {
  static override readonly preset: ExchangePreset = EXCHANGES.build;
}

/** Publishes to Normalized build and test results (`exchange/build/normalized`). */
export class NormalizedBuildPublisher extends PulsePublisher {
  static override readonly preset: ExchangePreset = EXCHANGES.normalizedBuild;
}

/** Publishes to QA results (`exchange/qa`). */
export class QAPublisher extends PulsePublisher {
  static override readonly preset: ExchangePreset = EXCHANGES.qa;
}

/** Publishes to hg.mozilla.org's pushes (`exchange/hgpushes/v2`; routing key: the repository path). */
export class HgPushesPublisher extends PulsePublisher {
  static override readonly preset: ExchangePreset = EXCHANGES.hgPushes;
}

/** Publishes to Taskcluster: a task was defined (`exchange/taskcluster-queue/v1/task-defined`). */
export class TaskDefinedPublisher extends PulsePublisher {
  static override readonly preset: ExchangePreset = EXCHANGES.taskDefined;
}

/** Publishes to Taskcluster: a task is pending (`exchange/taskcluster-queue/v1/task-pending`). */
export class TaskPendingPublisher extends PulsePublisher {
  static override readonly preset: ExchangePreset = EXCHANGES.taskPending;
}

/** Publishes to Taskcluster: a run started (`exchange/taskcluster-queue/v1/task-running`). */
export class TaskRunningPublisher extends PulsePublisher {
  static override readonly preset: ExchangePreset = EXCHANGES.taskRunning;
}

/** Publishes to Taskcluster: an artifact was created (`exchange/taskcluster-queue/v1/artifact-created`). */
export class ArtifactCreatedPublisher extends PulsePublisher {
  static override readonly preset: ExchangePreset = EXCHANGES.artifactCreated;
}

/** Publishes to Taskcluster: a task completed (`exchange/taskcluster-queue/v1/task-completed`). */
export class TaskCompletedPublisher extends PulsePublisher {
  static override readonly preset: ExchangePreset = EXCHANGES.taskCompleted;
}

/** Publishes to Taskcluster: a task failed (`exchange/taskcluster-queue/v1/task-failed`). */
export class TaskFailedPublisher extends PulsePublisher {
  static override readonly preset: ExchangePreset = EXCHANGES.taskFailed;
}

/** Publishes to Taskcluster: a task ended with an exception (`exchange/taskcluster-queue/v1/task-exception`). */
export class TaskExceptionPublisher extends PulsePublisher {
  static override readonly preset: ExchangePreset = EXCHANGES.taskException;
}

/** Publishes to Taskcluster: a task group is resolved (`exchange/taskcluster-queue/v1/task-group-resolved`). */
export class TaskGroupResolvedPublisher extends PulsePublisher {
  static override readonly preset: ExchangePreset = EXCHANGES.taskGroupResolved;
}

/** Publishes to Taskcluster GitHub: a push (`exchange/taskcluster-github/v1/push`). */
export class GithubPushPublisher extends PulsePublisher {
  static override readonly preset: ExchangePreset = EXCHANGES.githubPush;
}

/** Publishes to Taskcluster GitHub: a pull request event (`exchange/taskcluster-github/v1/pull-request`). */
export class GithubPullRequestPublisher extends PulsePublisher {
  static override readonly preset: ExchangePreset = EXCHANGES.githubPullRequest;
}

/** Publishes to Taskcluster GitHub: a release (`exchange/taskcluster-github/v1/release`). */
export class GithubReleasePublisher extends PulsePublisher {
  static override readonly preset: ExchangePreset = EXCHANGES.githubRelease;
}

/** Publishes to Taskcluster: job messages for Treeherder (`exchange/taskcluster-treeherder/v1/jobs`). */
export class TreeherderJobsPublisher extends PulsePublisher {
  static override readonly preset: ExchangePreset = EXCHANGES.treeherderJobs;
}
