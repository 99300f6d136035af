import { defineRoute, text, textBody } from '../http/route.js';
import { runbookTokenParams } from '../runbooks/runbooks.schema.js';
import { adopt } from './adoption.service.js';

/** Router adoption: POST /adopt/{runbookToken} with the router's facts answers the agent's installer. */
export const adoptionRoutes = [
  defineRoute({
    method: 'POST',
    path: '/adopt/{runbookToken}',
    operationId: 'adoptDevice',
    tags: ['Device'],
    summary: 'Finish adoption',
    description:
      "Creates the router's site in the runbook's organisation, or finds it again by serial number (rotating its device token), and answers with the RouterOS script that installs the agent. The `version` fact is required (6.43 or newer).",
    auth: 'runbook',
    limit: 'address',
    params: runbookTokenParams,
    body: textBody({
      limit: 16 * 1024,
      anyContentType: true,
      example: 'name=HQ-Router;serial-number=HEX0123456;model=RB5009UG+S+;version=7.16.2 (stable);uptime=1d02:15:38;',
    }),
    responses: { 200: text('The agent installer script.') },
    errors: ['runbook_not_found', 'runbook_revoked', 'heartbeat_invalid', 'parameter_missing'],
    handler: ({ deps, input }) => adopt(deps, input.params.runbookToken, input.body),
  }),
];
