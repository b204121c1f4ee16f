// A tiny memo() for function components (preact/compat's would patch global
// options; this does not): re-render only when a prop changed (Object.is).
import { Component, h, type FunctionComponent } from 'preact';

export function shallowEqual(a: object, b: object): boolean {
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  for (const k in ra) if (!Object.is(ra[k], rb[k])) return false;
  for (const k in rb) if (!(k in ra)) return false;
  return true;
}

export function memo<P extends object>(fn: FunctionComponent<P>): FunctionComponent<P> {
  class Memo extends Component<P> {
    override shouldComponentUpdate(next: Readonly<P>): boolean {
      return !shallowEqual(this.props, next);
    }
    override render(props: P) {
      return h(fn, props);
    }
  }
  (Memo as unknown as { displayName: string }).displayName = `Memo(${fn.displayName ?? fn.name})`;
  return Memo as unknown as FunctionComponent<P>;
}
