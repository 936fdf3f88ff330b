import { useState } from 'preact/hooks';
import type { Page, Task } from '../api';
import { ago, duration } from '../format';
import { usePoll } from '../hooks';

const STATUSES = ['', 'pending', 'waiting', 'queued', 'running', 'succeeded', 'failed', 'dead', 'cancelled'];
const PAGE = 50;

interface Filter {
  q: string;
  status: string;
  type: string;
  priority: string;
  idempotencyKey: string;
  createdAfter: string;
  createdBefore: string;
}

const EMPTY: Filter = {
  q: '',
  status: '',
  type: '',
  priority: '',
  idempotencyKey: '',
  createdAfter: '',
  createdBefore: '',
};
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A datetime-local value as ISO 8601 (the API's form), or undefined when empty. */
const iso = (local: string) => (local ? new Date(local).toISOString() : undefined);

export function TasksPage() {
  const [filter, setFilter] = useState<Filter>(EMPTY);
  const [offset, setOffset] = useState(0);
  const [find, setFind] = useState('');
  const query = {
    ...filter,
    q: filter.q.trim().length >= 3 ? filter.q.trim() : undefined,
    createdAfter: iso(filter.createdAfter),
    createdBefore: iso(filter.createdBefore),
    limit: String(PAGE),
    offset: String(offset),
  };
  // Live: the first page is asked again every second, so new tasks appear without a reload.
  const { data, error } = usePoll<Page<Task>>('tasks', { query }, offset === 0 ? 1000 : 0, [
    JSON.stringify(query),
  ]);
  const set = (key: keyof Filter) => (e: Event) => {
    setFilter({ ...filter, [key]: (e.target as HTMLInputElement).value });
    setOffset(0);
  };
  const open = (e: Event) => {
    e.preventDefault();
    const id = find.trim();
    if (UUID.test(id)) location.hash = `#/tasks/${id}`;
    else {
      setFilter({ ...EMPTY, idempotencyKey: id });
      setOffset(0);
    }
  };
  return (
    <section aria-labelledby="tasks-title">
      <h1 id="tasks-title">Tasks</h1>
      <form class="find" onSubmit={open}>
        <label for="find">Task id or idempotency key</label>
        <input id="find" value={find} onInput={(e) => setFind((e.target as HTMLInputElement).value)} />
        <button type="submit">Find</button>
      </form>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Text in payload, result or error
          <input value={filter.q} onChange={set('q')} placeholder="at least 3 characters" minLength={3} />
        </label>
        <label>
          Status
          <select value={filter.status} onChange={set('status')}>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s || 'any'}
              </option>
            ))}
          </select>
        </label>
        <label>
          Type
          <input value={filter.type} onChange={set('type')} placeholder="demo.work" />
        </label>
        <label>
          Priority
          <select value={filter.priority} onChange={set('priority')}>
            <option value="">any</option>
            <option value="normal">normal</option>
            <option value="high">high</option>
          </select>
        </label>
        <label>
          Created after
          <input type="datetime-local" value={filter.createdAfter} onChange={set('createdAfter')} />
        </label>
        <label>
          Created before
          <input type="datetime-local" value={filter.createdBefore} onChange={set('createdBefore')} />
        </label>
        <button type="button" class="link" onClick={() => setFilter(EMPTY)}>
          Clear
        </button>
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <table class="tasks">
        <thead>
          <tr>
            <th scope="col">Task</th>
            <th scope="col">Type</th>
            <th scope="col">Status</th>
            <th scope="col">Priority</th>
            <th scope="col">Attempts</th>
            <th scope="col">Created</th>
            <th scope="col">Took</th>
          </tr>
        </thead>
        <tbody>
          {data?.items.map((t) => (
            <tr key={t.id} data-task={t.id}>
              <td>
                <a href={`#/tasks/${t.id}`}>{t.id}</a>
              </td>
              <td>{t.type}</td>
              <td>
                <span class={`status ${t.status}`}>{t.status}</span>
              </td>
              <td>{t.priority}</td>
              <td>
                {t.attempts}/{t.maxAttempts}
              </td>
              <td>{ago(t.createdAt)}</td>
              <td>{duration(t.createdAt, t.finishedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {data && data.items.length === 0 && <p class="note">No tasks match.</p>}
      <nav class="pager" aria-label="Pages of tasks">
        <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
          Newer
        </button>
        <span>
          {offset + 1}–{offset + (data?.items.length ?? 0)}
        </span>
        <button type="button" disabled={!data?.hasMore} onClick={() => setOffset(offset + PAGE)}>
          Older
        </button>
      </nav>
    </section>
  );
}
