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
    __itstatus?: { dataAt?: number; firstDataAt?: number };
  }
}
window.__itstatus = {};
const unsub = store.subscribe(() => {
  if (store.get().services.data) {
    window.__itstatus!.dataAt = performance.now();
    requestAnimationFrame(() => {
      window.__itstatus!.firstDataAt = performance.now();
    });
    unsub();
  }
});
