import { z } from 'zod';
import { defineRoute, empty, json, jsonBody } from '../http/route.js';
import { credentialOf } from '../http/operator-auth.js';
import { createSessionBody, session, sessionState } from './sessions.schema.js';
import * as sessions from './sessions.service.js';

// The dashboard's sign-in: a key (or JWT) exchanged for a session cookie. Scripts keep sending
// their key as a Bearer credential and never need these.

const cookieHeaders = z.object({
  cookie: z.string().max(8192).optional().meta({ description: 'The `tikops_session` cookie, if any.' }),
  'x-csrf-token': z.string().max(200).optional().meta({ description: "The session's CSRF token (required to sign out a live session)." }),
});

const SET_COOKIE = { 'Set-Cookie': '`tikops_session=…; Path=/; HttpOnly; SameSite=Strict; Max-Age=…` (`Secure` in production).' };

export const sessionRoutes = [
  defineRoute({
    method: 'POST',
    path: '/session',
    operationId: 'createSession',
    tags: ['Access'],
    summary: 'Sign in: exchange an API key for a session cookie',
    description:
      'Checks the credential (an API key, or a JWT) and answers with an httpOnly, SameSite=Strict session cookie bound to its organisation and scopes; the session ends when the key is revoked or expires, after 12 hours, or on sign-out. Requests made with the cookie instead of an Authorization header must send `X-CSRF-Token` (from this answer or GET /session) with every state-changing method.',
    auth: 'none',
    limit: 'address',
    body: jsonBody(createSessionBody),
    responses: { 201: json(session, 'The session; the cookie is in Set-Cookie.', SET_COOKIE) },
    errors: ['token_invalid'],
    async handler({ deps, input, header }) {
      const credential = await credentialOf(deps, input.body.credential.trim().replace(/^Bearer\s+/i, ''));
      const opened = await sessions.openSession(deps, credential);
      header('Set-Cookie', opened.setCookie);
      return opened.session;
    },
  }),

  defineRoute({
    method: 'GET',
    path: '/session',
    operationId: 'getSession',
    tags: ['Access'],
    summary: 'The session of the cookie, if any',
    description: 'Answers `{session: null}` without a live session (so a page can ask without an error), else the session with its CSRF token.',
    auth: 'none',
    headers: cookieHeaders,
    responses: { 200: json(sessionState, 'The current session, or null.') },
    handler: async ({ deps, input }) => ({ session: await sessions.currentSession(deps, sessions.sessionIdFrom(input.headers.cookie)) }),
  }),

  defineRoute({
    method: 'DELETE',
    path: '/session',
    operationId: 'deleteSession',
    tags: ['Access'],
    summary: 'Sign out',
    description: 'Ends the live session the cookie names (X-CSRF-Token required) and clears the cookie; without a live session it only clears the cookie.',
    auth: 'none',
    headers: cookieHeaders,
    responses: { 204: empty('Signed out.') },
    errors: ['csrf_token_invalid'],
    async handler({ deps, input, header }) {
      await sessions.closeSession(deps, sessions.sessionIdFrom(input.headers.cookie), input.headers['x-csrf-token']);
      header('Set-Cookie', sessions.clearedCookie(deps.config));
      return undefined;
    },
  }),
];
