import { useState } from 'preact/hooks';
import type { Page } from '../api';
import { Bar } from '../chart';
import { ago } from '../format';
import { usePoll } from '../hooks';
import { STATUS_COLORS } from './overview';

interface IdBatch {
  id: string;
  rpm: number;
  startsAt: string;
  endsAt: string;
  total: number;
  counts: Record<string, number>;
  cancelledAt: string | null;
}
interface Slot {
  slot: number;
  startsAt: string;
  count: number;
  created: number;
}
interface PlanSync {
  taskId: string;
  status: string;
  createdAt: string;
  finishedAt: string | null;
  chunks: number;
  chunksExpected: number | null;
  plansSeen: number;
  plansNew: number;
  plansChanged: number;
}
interface Schedule {
  id: string;
  name: string;
  cron: string | null;
  everySeconds: number | null;
  timezone: string;
  paused: boolean;
  nextFireAt: string | null;
  task: { type: string };
}

const colored = (counts: Record<string, number>) =>
  Object.entries(counts).map(([label, value]) => ({
    label,
    value,
    color: STATUS_COLORS[label] ?? '#c9d1d9',
  }));

/** ID batches (their minutes filling up), plans syncs and schedules. */
export function BatchesPage() {
  const batches = usePoll<Page<IdBatch>>('idBatches', { query: { limit: '20' } }, 5000);
  const syncs = usePoll<Page<PlanSync>>('planSyncs', { query: { limit: '10' } }, 5000);
  const schedules = usePoll<Page<Schedule>>('schedules', { query: { limit: '50' } }, 10000);
  const [open, setOpen] = useState<string>();
  return (
    <section aria-labelledby="batches-title">
      <h1 id="batches-title">Batches & schedules</h1>
      <h2>ID batches</h2>
      {batches.error && <p class="error">{batches.error}</p>}
      {batches.data?.items.map((b) => (
        <article key={b.id} class="batch">
          <p>
            <span class="mono">{b.id}</span> · {b.total} IDs at {b.rpm}/min · {ago(b.startsAt)} to{' '}
            {ago(b.endsAt)}
            {b.cancelledAt ? ' · cancelled' : ''}{' '}
            <button
              type="button"
              class="link"
              aria-expanded={open === b.id}
              onClick={() => setOpen(open === b.id ? undefined : b.id)}
            >
              Slots
            </button>
          </p>
          <Bar label={`batch ${b.id} by status`} parts={colored(b.counts)} />
          {open === b.id && <Slots id={b.id} />}
        </article>
      ))}
      {batches.data?.items.length === 0 && <p class="note">No ID batches.</p>}
      <h2>Plans syncs</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">Started</th>
            <th scope="col">Status</th>
            <th scope="col">Chunks</th>
            <th scope="col">Seen</th>
            <th scope="col">New</th>
            <th scope="col">Changed</th>
          </tr>
        </thead>
        <tbody>
          {syncs.data?.items.map((s) => (
            <tr key={s.taskId}>
              <td>
                <a href={`#/tasks/${s.taskId}`}>{ago(s.createdAt)}</a>
              </td>
              <td>
                <span class={`status ${s.status}`}>{s.status}</span>
              </td>
              <td>
                {s.chunks}/{s.chunksExpected ?? '?'}
              </td>
              <td>{s.plansSeen}</td>
              <td>{s.plansNew}</td>
              <td>{s.plansChanged}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Schedules</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">When</th>
            <th scope="col">Task</th>
            <th scope="col">Next</th>
          </tr>
        </thead>
        <tbody>
          {schedules.data?.items.map((s) => (
            <tr key={s.id}>
              <td>{s.name}</td>
              <td>
                {s.cron ? `${s.cron} (${s.timezone})` : `every ${s.everySeconds} s`}
                {s.paused ? ' · paused' : ''}
              </td>
              <td>{s.task.type}</td>
              <td>{s.nextFireAt ? new Date(s.nextFireAt).toLocaleString() : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** One bar per minute of the batch: how many of its IDs have their task created. */
function Slots(props: { id: string }) {
  const { data } = usePoll<{ items: Slot[] }>(
    'idBatchSlots',
    { params: { id: props.id }, query: { limit: '100' } },
    5000,
    [props.id],
  );
  return (
    <ol class="slots" aria-label="slots by minute">
      {data?.items.map((s) => (
        <li key={s.slot} title={`${new Date(s.startsAt).toLocaleTimeString()}: ${s.created} of ${s.count}`}>
          <meter min={0} max={Math.max(1, s.count)} value={s.created} aria-label={`slot ${s.slot}`} />
        </li>
      ))}
    </ol>
  );
}
