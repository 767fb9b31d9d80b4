/**
 * "Every control labelled", judged by chromium itself: the page's accessibility tree (CDP
 * `Accessibility.getFullAXTree`) gives each node the role and accessible name the browser computed (labels,
 * aria-label, aria-labelledby, text content, title), so the test needs no name-computation of its own.
 */
import type { Page } from "playwright-core";

/** Roles a user operates; each must have an accessible name. */
export const CONTROL_ROLES: ReadonlySet<string> = new Set([
  "button",
  "checkbox",
  "combobox",
  "link",
  "listbox",
  "menuitem",
  "radio",
  "searchbox",
  "slider",
  "spinbutton",
  "switch",
  "tab",
  "textbox",
]);

/** The part of a CDP AXNode this check reads. */
export interface AXNode {
  nodeId: string;
  ignored: boolean;
  role?: { value?: unknown };
  name?: { value?: unknown };
  backendDOMNodeId?: number;
}

/** Controls (by CONTROL_ROLES) that are not ignored and have an empty or missing name, as "role #nodeId". */
export function unnamedControls(nodes: readonly AXNode[]): AXNode[] {
  return nodes.filter((n) => {
    if (n.ignored) return false;
    const role = String(n.role?.value ?? "");
    if (!CONTROL_ROLES.has(role)) return false;
    return String(n.name?.value ?? "").trim() === "";
  });
}

/**
 * Describes each unnamed control on `page` by its HTML (truncated), e.g.
 * `button: <button class="x"><svg …></button>`; empty when every control is labelled.
 */
export async function unlabelledControls(page: Page): Promise<string[]> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { nodes } = await cdp.send("Accessibility.getFullAXTree") as unknown as { nodes: AXNode[] };
    const out: string[] = [];
    for (const n of unnamedControls(nodes)) {
      let html = "?";
      if (n.backendDOMNodeId !== undefined) {
        try {
          const { object } = await cdp.send("DOM.resolveNode", { backendNodeId: n.backendDOMNodeId });
          const r = await cdp.send("Runtime.callFunctionOn", {
            objectId: object.objectId,
            functionDeclaration: "function () { return (this.outerHTML ?? String(this)).slice(0, 200); }",
            returnByValue: true,
          });
          html = String(r.result.value);
        } catch { /* node went away */ }
      }
      out.push(`${String(n.role?.value)}: ${html}`);
    }
    return out;
  } finally {
    await cdp.detach().catch(() => {});
  }
}
