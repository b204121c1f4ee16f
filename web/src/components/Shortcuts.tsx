// Keyboard shortcut cheat sheet (toggled with "?").
import { Icon } from './Icon';
import { Modal } from './Modal';

export const SHORTCUTS: { keys: string[]; what: string }[] = [
  { keys: ['?'], what: 'Show or hide this sheet' },
  { keys: ['g'], what: 'Toggle the dependency graph (Engineer view)' },
  { keys: ['1'], what: 'Engineer view' },
  { keys: ['2'], what: 'Executive view' },
  { keys: ['3'], what: 'SLO view' },
  { keys: ['Esc'], what: 'Close the drawer, then the graph, then this sheet' },
  { keys: ['j', '→', '↓'], what: 'Next service tile' },
  { keys: ['k', '←', '↑'], what: 'Previous service tile' },
  { keys: ['Home'], what: 'First (worst) tile' },
  { keys: ['End'], what: 'Last tile' },
  { keys: ['Enter'], what: 'Open the focused service' },
  { keys: ['Tab'], what: 'Move between page regions; focus stays inside open dialogs' },
];

export function ShortcutsDialog({ onClose }: { onClose: () => void }) {
  return (
    <Modal variant="dialog" labelledBy="kbd-title" onClose={onClose} testId="shortcuts-dialog">
      <div class="dialog-head">
        <h2 id="kbd-title">
          <Icon name="keyboard" size={20} /> Keyboard shortcuts
        </h2>
        <button type="button" class="icon-button" onClick={onClose} aria-label="Close keyboard shortcuts" data-autofocus>
          <Icon name="close" size={20} />
        </button>
      </div>
      <table class="kbd-table">
        <caption class="sr-only">Keyboard shortcuts</caption>
        <thead>
          <tr>
            <th scope="col">Keys</th>
            <th scope="col">Action</th>
          </tr>
        </thead>
        <tbody>
          {SHORTCUTS.map((s) => (
            <tr key={s.what}>
              <td>
                {s.keys.map((k, i) => (
                  <span key={k}>
                    {i > 0 && <span class="muted"> / </span>}
                    <kbd>{k}</kbd>
                  </span>
                ))}
              </td>
              <td>{s.what}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p class="muted small">Single-key shortcuts are ignored while typing in a text field.</p>
    </Modal>
  );
}
