import { z } from 'zod';
import { defineRoute, json, jsonBody } from '../http/route.js';
import { apiKey, apiKeyWithSecret, createKeyBody, keyParams } from './keys.schema.js';
import * as keys from './keys.service.js';

/** Operator API keys: create (the secret is shown once), list, revoke. */
export const keyRoutes = [
  defineRoute({
    method: 'POST',
    path: '/api-keys',
    operationId: 'createApiKey',
    tags: ['Access'],
    summary: 'Create an API key',
    description:
      'Creates a key for the organisation with the given scopes (at most those of the calling credential) and returns its secret once; only a keyed hash is stored. Send it as `Authorization: Bearer tko_…`.',
    auth: { operator: ['keys:admin'] },
    body: jsonBody(createKeyBody),
    responses: { 201: json(apiKeyWithSecret, 'The key, with its secret (shown only now).') },
    handler: ({ deps, caller, input }) => keys.createKey(deps, caller, input.body),
  }),

  defineRoute({
    method: 'GET',
    path: '/api-keys',
    operationId: 'listApiKeys',
    tags: ['Access'],
    summary: "List the organisation's API keys",
    description: 'Metadata only (never a secret), newest first, revoked keys included.',
    auth: { operator: ['keys:admin'] },
    responses: { 200: json(z.array(apiKey), 'The keys.') },
    handler: ({ deps, caller }) => keys.listKeys(deps, caller.org),
  }),

  defineRoute({
    method: 'DELETE',
    path: '/api-keys/{keyId}',
    operationId: 'revokeApiKey',
    tags: ['Access'],
    summary: 'Revoke an API key',
    description: 'The key stops working at once on every API process (keys are checked in PostgreSQL on each request). Repeating it changes nothing.',
    auth: { operator: ['keys:admin'] },
    params: keyParams,
    responses: { 200: json(apiKey, 'The key, with revoked_at set.') },
    errors: ['api_key_not_found'],
    handler: ({ deps, caller, input }) => keys.revokeKey(deps, caller, input.params.keyId),
  }),
];
