import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onCpu } from './servers.js';

// Load generation with wrk (C, one thread, so the server keeps most of the machine). Each request
// picks a random line of a request file (one header value per line), so 100,000 sites are polled
// in random order.

export interface LoadResult {
  requests: number;
  seconds: number;
  rps: number;
  p50ms: number;
  p99ms: number;
  non2xx: number;
  errors: number;
}

export interface LoadSpec {
  url: string;
  method: 'POST' | 'GET';
  /** One value per line: substituted for {{line}} in headers and body; {{n}}/{{n12}} is a per-request counter. */
  lines: string[];
  headers: Record<string, string>;
  body: string;
  connections: number;
  durationSeconds: number;
  /** Open-ish loop: each connection waits connections/rate seconds between requests (wrk's delay()), so the offered rate is about this. */
  ratePerSecond?: number;
  /** Run wrk on this CPU only (taskset), e.g. away from the server under test. */
  cpu?: number;
}

const LUA = `
local lines = {}
local headers = {}
local body = ""
local method = "POST"
local path = "/"
local non2xx = 0
init = function(args)
  for l in io.lines(args[1]) do lines[#lines + 1] = l end
  method = args[2]
  path = args[3]
  body = args[4]
  local pause = tonumber(args[5])
  if pause > 0 then delay = function() return pause end end
  for i = 6, #args, 2 do headers[args[i]] = args[i + 1] end
  math.randomseed(os.time())
end
local counter = 0
request = function()
  counter = counter + 1
  local line = lines[math.random(#lines)]
  local h = {}
  local n12 = string.format("%012d", counter)
  for k, v in pairs(headers) do h[k] = string.gsub(string.gsub(string.gsub(v, "{{line}}", line), "{{n12}}", n12), "{{n}}", counter) end
  local b = string.gsub(string.gsub(body, "{{line}}", line), "{{n}}", counter)
  return wrk.format(method, path, h, b)
end
response = function(status, headers, body)
  if status >= 300 then non2xx = non2xx + 1 end
end
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format('RESULT {"requests":%d,"us":%d,"p50":%d,"p99":%d,"errors":%d,"status":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), errors, summary.errors.status))
end
`;

/** Runs wrk against `spec.url` and returns throughput and latency percentiles. */
export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const dir = tmpdir();
  const script = join(dir, 'tikops-bench.lua');
  const linesFile = join(dir, `tikops-bench-lines-${process.pid}.txt`);
  writeFileSync(script, LUA);
  writeFileSync(linesFile, spec.lines.join('\n') + '\n');
  const u = new URL(spec.url);
  const pauseMs = spec.ratePerSecond ? Math.max(1, Math.round((spec.connections * 1000) / spec.ratePerSecond)) : 0;
  const args = ['-t1', `-c${spec.connections}`, `-d${spec.durationSeconds}s`, '--timeout', '5s', '-s', script, `${u.origin}`, '--',
    linesFile, spec.method, u.pathname + u.search, spec.body, String(pauseMs), ...Object.entries(spec.headers).flat()];
  const out = await new Promise<string>((resolve, reject) => {
    const p = spawn(...onCpu(spec.cpu, 'wrk', args));
    let text = '';
    p.stdout.on('data', (d: Buffer) => (text += d.toString()));
    p.stderr.on('data', (d: Buffer) => (text += d.toString()));
    p.on('error', (err) => reject(new Error(`wrk not runnable (apt-get install wrk): ${err.message}`)));
    p.on('exit', () => resolve(text));
  });
  const m = /RESULT (\{.*\})/.exec(out);
  if (!m?.[1]) throw new Error(`wrk gave no result:\n${out}`);
  const r = JSON.parse(m[1]) as { requests: number; us: number; p50: number; p99: number; errors: number; status: number };
  const seconds = r.us / 1e6;
  return {
    requests: r.requests,
    seconds,
    rps: Math.round(r.requests / seconds),
    p50ms: r.p50 / 1000,
    p99ms: r.p99 / 1000,
    non2xx: r.status,
    errors: r.errors,
  };
}

/** A typical router's heartbeat, as the agent sends it (src/routeros/agent.ts). */
const HEARTBEAT =
  'name=branch-router;serial-number=HG409TX7Z1;model=C53UiG+5HPaxD2HPaxD;board-name=hAP ax3;' +
  'version=7.16.2 (stable);architecture-name=arm64;uptime=1d02:15:38;cpu-load=7;free-memory=850000000;' +
  'total-memory=1073741824;free-hdd-space=98000000';

/** Routers polling `baseUrl` with the heartbeat above, each request one of `tokens` at random (add the duration). */
export function pollLoad(baseUrl: string, tokens: string[], connections: number): Omit<LoadSpec, 'durationSeconds'> {
  return {
    url: `${baseUrl}/poll`,
    method: 'POST',
    lines: tokens,
    headers: { Authorization: 'Bearer {{line}}', 'Content-Type': 'text/plain' },
    body: HEARTBEAT,
    connections,
  };
}
