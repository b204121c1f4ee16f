// Registers web/public/sw.js (production builds only) and reports when a new
// version is waiting, so the shell can offer "Refresh" instead of swapping
// code under the user. Checks for updates every 5 minutes.
export function registerServiceWorker(onUpdate: (apply: () => void) => void): void {
  if (!import.meta.env.PROD || typeof navigator === 'undefined' || !('serviceWorker' in navigator)) return;
  window.addEventListener('load', () => {
    navigator.serviceWorker
      .register('/sw.js', { scope: '/', updateViaCache: 'none' })
      .then((reg) => {
        const offer = (w: ServiceWorker) =>
          onUpdate(() => {
            navigator.serviceWorker.addEventListener('controllerchange', () => location.reload(), { once: true });
            w.postMessage('SKIP_WAITING');
          });
        if (reg.waiting && navigator.serviceWorker.controller) offer(reg.waiting);
        reg.addEventListener('updatefound', () => {
          const w = reg.installing;
          if (!w) return;
          w.addEventListener('statechange', () => {
            if (w.state === 'installed' && navigator.serviceWorker.controller) offer(w);
          });
        });
        setInterval(() => void reg.update().catch(() => undefined), 5 * 60 * 1000);
      })
      .catch(() => undefined);
  });
}
