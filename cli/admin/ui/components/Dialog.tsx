/**
 * A modal dialog: role="dialog" with aria-modal and a heading that names it; focus moves inside on open, Tab
 * and Shift+Tab cycle within it, Escape closes it, and focus returns to what had it before.
 */
import { type ReactNode, useEffect, useId, useRef } from "react";

const FOCUSABLE = "a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), " +
  'textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export function Dialog(
  { title, onClose, children, wide = false }: {
    title: string;
    onClose: () => void;
    children: ReactNode;
    wide?: boolean;
  },
) {
  const ref = useRef<HTMLDivElement>(null);
  const headingId = useId();
  const close = useRef(onClose);
  close.current = onClose;
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    const box = ref.current!;
    const first = box.querySelector<HTMLElement>("[autofocus]") ?? box.querySelector<HTMLElement>(FOCUSABLE);
    (first ?? box).focus();
    // On the document, not the dialog: a button that disables itself while busy drops focus to <body>, and
    // Escape and Tab must still work then.
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") {
        e.stopPropagation();
        close.current();
        return;
      }
      if (e.key !== "Tab") return;
      const items = [...box.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) =>
        el.offsetParent !== null
      );
      e.preventDefault();
      if (items.length === 0) return box.focus();
      const i = items.indexOf(document.activeElement as HTMLElement);
      const next = i < 0
        ? (e.shiftKey ? items.length - 1 : 0)
        : e.shiftKey
        ? (i === 0 ? items.length - 1 : i - 1)
        : (i === items.length - 1 ? 0 : i + 1);
      items[next].focus();
    };
    document.addEventListener("keydown", onKey);
    return () => {
      document.removeEventListener("keydown", onKey);
      before?.focus?.();
    };
  }, []);
  return (
    <div className="backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        ref={ref}
        className={wide ? "dialog wide" : "dialog"}
        role="dialog"
        aria-modal="true"
        aria-labelledby={headingId}
        tabIndex={-1}
      >
        <h2 id={headingId}>{title}</h2>
        {children}
      </div>
    </div>
  );
}

/** "Are you sure?" with Confirm and Back; Confirm runs `onConfirm`, whose error is shown in the dialog. */
export function ConfirmDialog(
  { title, message, onConfirm, onClose, busy, error }: {
    title: string;
    message: ReactNode;
    onConfirm: () => void;
    onClose: () => void;
    busy?: boolean;
    error?: string;
  },
) {
  return (
    <Dialog title={title} onClose={onClose}>
      <p>{message}</p>
      {error ? <p role="alert" className="error">{error}</p> : null}
      <div className="actions">
        <button type="button" onClick={onClose}>Back</button>
        <button type="button" className="danger" onClick={onConfirm} disabled={busy} autoFocus>
          Confirm
        </button>
      </div>
    </Dialog>
  );
}
