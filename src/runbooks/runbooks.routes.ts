import { z } from 'zod';
import { defineRoute, json, jsonBody, text } from '../http/route.js';
import { createRunbookBody, runbook, runbookParams, runbookTokenParams } from './runbooks.schema.js';
import * as runbooks from './runbooks.service.js';

/** Operator runbook API (create, list, get, revoke, per organisation) and the router's bootstrap script. */
export const runbookRoutes = [
  defineRoute({
    method: 'POST',
    path: '/runbook',
    operationId: 'createRunbook',
    tags: ['Runbooks'],
    summary: 'Create a runbook',
    auth: { operator: ['sites:write'] },
    body: jsonBody(createRunbookBody),
    responses: { 201: json(runbook, 'The runbook, with its bootstrap command.') },
    handler: ({ deps, caller, input }) => runbooks.createRunbook(deps, caller, input.body),
  }),

  defineRoute({
    method: 'GET',
    path: '/runbook',
    operationId: 'listRunbooks',
    tags: ['Runbooks'],
    summary: "List the organisation's runbooks",
    auth: { operator: ['sites:read'] },
    responses: { 200: json(z.array(runbook), 'The runbooks, newest first.') },
    handler: ({ deps, caller }) => runbooks.listRunbooks(deps, caller.org),
  }),

  defineRoute({
    method: 'GET',
    path: '/runbook/{runbookId}',
    operationId: 'getRunbook',
    tags: ['Runbooks'],
    summary: 'Retrieve a runbook',
    auth: { operator: ['sites:read'] },
    params: runbookParams,
    responses: { 200: json(runbook, 'The runbook.') },
    errors: ['runbook_not_found'],
    handler: ({ deps, caller, input }) => runbooks.getRunbook(deps, caller.org, input.params.runbookId),
  }),

  defineRoute({
    method: 'DELETE',
    path: '/runbook/{runbookId}',
    operationId: 'revokeRunbook',
    tags: ['Runbooks'],
    summary: 'Revoke a runbook',
    description: 'Its bootstrap command stops adopting routers. Routers it adopted keep working. Repeating it changes nothing.',
    auth: { operator: ['sites:write'] },
    params: runbookParams,
    responses: { 200: json(runbook, 'The revoked runbook.') },
    errors: ['runbook_not_found'],
    handler: ({ deps, caller, input }) => runbooks.revokeRunbook(deps, caller, input.params.runbookId),
  }),

  defineRoute({
    method: 'GET',
    path: '/bootstrap/{runbookToken}',
    operationId: 'bootstrapScript',
    tags: ['Device'],
    summary: 'The bootstrap script a router runs (stage 1 of adoption)',
    description: 'Fetched by the bootstrap command: gathers the router facts, POSTs them to /adopt/{runbookToken} and imports the answer.',
    auth: 'runbook',
    limit: 'address',
    params: runbookTokenParams,
    responses: { 200: text('A RouterOS script.') },
    errors: ['runbook_not_found', 'runbook_revoked'],
    handler: ({ deps, input }) => runbooks.bootstrapScript(deps, input.params.runbookToken),
  }),
];
