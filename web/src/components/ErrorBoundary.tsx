// Keeps one broken view from blanking the whole wall screen.
import { Component, type ComponentChildren } from 'preact';

interface Props {
  what: string;
  children: ComponentChildren;
}
interface State {
  error: string | null;
}

export class ErrorBoundary extends Component<Props, State> {
  override state: State = { error: null };

  static override getDerivedStateFromError(e: unknown): State {
    return { error: e instanceof Error ? e.message : String(e) };
  }

  override componentDidCatch(e: unknown): void {
    console.error(`itstatus: ${this.props.what} failed to render`, e);
  }

  override render() {
    if (this.state.error) {
      return (
        <div class="error-note" role="alert">
          The {this.props.what} could not be shown ({this.state.error}).{' '}
          <button type="button" class="link-button" onClick={() => this.setState({ error: null })}>
            Try again
          </button>
        </div>
      );
    }
    return this.props.children;
  }
}
