/** An <a> that navigates inside the UI without a reload (modifier-clicks still open a new tab). */
import type { AnchorHTMLAttributes } from "react";
import { navigate } from "../hooks.ts";

export function Link(props: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) {
  return (
    <a
      {...props}
      onClick={(e) => {
        props.onClick?.(e);
        if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        navigate(props.href);
      }}
    />
  );
}
