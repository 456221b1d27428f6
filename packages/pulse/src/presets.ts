/**
 * The Pulse exchanges warren has presets for, as data: name, routing-key fields (when the exchange defines them,
 * which lets a consumer check its topics), and whether messages travel in mozillapulse's envelope
 * (`{ payload, _meta }`) or as bare JSON (Taskcluster). Each becomes one consumer and one publisher class.
 */
export interface ExchangePreset {
  /** The full exchange name, `exchange/<owner>/...`. */
  readonly exchange: string;
  /** What is published there. */
  readonly description: string;
  /** The routing key's words, in order, when the exchange defines them (Taskcluster does). */
  readonly routingKeyFields?: readonly string[];
  /** Messages are mozillapulse envelopes (`{ payload, _meta }`); false: the body is the payload itself. */
  readonly envelope: boolean;
}

/** Routing key of Taskcluster queue task exchanges. */
const TASK_FIELDS = [
  'routingKeyKind',
  'taskId',
  'runId',
  'workerGroup',
  'workerId',
  'provisionerId',
  'workerType',
  'schedulerId',
  'taskGroupId',
  'reserved',
] as const;

const queue = (name: string, description: string): ExchangePreset => ({
  exchange: `exchange/taskcluster-queue/v1/${name}`,
  description,
  routingKeyFields: TASK_FIELDS,
  envelope: false,
});

const github = (name: string, description: string, fields: readonly string[]): ExchangePreset => ({
  exchange: `exchange/taskcluster-github/v1/${name}`,
  description,
  routingKeyFields: fields,
  envelope: false,
});

/** The short names of the presets. */
export type ExchangeName =
  | 'pulseTest'
  | 'pulseMeta'
  | 'bugzilla'
  | 'simpleBugzilla'
  | 'code'
  | 'build'
  | 'normalizedBuild'
  | 'qa'
  | 'hgPushes'
  | 'taskDefined'
  | 'taskPending'
  | 'taskRunning'
  | 'artifactCreated'
  | 'taskCompleted'
  | 'taskFailed'
  | 'taskException'
  | 'taskGroupResolved'
  | 'githubPush'
  | 'githubPullRequest'
  | 'githubRelease'
  | 'treeherderJobs';

/** Every preset by a short name. */
export const EXCHANGES: Readonly<Record<ExchangeName, ExchangePreset>> = {
  // mozillapulse's exchanges (envelope format)
  pulseTest: { exchange: 'exchange/pulse/test', description: 'Pulse test and heartbeat messages', envelope: true },
  pulseMeta: { exchange: 'exchange/pulse', description: 'Pulse meta messages', envelope: true },
  bugzilla: {
    exchange: 'exchange/bugzilla',
    description: 'Bugzilla bug changes (bug.<state>, bug.changed.<field>)',
    envelope: true,
  },
  simpleBugzilla: {
    exchange: 'exchange/bugzilla/simple',
    description: 'Bugzilla simple notifications (routing key: bug id)',
    envelope: true,
  },
  code: {
    exchange: 'exchange/code',
    description: 'Mercurial commits, pushes, repository status (hg.<kind>.<repo>)',
    envelope: true,
  },
  build: { exchange: 'exchange/build', description: 'Build events', envelope: true },
  normalizedBuild: {
    exchange: 'exchange/build/normalized',
    description: 'Normalized build and test results',
    envelope: true,
  },
  qa: { exchange: 'exchange/qa', description: 'QA results', envelope: true },
  // hg.mozilla.org's push exchange today: routing key is the repository path, body is bare JSON
  hgPushes: {
    exchange: 'exchange/hgpushes/v2',
    description: 'hg.mozilla.org pushes (routing key: repository path)',
    envelope: false,
  },
  // Taskcluster (bare JSON)
  taskDefined: queue('task-defined', 'A task was defined'),
  taskPending: queue('task-pending', 'A task is pending'),
  taskRunning: queue('task-running', 'A task run started'),
  artifactCreated: queue('artifact-created', 'A task created an artifact'),
  taskCompleted: queue('task-completed', 'A task completed successfully'),
  taskFailed: queue('task-failed', 'A task failed'),
  taskException: queue('task-exception', 'A task ended with an exception'),
  taskGroupResolved: {
    exchange: 'exchange/taskcluster-queue/v1/task-group-resolved',
    description: 'Every task of a task group is resolved',
    routingKeyFields: ['routingKeyKind', 'taskGroupId', 'schedulerId', 'reserved'],
    envelope: false,
  },
  githubPush: github('push', 'A push to a GitHub repository', [
    'routingKeyKind',
    'organization',
    'repository',
    'reserved',
  ]),
  githubPullRequest: github('pull-request', 'A GitHub pull request event', [
    'routingKeyKind',
    'organization',
    'repository',
    'action',
    'reserved',
  ]),
  githubRelease: github('release', 'A GitHub release', ['routingKeyKind', 'organization', 'repository', 'reserved']),
  treeherderJobs: {
    exchange: 'exchange/taskcluster-treeherder/v1/jobs',
    description: 'Job messages for Treeherder',
    routingKeyFields: ['destination', 'project', 'reserved'],
    envelope: false,
  },
};

/** The preset whose exchange is `exchange`, if any. */
export function presetOf(exchange: string): ExchangePreset | undefined {
  return Object.values(EXCHANGES).find((preset: ExchangePreset) => preset.exchange === exchange);
}
