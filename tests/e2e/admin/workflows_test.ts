/**
 * The Workflows pages of `rnx admin` in a real browser against a real agent: the list, and the detail page's
 * graph, which must show every job with its state and follow changes live.
 */
import { join } from "node:path";
import type { Page } from "playwright-core";
import { assertEquals } from "../../assert.ts";
import { unlabelledControls } from "./_a11y.ts";
import { AdminHarness, eventually, skipAdmin } from "./_harness.ts";

/** One job in each final state, plus one that runs until stopped. */
const YAML = `jobs:
  fetch:
    command: sh
    args: ["-c", "echo fetched"]
  build:
    command: sh
    args: ["-c", "exit 3"]
    requires:
      - fetch: "COMPLETED"
  publish:
    command: sh
    args: ["-c", "echo never"]
    requires:
      - build: "COMPLETED"
  serve:
    command: sleep
    args: ["120"]
`;

/** The state each graph node shows, from the nodes' aria-label "NAME: STATE". */
async function graphStates(page: Page): Promise<Record<string, string>> {
  const labels = await page.getByLabel("Workflow graph").locator("[aria-label]").evaluateAll((els) =>
    els.map((e) => e.getAttribute("aria-label") ?? "")
  );
  const out: Record<string, string> = {};
  for (const l of labels) {
    const m = /^(.+): ([A-Z_]+)$/.exec(l);
    if (m) out[m[1]] = m[2];
  }
  return out;
}

async function waitForStates(page: Page, want: Record<string, string>): Promise<void> {
  let seen: Record<string, string> = {};
  try {
    await eventually("the workflow graph's states", async () => {
      seen = sorted(await graphStates(page));
      return JSON.stringify(seen) === JSON.stringify(sorted(want)) ? true : undefined;
    });
  } catch {
    assertEquals(seen, sorted(want), "the workflow graph shows other jobs or states");
  }
}

function sorted(r: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => a.localeCompare(b)));
}

Deno.test({
  name: "e2e admin: workflows in the browser",
  ignore: skipAdmin(),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const h = await AdminHarness.start();
    try {
      const file = join(h.agent.stateDir, "pipeline.yaml");
      Deno.writeTextFileSync(file, YAML);
      const wf = await h.agent.rnxJson<{ id: string }>(["job", "run", `--workflow=${file}`]);
      const detailPath = `/workflows/${h.node}/${wf.id}`;
      await eventually("build to fail", async () => {
        const w = await h.agent.rnxJson<{ jobs: { name: string; status: string }[] }>(
          ["job", "status", "--workflow", wf.id],
        );
        const build = w.jobs.find((j) => j.name === "build" || j.name.endsWith("build"));
        return build?.status === "FAILED" ? true : undefined;
      });

      await t.step("the workflows list shows the workflow", async () => {
        const page = await h.open("/workflows");
        await page.getByRole("row").filter({ hasText: "pipeline" }).first().waitFor();
        await h.shot(page, "workflows");
        await page.close();
      });

      await t.step("the graph shows every job with its state and follows a stop live", async () => {
        const page = await h.open(detailPath);
        await page.getByLabel("Workflow graph").waitFor();
        await waitForStates(page, {
          fetch: "COMPLETED",
          build: "FAILED",
          publish: "CANCELED",
          serve: "RUNNING",
        });
        await h.shot(page, "workflow-detail");
        const stop = await h.agent.rnx(["job", "stop", "--workflow", wf.id]);
        assertEquals(stop.code, 0, stop.stderr);
        await waitForStates(page, {
          fetch: "COMPLETED",
          build: "FAILED",
          publish: "CANCELED",
          serve: "STOPPED",
        });
        await page.getByText("sleep").first().waitFor(); // the original YAML
        await h.shot(page, "workflow-stopped");
        const bad = await unlabelledControls(page);
        assertEquals(bad, [], `controls without a name on ${detailPath}:\n${bad.join("\n")}`);
        await page.close();
      });
    } finally {
      await h.close();
    }
  },
});
