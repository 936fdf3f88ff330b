import type { Page, Worker } from '../api';
import { ago } from '../format';
import { usePoll } from '../hooks';

/** The workers from their heartbeats: where they are connected, how full their lanes are. */
export function WorkersPage() {
  const { data, error } = usePoll<Page<Worker>>('workers', { query: { limit: '100' } }, 2000);
  return (
    <section aria-labelledby="workers-title">
      <h1 id="workers-title">Workers</h1>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <div class="workers">
        {data?.items.map((w) => (
          <article key={w.id} class={`worker ${w.status}`} data-worker={w.id}>
            <h2>
              {w.host}:{w.pid} <span class={`status ${w.status}`}>{w.status}</span>
            </h2>
            <p class="note">
              v{w.version} · RabbitMQ {w.brokerNode ?? '—'} · started {ago(w.startedAt)} · seen{' '}
              {ago(w.lastSeenAt)}
            </p>
            <p>
              CPU pool: {w.cpuThreads} thread(s), {Math.round(w.poolUtilization * 100)}% busy
            </p>
            <ul class="lanes">
              {w.lanes.map((l) => (
                <li key={l.queue}>
                  <span>{l.queue.replace('conveyor.tasks.', '')}</span>
                  <meter
                    min={0}
                    max={l.slots}
                    value={Math.min(l.inFlight, l.slots)}
                    aria-label={`${l.queue} in flight`}
                  />
                  <span>
                    {l.inFlight}/{l.slots}
                  </span>
                </li>
              ))}
            </ul>
          </article>
        ))}
      </div>
      {data && data.items.length === 0 && <p class="note">No worker has announced itself.</p>}
    </section>
  );
}
