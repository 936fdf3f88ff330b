import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { call, can, DeadLetter, Page, ReplayResult, Session } from '../api';
import { ago, preview } from '../format';
import { usePoll } from '../hooks';

interface Filter {
  queue: string;
  reason: string;
  since: string;
}

const EMPTY: Filter = { queue: '', reason: '', since: '' };
const iso = (local: string) => (local ? new Date(local).toISOString() : undefined);

/** Every dead-lettered message the gateway keeps: look at one, replay or discard one or a filter's worth. */
export function DeadLettersPage(props: { session: Session }) {
  const [filter, setFilter] = useState<Filter>(EMPTY);
  const [open, setOpen] = useState<string>();
  const [outcome, setOutcome] = useState<string>();
  const [pending, setPending] = useState<{ what: 'replay' | 'discard'; matched: number }>();
  const admin = can(props.session, 'admin');
  const query = {
    queue: filter.queue || undefined,
    reason: filter.reason || undefined,
    since: iso(filter.since),
  };
  const { data, error, reload } = usePoll<Page<DeadLetter>>(
    'deadLetters',
    { query: { ...query, limit: '50' } },
    3000,
    [JSON.stringify(query)],
  );
  const set = (key: keyof Filter) => (e: Event) =>
    setFilter({ ...filter, [key]: (e.target as HTMLInputElement).value });
  const byFilter = {
    ...(query.queue && { queue: query.queue }),
    ...(query.reason && { reason: query.reason }),
    ...(query.since && { since: query.since }),
  };

  const dryRun = async (what: 'replay' | 'discard') => {
    try {
      if (what === 'replay') {
        const r = await call<ReplayResult>('replay', { body: { ...byFilter, dryRun: true } });
        setPending({ what, matched: r.matched });
      } else {
        setPending({ what, matched: data?.items.length ?? 0 });
      }
      setOutcome(undefined);
    } catch (err) {
      setOutcome((err as Error).message);
    }
  };
  const confirm = async () => {
    if (!pending) return;
    try {
      if (pending.what === 'replay') {
        const r = await call<ReplayResult>('replay', { body: { ...byFilter, dryRun: false } });
        setOutcome(
          `Replayed ${r.replayed} of ${r.matched}${r.notReplayed.length ? `; not replayed: ${r.notReplayed.map((n) => `${n.id} (${n.reason})`).join(', ')}` : ''}.`,
        );
      } else {
        const r = await call<{ deleted: number }>('discard', {
          query: Object.keys(byFilter).length
            ? byFilter
            : { ids: (data?.items ?? []).map((d) => d.id).join(',') },
        });
        setOutcome(`Discarded ${r.deleted}.`);
      }
    } catch (err) {
      setOutcome((err as Error).message);
    }
    setPending(undefined);
    reload();
  };
  const one = async (what: 'replay' | 'discard', id: string) => {
    try {
      if (what === 'replay') {
        const r = await call<ReplayResult>('replay', { body: { ids: [id] } });
        setOutcome(
          r.replayed ? `Replayed ${id}.` : `Not replayed: ${r.notReplayed.map((n) => n.reason).join(', ')}`,
        );
      } else {
        await call('discard', { query: { ids: id } });
        setOutcome(`Discarded ${id}.`);
      }
    } catch (err) {
      setOutcome((err as Error).message);
    }
    reload();
  };

  return (
    <section aria-labelledby="dl-title">
      <h1 id="dl-title">Dead letters</h1>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Queue
          <input value={filter.queue} onChange={set('queue')} placeholder="conveyor.tasks.normal.io" />
        </label>
        <label>
          Reason
          <input value={filter.reason} onChange={set('reason')} placeholder="INVALID_PAYLOAD" />
        </label>
        <label>
          Since
          <input type="datetime-local" value={filter.since} onChange={set('since')} />
        </label>
      </form>
      {admin && (
        <div class="actions">
          <button type="button" onClick={() => void dryRun('replay')}>
            Replay all that match…
          </button>
          <button type="button" class="danger" onClick={() => void dryRun('discard')}>
            Discard all that match…
          </button>
        </div>
      )}
      {pending && (
        <div class="confirm" role="alertdialog" aria-label="Confirm">
          <p>
            {pending.what === 'replay' ? 'Replay' : 'Discard'}{' '}
            <strong data-matched={pending.matched}>{pending.matched}</strong> dead letter(s)?
          </p>
          <button type="button" onClick={() => void confirm()}>
            Yes, {pending.what}
          </button>
          <button type="button" class="link" onClick={() => setPending(undefined)}>
            No
          </button>
        </div>
      )}
      {outcome && <p role="status">{outcome}</p>}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <table>
        <thead>
          <tr>
            <th scope="col">Died</th>
            <th scope="col">Queue</th>
            <th scope="col">Reason</th>
            <th scope="col">Message</th>
            <th scope="col">Size</th>
            <th scope="col">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {data?.items.map((d) => (
            <Fragment key={d.id}>
              <tr data-dead-letter={d.id}>
                <td>{ago(d.diedAt ?? d.receivedAt)}</td>
                <td>{d.queue ?? '—'}</td>
                <td>
                  <code>{d.reason}</code>
                </td>
                <td>{d.message}</td>
                <td>
                  {d.bodySize} B{d.truncated ? ' (truncated)' : ''}
                </td>
                <td class="row-actions">
                  <button
                    type="button"
                    class="link"
                    aria-expanded={open === d.id}
                    onClick={() => setOpen(open === d.id ? undefined : d.id)}
                  >
                    Preview
                  </button>
                  {admin && (
                    <>
                      <button type="button" class="link" onClick={() => void one('replay', d.id)}>
                        Replay
                      </button>
                      <button type="button" class="link danger" onClick={() => void one('discard', d.id)}>
                        Discard
                      </button>
                    </>
                  )}
                </td>
              </tr>
              {open === d.id && (
                <tr>
                  <td colSpan={6}>
                    <Preview id={d.id} />
                  </td>
                </tr>
              )}
            </Fragment>
          ))}
        </tbody>
      </table>
      {data && data.items.length === 0 && <p class="note">No dead letters match.</p>}
    </section>
  );
}

function Preview(props: { id: string }) {
  const { data, error } = usePoll<DeadLetter>('deadLetter', { params: { id: props.id } }, 0, [props.id]);
  if (!data) return <p class="loading">{error ?? 'Loading…'}</p>;
  const body = data.body ? preview(data.body, data.contentType) : { kind: 'none', text: '(no body)' };
  return (
    <div class="preview">
      <p class="note">
        {data.exchange ?? '—'} / {data.routingKey ?? '—'} · {data.contentType ?? 'no content type'} ·{' '}
        {body.kind}
        {data.truncated ? ` · first ${data.body ? atob(data.body).length : 0} of ${data.bodySize} bytes` : ''}
      </p>
      <pre>{body.text}</pre>
      <details>
        <summary>Headers</summary>
        <pre>{JSON.stringify(data.headers, null, 2)}</pre>
      </details>
    </div>
  );
}
