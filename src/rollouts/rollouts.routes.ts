import { z } from 'zod';
import type { ErrorCode } from '../errors.js';
import { defineRoute, json, jsonBody } from '../http/route.js';
import { PAGE_HEADERS, setNextPageHeaders } from '../lib/cursor.js';
import { createRolloutBody, listRolloutsQuery, listTargetsQuery, rollout, rolloutParams, rolloutTarget } from './rollouts.schema.js';
import * as rollouts from './rollouts.service.js';

// Staged rollouts (docs/rollouts.md). Reads need `jobs:read` (a rollout is a set of jobs);
// creating and steering one `rollouts:write`; approving one `rollouts:approve`.

const CREATE_ERRORS = ['site_not_found', 'script_too_large', 'rollout_no_targets'] as const;

/** POST /rollouts/{rolloutId}/<verb>: one operator action on the rollout. */
function action(verb: 'pause' | 'resume' | 'cancel' | 'approve', summary: string, description: string, errors: readonly ErrorCode[], run: typeof rollouts.pauseRollout) {
  return defineRoute({
    method: 'POST',
    path: `/rollouts/{rolloutId}/${verb}`,
    operationId: `${verb}Rollout`,
    tags: ['Rollouts'],
    summary,
    description,
    auth: { operator: [verb === 'approve' ? 'rollouts:approve' : 'rollouts:write'] },
    params: rolloutParams,
    responses: { 200: json(rollout, 'The rollout afterwards.') },
    errors: ['rollout_not_found', ...errors],
    handler: ({ deps, caller, input: { params } }) => run(deps, caller, params.rolloutId),
  });
}

export const rolloutRoutes = [
  defineRoute({
    method: 'POST',
    path: '/rollouts',
    operationId: 'createRollout',
    tags: ['Rollouts'],
    summary: 'Create a staged rollout',
    description:
      'Runs one script on many sites in stages: canaries first, then batches. Each target becomes an ordinary job. ' +
      'Without `requires_approval` and `launch_at` it launches at once (the targets are resolved now, and the response counts them).',
    auth: { operator: ['rollouts:write'] },
    body: jsonBody(createRolloutBody),
    responses: { 201: json(rollout, 'The rollout.') },
    errors: CREATE_ERRORS,
    async handler({ deps, caller, input: { body }, status }) {
      const r = await rollouts.createRollout(deps, caller, body);
      status(201);
      return r;
    },
  }),

  defineRoute({
    method: 'GET',
    path: '/rollouts',
    operationId: 'listRollouts',
    tags: ['Rollouts'],
    summary: "List the organisation's rollouts",
    description: 'Newest first, each with its counts per state. Pass the X-Next-Cursor value as `cursor` for the next page.',
    auth: { operator: ['jobs:read'] },
    query: listRolloutsQuery,
    responses: { 200: json(z.array(rollout), 'The rollouts.', PAGE_HEADERS) },
    async handler({ deps, caller, input: { query }, header }) {
      const page = await rollouts.listRollouts(deps, caller.org, query);
      setNextPageHeaders(header, '/rollouts', query, page.nextCursor);
      return page.items;
    },
  }),

  defineRoute({
    method: 'GET',
    path: '/rollouts/{rolloutId}',
    operationId: 'getRollout',
    tags: ['Rollouts'],
    summary: 'Retrieve a rollout with its counts per state',
    auth: { operator: ['jobs:read'] },
    params: rolloutParams,
    responses: { 200: json(rollout, 'The rollout.') },
    errors: ['rollout_not_found'],
    handler: ({ deps, caller, input: { params } }) => rollouts.getRollout(deps, caller.org, params.rolloutId),
  }),

  defineRoute({
    method: 'GET',
    path: '/rollouts/{rolloutId}/targets',
    operationId: 'listRolloutTargets',
    tags: ['Rollouts'],
    summary: "List a rollout's targets and what became of each",
    description: 'In launch order (canaries first). Pass the X-Next-Cursor value as `cursor` for the next page.',
    auth: { operator: ['jobs:read'] },
    params: rolloutParams,
    query: listTargetsQuery,
    responses: { 200: json(z.array(rolloutTarget), 'The targets.', PAGE_HEADERS) },
    errors: ['rollout_not_found'],
    async handler({ deps, caller, input: { params, query }, header }) {
      const page = await rollouts.listTargets(deps, caller.org, params.rolloutId, query);
      setNextPageHeaders(header, `/rollouts/${params.rolloutId}/targets`, query, page.nextCursor);
      return page.items;
    },
  }),

  action('pause', 'Pause a rollout', 'No further batch starts; jobs already dispatched run on. Pausing a paused rollout returns it unchanged.', ['rollout_state_conflict'], rollouts.pauseRollout),
  action(
    'resume',
    'Resume a paused rollout',
    'Failures so far no longer count towards max_failures / max_failure_ratio. Resuming a running rollout returns it unchanged.',
    ['rollout_state_conflict'],
    rollouts.resumeRollout,
  ),
  action(
    'cancel',
    'Cancel a rollout',
    'No further batch starts, targets not yet dispatched are `cancelled`, and its jobs still queued are cancelled; jobs a router already has run on. Cancelling a cancelled rollout returns it unchanged.',
    ['rollout_state_conflict'],
    rollouts.cancelRollout,
  ),
  action(
    'approve',
    'Approve a rollout',
    'Two-person rule: a rollout created with `requires_approval` waits in `pending_approval` until an actor other than its creator, with the `rollouts:approve` scope, approves it. It then launches (or waits for its launch_at).',
    ['rollout_self_approval', 'rollout_state_conflict', 'rollout_no_targets'],
    rollouts.approveRollout,
  ),
];
