import { useEffect, useState } from 'preact/hooks';
import { Attempt, call, can, Session, Task, ENDPOINTS } from '../api';
import { ago, duration, json } from '../format';
import { STATUS_COLORS } from './overview';

const FINISHED = new Set(['succeeded', 'failed', 'dead', 'cancelled']);
const RETRYABLE = new Set(['failed', 'dead', 'cancelled']);

/** The task, live: its `status` events (SSE) until it finishes; the attempts read again at each. */
function useLiveTask(id: string): { task?: Task; attempts: Attempt[]; error?: string; refresh: () => void } {
  const [task, setTask] = useState<Task>();
  const [attempts, setAttempts] = useState<Attempt[]>([]);
  const [error, setError] = useState<string>();
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    const path = ENDPOINTS.taskEvents[1].replace('{id}', encodeURIComponent(id));
    const source = new EventSource(path);
    const loadAttempts = () =>
      call<{ items: Attempt[] }>('attempts', { params: { id } }).then(
        (a) => setAttempts(a.items),
        () => undefined,
      );
    source.addEventListener('status', (e) => {
      const next = JSON.parse((e as MessageEvent<string>).data) as Task;
      setTask(next);
      setError(undefined);
      void loadAttempts();
      if (FINISHED.has(next.status)) source.close();
    });
    source.onerror = () => {
      // A closed stream after a final status is the normal end; otherwise say so and read once.
      if (source.readyState === EventSource.CLOSED)
        call<Task>('task', { params: { id } }).then(setTask, (err: Error) => setError(err.message));
    };
    return () => source.close();
  }, [id, generation]);
  return { task, attempts, error, refresh: () => setGeneration((g) => g + 1) };
}

export function TaskPage(props: { id: string; session: Session }) {
  const { task, attempts, error, refresh } = useLiveTask(props.id);
  const [message, setMessage] = useState<string>();
  const writer = can(props.session, 'tasks:write');
  if (!task) return <p class="loading">{error ?? 'Loading…'}</p>;
  const act = async (what: 'cancel' | 'retry') => {
    try {
      if (what === 'cancel') await call('cancel', { params: { id: task.id }, body: { status: 'cancelled' } });
      else await call('retry', { params: { id: task.id } });
      setMessage(what === 'cancel' ? 'Cancel sent.' : 'Retry queued.');
      refresh();
    } catch (err) {
      setMessage((err as Error).message);
    }
  };
  return (
    <section aria-labelledby="task-title">
      <p>
        <a href="#/tasks">← Tasks</a>
      </p>
      <h1 id="task-title">
        {task.type}{' '}
        <span class={`status ${task.status}`} data-status={task.status}>
          {task.status}
        </span>
      </h1>
      <p class="mono">{task.id}</p>
      {writer && (
        <div class="actions">
          {!FINISHED.has(task.status) && (
            <button type="button" class="danger" onClick={() => void act('cancel')}>
              Cancel
            </button>
          )}
          {RETRYABLE.has(task.status) && (
            <button type="button" onClick={() => void act('retry')}>
              Retry
            </button>
          )}
        </div>
      )}
      {message && <p role="status">{message}</p>}
      <progress max={100} value={task.progress} aria-label="progress">
        {task.progress}%
      </progress>
      <dl class="facts">
        <div>
          <dt>Priority</dt>
          <dd>{task.priority}</dd>
        </div>
        <div>
          <dt>Group</dt>
          <dd>{task.group ?? '—'}</dd>
        </div>
        <div>
          <dt>Attempts</dt>
          <dd>
            {task.attempts} of {task.maxAttempts}
          </dd>
        </div>
        <div>
          <dt>Created</dt>
          <dd>{ago(task.createdAt)}</dd>
        </div>
        <div>
          <dt>Queued after</dt>
          <dd>{duration(task.createdAt, task.queuedAt)}</dd>
        </div>
        <div>
          <dt>Took</dt>
          <dd>{duration(task.createdAt, task.finishedAt)}</dd>
        </div>
      </dl>
      <h2>Attempts</h2>
      <Timeline task={task} attempts={attempts} />
      {task.error && (
        <>
          <h2>Error</h2>
          <pre class="error">{json(task.error)}</pre>
        </>
      )}
      {task.result !== null && task.result !== undefined && (
        <>
          <h2>Result</h2>
          <pre>{json(task.result)}</pre>
        </>
      )}
      <h2>Payload</h2>
      <pre>{json(task.payload)}</pre>
    </section>
  );
}

/** Each attempt as a bar on one time axis, from the task's creation to its end (or now). */
function Timeline(props: { task: Task; attempts: Attempt[] }) {
  const start = new Date(props.task.createdAt).getTime();
  const end = props.task.finishedAt ? new Date(props.task.finishedAt).getTime() : Date.now();
  const span = Math.max(1, end - start);
  if (props.attempts.length === 0) return <p class="note">No attempt has started.</p>;
  return (
    <ol class="timeline">
      {props.attempts.map((a) => {
        const from = a.startedAt ? new Date(a.startedAt).getTime() : start;
        const to = a.finishedAt ? new Date(a.finishedAt).getTime() : end;
        return (
          <li key={a.attempt}>
            <span class="label">
              #{a.attempt} {a.status} · {duration(a.startedAt, a.finishedAt ?? new Date(end).toISOString())}
              {a.error ? ` · ${a.error.code}: ${a.error.message}` : ''}
            </span>
            <span class="track">
              <span
                class="span"
                style={{
                  marginLeft: `${((from - start) / span) * 100}%`,
                  width: `${Math.max(0.5, ((to - from) / span) * 100)}%`,
                  background: STATUS_COLORS[a.status] ?? '#999',
                }}
              />
            </span>
          </li>
        );
      })}
    </ol>
  );
}
