import { useState } from 'preact/hooks';
import { call, Session } from './api';

/** The key goes to POST /session once; the gateway answers with an HttpOnly cookie, so the page never keeps it. */
export function Login(props: { onLogin: (s: Session) => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string>();
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      props.onLogin(await call<Session>('login', { body: { key } }));
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <form class="login" onSubmit={(e) => void submit(e)}>
      <h1>Conveyor console</h1>
      <label for="key">API key</label>
      <input
        id="key"
        name="key"
        type="password"
        autocomplete="off"
        value={key}
        onInput={(e) => setKey((e.target as HTMLInputElement).value)}
        required
      />
      <button type="submit">Log in</button>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
