import type { Overview, Stats } from '../api';
import { Bar, Chart } from '../chart';
import { count, rate } from '../format';
import { usePoll } from '../hooks';

export const STATUS_COLORS: Record<string, string> = {
  pending: '#9aa5b1',
  waiting: '#b8a1d9',
  queued: '#5b8def',
  running: '#f0a030',
  succeeded: '#2e9e5b',
  failed: '#d64545',
  dead: '#7a1f1f',
  cancelled: '#6b7280',
};

/** Tasks finished per second, from the latency buckets (the tasks created in the window). */
function completions(o: Overview): (number | null)[] {
  return o.latency.map((b) => b.finished / o.stepSeconds);
}

function depths(o: Overview): {
  x: number[];
  series: { label: string; color: string; values: (number | null)[] }[];
} {
  const queues = (o.queues ?? []).filter((q) => q.depthSamples.length > 0);
  const x = [...new Set(queues.flatMap((q) => q.depthSamples.map(([t]) => t)))].sort((a, b) => a - b);
  const colors = ['#5b8def', '#f0a030', '#2e9e5b', '#d64545'];
  return {
    x,
    series: queues.map((q, i) => {
      const at = new Map(q.depthSamples);
      return {
        label: q.name.replace('conveyor.tasks.', ''),
        color: colors[i % 4],
        values: x.map((t) => at.get(t) ?? null),
      };
    }),
  };
}

export function OverviewPage() {
  const { data: o, error } = usePoll<Overview>('overview', {}, 5000);
  const { data: events } = usePoll<Stats>('materialized', {}, 5000);
  if (!o) return <p class="loading">{error ?? 'Loading…'}</p>;
  const statuses = { ...o.tasks.active, ...o.tasks.finished };
  const depth = depths(o);
  const latencyX = o.latency.map((b) => b.at);
  const end = Math.floor(new Date(o.generatedAt).getTime() / 1000);
  const range: [number, number] = [end - o.windowSeconds, end];
  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">Overview</h1>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <div class="cards">
        {Object.entries(o.tasks.active).map(([status, n]) => (
          <div class="card" key={status}>
            <span class="figure">{count(n)}</span> {status}
          </div>
        ))}
        <div class="card">
          <span class="figure">{count(o.outbox.due)}</span> in the outbox, due
        </div>
        <div class="card">
          <span class="figure">{count(o.outbox.later)}</span> scheduled for later
        </div>
      </div>
      <h2>Tasks of the last 15 minutes by status</h2>
      <Bar
        label="tasks by status"
        parts={Object.entries(statuses).map(([label, value]) => ({
          label,
          value,
          color: STATUS_COLORS[label] ?? '#999',
        }))}
      />
      <p class="note">
        Not finished: all of them. Finished: of the {count(o.tasks.sampled)} newest tasks created in the
        window.
      </p>
      <div class="charts">
        <Chart
          title="Tasks finished per second"
          x={latencyX}
          range={range}
          unit="/s"
          series={[{ label: 'finished', color: '#2e9e5b', values: completions(o) }]}
        />
        <Chart
          title="Submit-to-finish latency"
          x={latencyX}
          range={range}
          unit="ms"
          series={[
            { label: 'p50', color: '#5b8def', values: o.latency.map((b) => b.p50Ms) },
            { label: 'p99', color: '#d64545', values: o.latency.map((b) => b.p99Ms) },
          ]}
        />
        <Chart title="Queue depth (messages)" x={depth.x} range={range} unit="" series={depth.series} />
      </div>
      <h2>Work queues</h2>
      {o.queues === null ? (
        <p class="note">
          The RabbitMQ management API is not set (RABBITMQ_MANAGEMENT_URL) or did not answer.
        </p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Queue</th>
              <th scope="col">Ready</th>
              <th scope="col">Unacked</th>
              <th scope="col">Consumers</th>
              <th scope="col">Publish</th>
              <th scope="col">Deliver</th>
              <th scope="col">Ack</th>
            </tr>
          </thead>
          <tbody>
            {o.queues.map((q) => (
              <tr key={q.name}>
                <td>{q.name}</td>
                <td>{count(q.ready)}</td>
                <td>{count(q.unacked)}</td>
                <td>{q.consumers}</td>
                <td>{rate(q.publishRate)}</td>
                <td>{rate(q.deliverRate)}</td>
                <td>{rate(q.ackRate)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Casino events</h2>
      {events ? (
        <EventFigures stats={events} />
      ) : (
        <p class="note">No access to the event statistics, or none yet.</p>
      )}
    </section>
  );
}

function EventFigures(props: { stats: Stats }) {
  const flat = Object.entries(props.stats).filter(([, v]) => typeof v === 'number' || typeof v === 'string');
  return (
    <dl class="facts">
      {flat.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{typeof v === 'number' ? count(v) : String(v)}</dd>
        </div>
      ))}
    </dl>
  );
}
