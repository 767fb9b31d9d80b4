import { assertEquals } from "../../assert.ts";
import { type AXNode, unnamedControls } from "./_a11y.ts";

const node = (nodeId: string, role: string, name?: string, ignored = false): AXNode => ({
  nodeId,
  ignored,
  role: { value: role },
  name: name === undefined ? undefined : { value: name },
});

Deno.test("unnamedControls() reports a button, textbox or combobox without an accessible name", () => {
  const nodes = [
    node("1", "button", ""),
    node("2", "textbox"),
    node("3", "combobox", "  "),
    node("4", "button", "Stop"),
  ];
  assertEquals(unnamedControls(nodes).map((n) => n.nodeId), ["1", "2", "3"]);
});

Deno.test("unnamedControls() ignores nodes hidden from assistive technology and non-controls", () => {
  const nodes = [
    node("1", "button", "", true),
    node("2", "generic", ""),
    node("3", "StaticText", ""),
    node("4", "cell", ""),
  ];
  assertEquals(unnamedControls(nodes), []);
});
