import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError } from '../errors.js';
import { bearerToken } from '../http/auth.js';
import { readRequestText } from '../http/body.js';
import { toErrorResponse } from '../http/error-middleware.js';
import { REQUEST_ID_HEADER, requestIdOf } from '../http/request-context.js';
import { defineRoute, text, textBody } from '../http/route.js';
import type { Deps } from '../runtime.js';
import { nextScript, readPollFacts } from './poll.service.js';

const TEXT = 'text/plain; charset=utf-8';

/** The heartbeat: the agent's facts as `key=value;` text, sent with /tool fetch's own content type. */
const heartbeatBody = textBody({ limit: 16 * 1024, anyContentType: true, example: 'name=MyDevice;serial-number=ABC123XYZ;uptime=2d0h5m10s;cpu-load=10;' });

/** POST /poll's contract. It has no handler here: createPollHandler serves it before Koa (src/app.ts). */
export const pollRoute = defineRoute({
  method: 'POST',
  path: '/poll',
  operationId: 'poll',
  tags: ['Device'],
  summary: 'Router check-in',
  description: "The router's heartbeat; answers with the next job's wrapped script, or an empty body.",
  auth: 'device',
  body: heartbeatBody,
  responses: { 200: text('OK. The next pending job script for the device to execute, or empty.') },
  errors: ['heartbeat_invalid'],
});

/**
 * POST /poll — the hot path, served before Koa (its middleware stack cost a quarter of the CPU of an
 * idle poll): verify the device token in memory, read the heartbeat's facts in one pass, one Redis
 * script, respond. Errors take the same wire shape as every other route.
 */
export function createPollHandler(deps: Deps): (req: IncomingMessage, res: ServerResponse) => void {
  const { docsUrl, trustProxy } = deps.config;
  const timer = deps.metrics.httpDuration;

  const poll = async (req: IncomingMessage): Promise<string> => {
    if (req.method !== 'POST') throw new AppError('method_not_allowed');
    const device = deps.deviceTokens.verify(bearerToken(req.headers.authorization));
    if (!device) throw new AppError('device_token_invalid');
    const facts = readPollFacts(await readRequestText(req, heartbeatBody.limit), sourceAddress(req, trustProxy));
    return nextScript(deps, device, facts);
  };

  /** Errors take every route's wire shape, and a request id (answered polls carry none: the hot path). */
  const answerError = (req: IncomingMessage, res: ServerResponse, err: unknown): void => {
    const requestId = requestIdOf(req.headers['x-request-id']);
    const e = toErrorResponse(err, docsUrl, requestId);
    if (!e) return void res.destroy(); // the client went away
    if (e.status >= 500) deps.log.error({ err, path: '/poll', requestId }, 'request failed');
    else deps.metrics.polls.inc({ result: 'rejected' });
    res.setHeader(REQUEST_ID_HEADER, requestId);
    if (e.body.code === 'method_not_allowed') res.setHeader('Allow', 'POST');
    send(res, e.status, 'application/json', JSON.stringify(e.body));
  };

  return (req, res) => {
    const end = timer.startTimer({ method: req.method ?? '', route: '/poll' });
    poll(req).then(
      (script) => {
        send(res, 200, TEXT, script);
        end({ status: '200' });
      },
      (err: unknown) => {
        answerError(req, res, err);
        end({ status: String(res.statusCode) });
      },
    );
  };
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) }).end(body);
}

/** The router's address: the socket peer, or the first X-Forwarded-For hop behind a trusted proxy. */
function sourceAddress(req: IncomingMessage, trustProxy: boolean): string {
  const forwarded = trustProxy ? req.headers['x-forwarded-for'] : undefined;
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
  return first || req.socket.remoteAddress || '';
}
