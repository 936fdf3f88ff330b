import { useEffect, useState } from 'preact/hooks';
import { call, Endpoint } from './api';

/** Calls an endpoint now and every `everyMs` (0: once) while the page shows; `deps` restart it. */
export function usePoll<T>(
  endpoint: Endpoint,
  options: Parameters<typeof call>[1],
  everyMs: number,
  deps: unknown[] = [],
): { data: T | undefined; error: string | undefined; reload: () => void } {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string>();
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      try {
        const answer = await call<T>(endpoint, options);
        if (live) {
          setData(answer);
          setError(undefined);
        }
      } catch (err) {
        if (live) setError((err as Error).message);
      }
      if (live && everyMs > 0) timer = setTimeout(() => void load(), everyMs);
    };
    void load();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [endpoint, everyMs, tick, ...deps]);
  return { data, error, reload: () => setTick((t) => t + 1) };
}
