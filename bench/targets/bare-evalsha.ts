import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { loadConfig } from '../../src/config.js';
import { createRedis } from '../../src/redis/client.js';
import { createKeys } from '../../src/redis/keys.js';
import { popNextArgs, type PollFacts } from '../../src/redis/dispatch.js';
import { createDeviceTokens } from '../../src/tokens/device-token.js';
import { BENCH_SIGNING_KEY } from '../lib/fleet.js';

// The reference for the poll: a bare Node http server that reads the body, decrypts the device
// token (the site id is inside it) and runs one EVALSHA of the real poll script
// (src/redis/scripts/pop-next-7.lua) with the arguments the API sends, its Redis writes leaving in
// one socket write per event-loop turn. No heartbeat parsing, no job delivery (a popped job id is
// the answer), no metrics, no error shape: what is left of a poll when tikops' own code is gone.

const config = loadConfig(); // the bench's settings (bench/lib/fleet.ts envFor), as the API reads them
const keys = createKeys(config.redisPrefix);
const tokens = createDeviceTokens(BENCH_SIGNING_KEY);
const redis = createRedis(config, 'api'); // the API's connection: one socket write per event-loop turn
await redis.connect();
const lua = readFileSync(new URL('../../src/redis/scripts/pop-next-7.lua', import.meta.url), 'utf8');
const sha = (await redis.script('LOAD', lua)) as string;
const limits = {
  defaultLeaseSeconds: config.jobLeaseSeconds,
  sampleIntervalMs: config.fleet.sampleIntervalMs,
  sampleStreamMax: config.fleet.sampleStreamMax,
};

createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (c: string) => (body += c));
  req.on('end', () => {
    const device = tokens.verify((req.headers.authorization ?? '').slice(7));
    if (!device) return void res.writeHead(401).end();
    // The body stands in for the facts (about the same size); the digest never changes, as in the bench.
    const poll: PollFacts = { from: req.socket.remoteAddress ?? '', uptimeSeconds: 95738, facts: body, inventory: 'x', lastJob: null };
    redis.evalsha(sha, 7, ...popNextArgs(keys, device.siteId, device.tokenVersion, Date.now(), limits, poll, false)).then(
      (r) => {
        const jobId = (r as [number, string])[1];
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(jobId) }).end(jobId);
      },
      () => res.writeHead(500).end(),
    );
  });
}).listen(config.port, config.host);
