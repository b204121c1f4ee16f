import { render } from 'preact';
import { App } from './App';
import { LiveController } from './state/live';
import { createStore, initialState } from './state/store';
import { registerServiceWorker } from './sw-register';
import './styles.css';

const store = createStore(initialState());
const live = new LiveController(store);
const root = document.getElementById('app')!;

let updateReady: (() => void) | null = null;
const draw = () => render(<App store={store} live={live} updateReady={updateReady} />, root);

live.start();
draw();
registerServiceWorker((apply) => {
  updateReady = apply;
  draw();
});

// For the E2E suite: time from navigation start to the first rendered data.
declare global {
  interface Window {
    /** dataAt: the list (or its first page) reached the store; fullAt: every service did. */
    __itstatus?: { dataAt?: number; firstDataAt?: number; fullAt?: number };
  }
}
window.__itstatus = {};
const unsub = store.subscribe(() => {
  const list = store.get().services.data;
  const t = window.__itstatus!;
  if (list && t.dataAt === undefined) {
    t.dataAt = performance.now();
    requestAnimationFrame(() => {
      t.firstDataAt = performance.now();
    });
  }
  if (list && !list.partial) {
    t.fullAt = performance.now();
    unsub();
  }
});
