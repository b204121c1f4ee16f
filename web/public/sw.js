/* itstatus service worker.
 *
 * Caches the application shell (index.html, hashed JS/CSS, manifest, icons)
 * so the dashboard opens offline and installs as a PWA. It NEVER answers
 * /api/* (nor /metrics, /healthz) from a cache: those requests are not
 * intercepted at all, so live data always comes from the network and an
 * offline dashboard says "Disconnected" instead of showing old data as new.
 *
 * The precache list and build id are filled in by vite.config.ts at build
 * time. apid must serve this file with `Cache-Control: no-store`.
 */
const BUILD_ID = /*__BUILD_ID__*/ 'dev';
const PRECACHE = /*__PRECACHE__*/ [];
const CACHE = 'itstatus-shell-' + BUILD_ID;

function scopePath(url) {
  const scope = new URL(self.registration.scope);
  return url.pathname.startsWith(scope.pathname) ? url.pathname.slice(scope.pathname.length) : url.pathname.replace(/^\//, '');
}

function neverCache(url) {
  const p = scopePath(url);
  return p === 'api' || p.startsWith('api/') || p === 'metrics' || p === 'healthz' || p === 'sw.js';
}

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(PRECACHE.map((p) => new Request(p, { cache: 'reload' })))),
  );
  // First install: take over at once. Updates wait for the page's "Refresh".
  if (!self.registration.active) self.skipWaiting();
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('itstatus-') && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('message', (event) => {
  if (event.data === 'SKIP_WAITING') self.skipWaiting();
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (neverCache(url)) return; // straight to the network, never cached
  if (req.headers.get('accept')?.includes('text/event-stream')) return;

  if (req.mode === 'navigate') {
    // Network first for the page itself; the cached shell only when offline.
    event.respondWith(
      fetch(req).catch(() => caches.match('/', { ignoreSearch: true }).then((r) => r || Response.error())),
    );
    return;
  }
  const p = scopePath(url);
  if (p.startsWith('assets/') || p.startsWith('icons/') || p === 'manifest.webmanifest') {
    // Hashed assets are immutable: cache first, fill the cache on a miss.
    event.respondWith(
      caches.match(req).then(
        (hit) =>
          hit ||
          fetch(req).then((res) => {
            if (res.ok && res.type === 'basic') {
              const copy = res.clone();
              caches.open(CACHE).then((c) => c.put(req, copy));
            }
            return res;
          }),
      ),
    );
  }
});
