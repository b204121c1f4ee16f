// Modal surface used by the drawer, the dependency graph and the shortcut
// sheet: role=dialog + aria-modal, focus moved in on open and trapped while
// it is the top-most modal, Esc and backdrop close it, focus restored to the
// element that opened it.
import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useRef } from 'preact/hooks';

const stack: symbol[] = [];

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export function focusables(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(
    (el) => !el.hasAttribute('disabled') && el.getAttribute('aria-hidden') !== 'true' && el.offsetParent !== null,
  );
}

export function isTopModal(id: symbol): boolean {
  return stack[stack.length - 1] === id;
}

export function anyModalOpen(): boolean {
  return stack.length > 0;
}

export interface ModalProps {
  labelledBy: string;
  describedBy?: string;
  onClose: () => void;
  /** 'drawer' slides in from the right, 'overlay' fills the screen, 'dialog' is centred. */
  variant: 'drawer' | 'overlay' | 'dialog';
  class?: string;
  children: ComponentChildren;
  testId?: string;
}

export function Modal(props: ModalProps) {
  const ref = useRef<HTMLDivElement>(null);
  const idRef = useRef<symbol>(Symbol('modal'));
  const close = useRef(props.onClose);
  close.current = props.onClose;

  // Layout effect: the modal joins the stack and takes focus in the same
  // commit that shows it, so a key pressed right after it appears (Esc, Tab)
  // is already handled by it and not by the modal underneath.
  useLayoutEffect(() => {
    const id = idRef.current;
    const act = document.activeElement;
    const opener = act instanceof HTMLElement || act instanceof SVGElement ? act : null;
    stack.push(id);
    const el = ref.current;
    if (el) {
      const target = el.querySelector<HTMLElement>('[data-autofocus]') ?? focusables(el)[0] ?? el;
      target.focus({ preventScroll: true });
    }
    const onKey = (e: KeyboardEvent) => {
      if (!isTopModal(id) || !ref.current) return;
      if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        close.current();
        return;
      }
      if (e.key !== 'Tab') return;
      const list = focusables(ref.current);
      if (list.length === 0) {
        e.preventDefault();
        ref.current.focus();
        return;
      }
      const first = list[0]!;
      const last = list[list.length - 1]!;
      const active = document.activeElement;
      const inside = active instanceof Node && ref.current.contains(active);
      if (e.shiftKey && (active === first || !inside)) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && (active === last || !inside)) {
        e.preventDefault();
        first.focus();
      }
    };
    // Capture phase: the top modal handles Esc/Tab before the global shortcuts.
    document.addEventListener('keydown', onKey, true);
    return () => {
      document.removeEventListener('keydown', onKey, true);
      const i = stack.indexOf(id);
      if (i >= 0) stack.splice(i, 1);
      if (opener && opener.isConnected) opener.focus({ preventScroll: true });
    };
  }, []);

  return (
    <div class={`modal-root modal-${props.variant}`} data-testid={props.testId}>
      <div class="modal-backdrop" onClick={() => close.current()} aria-hidden="true" />
      <div
        ref={ref}
        class={`modal-panel ${props.class ?? ''}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby={props.labelledBy}
        aria-describedby={props.describedBy}
        tabIndex={-1}
      >
        {props.children}
      </div>
    </div>
  );
}
