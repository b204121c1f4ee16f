// Fetch now and every `intervalMs` while mounted; refetch when `deps` change.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, type ApiResult } from '../api/client';

export interface Polled<T> {
  data: T | null;
  error: string | null;
  loading: boolean;
  reload: () => void;
}

export function usePolled<T>(
  fetcher: (signal: AbortSignal) => Promise<ApiResult<T>>,
  intervalMs: number,
  deps: unknown[],
): Polled<T> {
  const [state, setState] = useState<{ data: T | null; error: string | null; loading: boolean; raw: string | null }>({
    data: null,
    error: null,
    loading: true,
    raw: null,
  });
  const ctrl = useRef<AbortController | null>(null);
  const f = useRef(fetcher);
  f.current = fetcher;

  const run = useCallback(() => {
    ctrl.current?.abort();
    const c = new AbortController();
    ctrl.current = c;
    f.current(c.signal)
      .then((res) => {
        if (c.signal.aborted) return;
        setState((prev) =>
          prev.raw === res.raw && prev.error === null ? { ...prev, loading: false } : { data: res.data, error: null, loading: false, raw: res.raw },
        );
      })
      .catch((e: unknown) => {
        if (c.signal.aborted) return;
        setState((prev) => ({ ...prev, loading: false, error: e instanceof ApiError ? e.message : String(e) }));
      });
  }, []);

  useEffect(() => {
    setState((prev) => ({ ...prev, loading: true }));
    run();
    const t = setInterval(run, intervalMs);
    return () => {
      clearInterval(t);
      ctrl.current?.abort();
    };
  }, deps);

  return { data: state.data, error: state.error, loading: state.loading, reload: run };
}
