import { defineRoute, text } from '../http/route.js';
import { RETRY_MS, openStream } from './events.service.js';

// Live updates for the dashboard (ui/src/lib/live.ts) and scripts: ARCHITECTURE.md, "Live updates".

export const eventRoutes = [
  defineRoute({
    method: 'GET',
    path: '/events/stream',
    operationId: 'streamEvents',
    tags: ['Jobs'],
    summary: 'Live job and rollout changes (server-sent events)',
    description:
      "A `text/event-stream` that stays open: an `event: job` whenever one of the organisation's jobs is created or changes state " +
      '(`data: {"site_id", "job_id", "state", "rollout_id"}`), an `event: rollout` whenever a rollout launches, pauses, resumes, dispatches a batch, ' +
      'completes or is cancelled (`data: {"rollout_id", "state"}`). Events name what changed; read it with the ordinary endpoints. ' +
      `A comment line every EVENTS_HEARTBEAT_MS (25 s) keeps the connection alive, and the stream of an API key (or of a dashboard session signed in with one) ends within that time once the key is revoked or expires; \`retry: ${RETRY_MS}\` tells a browser when to reconnect. ` +
      'Events are not replayed: `Last-Event-ID` is ignored, so after a reconnect read again what you show. ' +
      'Works across API processes (Redis pub/sub). Authenticate with an API key (Authorization: Bearer) or the dashboard session cookie.',
    auth: { operator: ['jobs:read'] },
    responses: {
      200: text('The event stream (until the client disconnects or the server stops).', {
        type: 'text/event-stream',
        example: 'retry: 3000\n\nevent: job\ndata: {"site_id":"…","job_id":"…","state":"delivered","rollout_id":null}\n\n',
      }),
    },
    handler({ deps, caller, header }) {
      header('Cache-Control', 'no-cache, no-transform');
      header('X-Accel-Buffering', 'no'); // nginx: do not buffer the stream
      return openStream(deps, caller);
    },
  }),
];
