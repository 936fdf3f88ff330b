import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { call, Session } from './api';
import { Login } from './login';
import { OverviewPage } from './pages/overview';
import { TasksPage } from './pages/tasks';
import { TaskPage } from './pages/task';
import { DeadLettersPage } from './pages/dead-letters';
import { WorkersPage } from './pages/workers';
import { BatchesPage } from './pages/batches';
import './style.css';

const PAGES = [
  ['overview', 'Overview'],
  ['tasks', 'Tasks'],
  ['dead-letters', 'Dead letters'],
  ['workers', 'Workers'],
  ['batches', 'Batches & schedules'],
] as const;

/** The page is the part of the URL after `#/`: `tasks`, `tasks/<id>`, `dead-letters`, … */
function useRoute(): string[] {
  const read = () => location.hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const changed = () => setRoute(read());
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return route;
}

function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const route = useRoute();
  useEffect(() => {
    call<Session>('session').then(setSession, () => setSession(null));
  }, []);
  if (session === undefined) return <p class="loading">Loading…</p>;
  if (session === null) return <Login onLogin={setSession} />;
  const [page = 'overview', id] = route;
  const logout = async () => {
    await call('logout').catch(() => undefined);
    setSession(null);
  };
  return (
    <>
      <header>
        <strong class="brand">Conveyor</strong>
        <nav aria-label="Pages">
          {PAGES.map(([key, label]) => (
            <a key={key} href={`#/${key}`} aria-current={page === key ? 'page' : undefined}>
              {label}
            </a>
          ))}
        </nav>
        <span class="who">
          {session.name} <small>({session.scopes.join(', ')})</small>
          <button type="button" class="link" onClick={() => void logout()}>
            Log out
          </button>
        </span>
      </header>
      <main>
        {page === 'overview' && <OverviewPage />}
        {page === 'tasks' && !id && <TasksPage />}
        {page === 'tasks' && id && <TaskPage id={id} session={session} />}
        {page === 'dead-letters' && <DeadLettersPage session={session} />}
        {page === 'workers' && <WorkersPage />}
        {page === 'batches' && <BatchesPage />}
        {!PAGES.some(([key]) => key === page) && <p>No such page.</p>}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
