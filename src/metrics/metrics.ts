import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { TIKOPS_VERSION } from '../lib/version.js';

// Prometheus metrics of one process (API or worker). Each process has its own registry; Prometheus
// sums across pods. Counters are cheap enough for the poll hot path (an inc is a map update).

export interface Metrics {
  registry: Registry;
  polls: Counter<'result'>;
  transitions: Counter<'to'>;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  webhookAttempts: Counter<'outcome'>;
  /** Outbound work put back to wait by its fair share (src/redis/fair-share.ts), by lane and reason. */
  outboundWaits: Counter<'lane' | 'reason'>;
  queueDepth: Gauge<'queue'>;
  queueLag: Gauge<'queue'>;
  sites: Gauge<'state'>;
  sampleBacklog: Gauge<'kind'>;
  openFaults: Gauge<'type'>;
  /** When the backlog gauges were last refreshed, and the refresh under way (src/metrics/metrics.service.ts). */
  backlog: { refreshedAt: number; pending: Promise<void> | null };
}

/**
 * prom-client's gauges named `*_total`, which `promtool check metrics` rejects ("non-counter metrics
 * should not have _total suffix"); each is the sum over its per-type twin without the suffix
 * (node_modules/prom-client/lib/metrics/processHandles.js), so nothing is lost.
 */
const TOTAL_GAUGES = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

/** A fresh registry with tikops' metrics and Node's default process metrics. */
export function createMetrics(role: string): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ role });
  collectDefaultMetrics({ register: registry });
  for (const name of TOTAL_GAUGES) registry.removeSingleMetric(name);
  new Gauge({
    name: 'tikops_build_info',
    help: 'Always 1; the labels name the tikops version and the Node.js version running it.',
    labelNames: ['version', 'node'],
    registers: [registry],
  }).set({ version: TIKOPS_VERSION, node: process.version }, 1);
  return {
    backlog: { refreshedAt: Number.NEGATIVE_INFINITY, pending: null },
    registry,
    polls: new Counter({
      name: 'tikops_polls_total',
      help: 'Router polls answered, by result (job, idle, rejected: answered 4xx).',
      labelNames: ['result'],
      registers: [registry],
    }),
    transitions: new Counter({
      name: 'tikops_job_transitions_total',
      help: 'Job state transitions made by this process, by the state entered.',
      labelNames: ['to'],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'tikops_http_request_duration_seconds',
      help: 'HTTP request latency by method, route template and status.',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    webhookAttempts: new Counter({
      name: 'tikops_webhook_attempts_total',
      help: 'notify_url delivery attempts by outcome (delivered, retrying, gave_up, refused).',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    outboundWaits: new Counter({
      name: 'tikops_outbound_waits_total',
      help: 'Webhook deliveries and express calls not sent when due, by lane and reason (org_busy, destination_busy, circuit_open, probe_in_flight).',
      labelNames: ['lane', 'reason'],
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: 'tikops_queue_depth',
      help: 'Work waiting: queued jobs (queue="jobs"), outbox rows, and waiting BullMQ jobs per queue.',
      labelNames: ['queue'],
      registers: [registry],
    }),
    sites: new Gauge({
      name: 'tikops_sites',
      help: 'Live sites by presence (online, offline, never_seen), fleet-wide; one worker computes it per interval, every API pod reports the same value (aggregate with max).',
      labelNames: ['state'],
      registers: [registry],
    }),
    sampleBacklog: new Gauge({
      name: 'tikops_sample_backlog',
      help: 'Heartbeat samples waiting for PostgreSQL: stream entries, and sites whose sample was deferred because the stream was full (set by the drain).',
      labelNames: ['kind'],
      registers: [registry],
    }),
    openFaults: new Gauge({
      name: 'tikops_open_faults',
      help: 'Unresolved faults by type, fleet-wide; computed like tikops_sites.',
      labelNames: ['type'],
      registers: [registry],
    }),
    queueLag: new Gauge({
      name: 'tikops_queue_lag_seconds',
      help: 'Age of the oldest waiting item per queue (outbox rows and BullMQ queues).',
      labelNames: ['queue'],
      registers: [registry],
    }),
  };
}
