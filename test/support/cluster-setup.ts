import type { TestProject } from 'vitest/node';
import { startLocalCluster, type LocalCluster } from '../../sim/redis-cluster.js';

// The `cluster` test project (vitest.config.ts) runs the dispatch, poll, fleet and worker tests
// against a real local 3-master Redis Cluster: started here once per run, torn down at the end.

let cluster: LocalCluster | null = null;

export async function setup(project: TestProject): Promise<void> {
  cluster = await startLocalCluster();
  project.provide('redisClusterUrl', cluster.url);
}

export async function teardown(): Promise<void> {
  await cluster?.stop();
}
