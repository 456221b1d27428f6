import { connect } from '@warren/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runConformanceSuite } from './index.js';

// memory:// is the reference transport: every case except the recovery one (memory is not restartable) runs.
runConformanceSuite({
  name: 'memory',
  connect: () => connect('memory://conformance'),
  test: { describe, it, expect, beforeAll, afterAll },
});
