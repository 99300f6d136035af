import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/metrics/metrics.js';
import { promlint } from '../support/promlint.js';

// What `promtool check metrics` would say about a process's exposition (test/support/promlint.ts).

describe('Prometheus exposition', () => {
  it.each(['api', 'worker'])('of the %s role passes the promtool checks, default process metrics included', async (role) => {
    const m = createMetrics(role);
    m.polls.inc({ result: 'rejected' });
    m.transitions.inc({ to: 'completed' });
    m.httpDuration.observe({ method: 'GET', route: '/site', status: '200' }, 0.003);
    m.webhookAttempts.inc({ outcome: 'delivered' });
    m.queueDepth.set({ queue: 'jobs' }, 2);
    m.queueLag.set({ queue: 'outbox' }, 0.5);
    const text = await m.registry.metrics();
    expect(text).toContain('# TYPE nodejs_gc_duration_seconds histogram');
    expect(text).toContain('process_cpu_seconds_total');
    expect(promlint(text)).toEqual([]);
  });

  it('the checker finds what promtool finds', () => {
    const bad = [
      '# HELP jobs_done Jobs.',
      '# TYPE jobs_done counter',
      'jobs_done 1',
      '# TYPE handles_total gauge',
      'handles_total 3',
      '# HELP latency_ms Latency.',
      '# TYPE latency_ms gauge',
      'latency_ms{le="1"} 3',
      '# HELP jobs_done Again.',
      'requestCount_count 1',
      'garbage line here',
      '',
    ].join('\n');
    expect(promlint(bad)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^jobs_done: counter metrics should have "_total" suffix/),
        expect.stringMatching(/^jobs_done: .*duplicate family/),
        expect.stringMatching(/^jobs_done: second HELP line/),
        expect.stringMatching(/^handles_total: no help text/),
        expect.stringMatching(/^handles_total: non-counter metrics should not have "_total" suffix/),
        expect.stringMatching(/^latency_ms: metric names should not contain abbreviated units/),
        expect.stringMatching(/^latency_ms: non-histogram metrics should not have "le" label/),
        expect.stringMatching(/^requestCount_count: .*camelCase/),
        expect.stringMatching(/^requestCount_count: no TYPE line/),
        'unparsable line: garbage line here',
      ]),
    );
  });
});
