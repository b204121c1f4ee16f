// "New version available" prompt from the service worker.
export function UpdateToast({ onRefresh, onLater }: { onRefresh: () => void; onLater: () => void }) {
  return (
    <div class="toast" role="status">
      <span>New version available — refresh to get the latest dashboard.</span>
      <button type="button" class="btn btn-small" onClick={onLater}>
        Later
      </button>
      <button type="button" class="btn btn-small btn-primary" onClick={onRefresh}>
        Refresh
      </button>
    </div>
  );
}
