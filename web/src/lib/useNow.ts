// One shared 1-second clock for every relative time on the page.
import { useEffect, useState } from 'preact/hooks';

const subs = new Set<(t: number) => void>();
let timer: ReturnType<typeof setInterval> | null = null;

function tick() {
  const t = Date.now();
  for (const f of [...subs]) f(t);
}

export function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    subs.add(setNow);
    if (!timer) timer = setInterval(tick, 1000);
    return () => {
      subs.delete(setNow);
      if (subs.size === 0 && timer) {
        clearInterval(timer);
        timer = null;
      }
    };
  }, []);
  return now;
}
