import { useMemo, useState } from 'preact/hooks';
import { listFaults, siteMetrics, siteStats } from '../../api/endpoints';
import type { Fault, StatPoint } from '../../api/types';
import { Empty, ErrorBox, Loading, Section } from '../../components/feedback';
import { RelTime } from '../../components/status';
import type * as ChartModule from '../../components/time-chart';
import type { ChartSeries, TimeChartProps } from '../../components/time-chart';
import { bytes, compactDuration, duration, percent } from '../../lib/format';
import { useAsync } from '../../lib/hooks';

// Availability over 24 h (GET /site/{id}/metrics), the heartbeat chart (GET …/stats) and faults.

// uPlot is loaded with the first chart, so the fleet page does not download it.
const chartModule = (): Promise<typeof ChartModule> => import('../../components/time-chart');

function TimeChart(props: TimeChartProps) {
  const { result } = useAsync(chartModule, []);
  if (result.state === 'error') return <ErrorBox error={result.error} title="Chart" />;
  if (!result.data) return <Loading what="the chart" />;
  const Chart = result.data.TimeChart;
  return <Chart {...props} />;
}

const DAY_S = 86_400;

interface Heartbeat {
  times: number[];
  range: [number, number];
  load: ChartSeries[];
  uptime: ChartSeries[];
}

function heartbeatSeries(points: StatPoint[], nowS: number): Heartbeat {
  const times = points.map((p) => Math.floor(Date.parse(p.created_at) / 1000));
  return {
    times,
    range: [nowS - DAY_S, nowS],
    load: [
      { label: 'CPU load', scale: '%', color: '#2563eb', values: points.map((p) => p.cpu_load), format: (v) => `${Math.round(v)} %` },
      { label: 'Free memory', scale: 'bytes', color: '#059669', dash: [6, 4], values: points.map((p) => p.memory_free), format: bytes },
    ],
    uptime: [{ label: 'Uptime', scale: 's', color: '#9333ea', values: points.map((p) => p.uptime), format: duration, tick: compactDuration }],
  };
}

function Availability({ siteId }: { siteId: string }) {
  const { result } = useAsync(() => siteMetrics(siteId), [siteId]);
  if (result.state === 'error') return <ErrorBox error={result.error} title="Availability" />;
  if (!result.data) return <Loading what="availability" />;
  const m = result.data;
  return (
    <p class="availability">
      {m.uptime_percentage === null ? (
        'No heartbeat yet: availability is counted from the first one'
      ) : (
        <>
          <span class="big">{percent(m.uptime_percentage)}</span> available over the last 24 h
        </>
      )}
      {m.downtime_duration_seconds > 0 ? ` · down ${duration(m.downtime_duration_seconds)}` : ' · no downtime'}
    </p>
  );
}

function Heartbeats({ siteId }: { siteId: string }) {
  const { result } = useAsync(() => siteStats(siteId), [siteId]);
  const series = useMemo(() => (result.data ? heartbeatSeries(result.data, Math.floor(Date.now() / 1000)) : null), [result.data]);
  if (result.state === 'error') return <ErrorBox error={result.error} title="Heartbeats" />;
  if (!result.data || !series) return <Loading what="heartbeats" />;
  if (result.data.length === 0) return <Empty>No heartbeats in the last 24 hours.</Empty>;
  const last = result.data[result.data.length - 1] as StatPoint;
  const latest = [
    last.cpu_load == null ? null : `CPU ${last.cpu_load} %`,
    last.memory_free == null ? null : `free memory ${bytes(last.memory_free)}`,
    last.uptime == null ? null : `uptime ${duration(last.uptime)}`,
  ].filter(Boolean).join(', ');
  return (
    <>
      <TimeChart times={series.times} range={series.range} series={series.load} label={`CPU load and free memory over 24 hours; latest: ${latest}`} />
      <TimeChart times={series.times} range={series.range} series={series.uptime} height={140} label={`Uptime over 24 hours; latest: ${latest}`} />
      <p class="muted small">
        {result.data.length.toLocaleString()} {result.data.length === 1 ? 'heartbeat' : 'heartbeats'}; latest <RelTime iso={last.created_at} />: {latest || 'no figures'}.
      </p>
    </>
  );
}

function Faults({ siteId }: { siteId: string }) {
  const [status, setStatus] = useState<'unresolved' | 'resolved' | undefined>(undefined);
  const { result } = useAsync(() => listFaults(siteId, status), [siteId, status]);
  return (
    <div>
      <div class="card-head">
        <h3>Faults</h3>
        <label class="small">
          Show{' '}
          <select value={status ?? 'all'} onChange={(e) => {
            const v = e.currentTarget.value;
            setStatus(v === 'all' ? undefined : (v as 'unresolved' | 'resolved'));
          }}>
            <option value="all">all</option>
            <option value="unresolved">open</option>
            <option value="resolved">resolved</option>
          </select>
        </label>
      </div>
      {result.state === 'error' ? <ErrorBox error={result.error} title="Faults" /> : null}
      {!result.data && result.state === 'loading' ? <Loading what="faults" /> : null}
      {result.data?.length === 0 ? <Empty>No faults{status ? ` (${status === 'unresolved' ? 'open' : 'resolved'})` : ''}.</Empty> : null}
      {result.data && result.data.length > 0 ? (
        <ul class="list">
          {result.data.map((f: Fault) => (
            <li key={f.id}>
              <span class={`badge badge-${f.status === 'unresolved' ? 'offline' : 'ok'}`}>{f.status === 'unresolved' ? 'Open' : 'Resolved'}</span>{' '}
              <strong>{f.type === 'site_offline' ? 'Offline' : 'Rebooted'}</strong> · {f.cause} · began <RelTime iso={f.created_at} />
              {f.type === 'site_offline' ? `, lasted ${duration(f.duration_seconds)}` : ''}
            </li>
          ))}
        </ul>
      ) : null}
      {result.data?.length === 100 ? <p class="muted small">Showing the newest 100.</p> : null}
    </div>
  );
}

export function SiteHealth({ siteId }: { siteId: string }) {
  return (
    <Section title="Health">
      <Availability siteId={siteId} />
      <Heartbeats siteId={siteId} />
      <Faults siteId={siteId} />
    </Section>
  );
}
