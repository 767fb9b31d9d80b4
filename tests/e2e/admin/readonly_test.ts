/**
 * `rnx admin` with a readonly certificate shows jobs, workflows and resources but none of the controls that
 * change anything; the same pages with an admin certificate do show them (so the check cannot pass on a page
 * that simply failed to load).
 */
import type { Page } from "playwright-core";
import { assertEquals } from "../../assert.ts";
import { AdminHarness, issueCert, skipAdmin } from "./_harness.ts";

const MUTATING = [
  "Stop",
  "Cancel",
  "Delete",
  "Run job",
  "Run workflow",
  "Create network",
  "Create volume",
  "Install",
  "Remove",
];

/** The MUTATING buttons (and links styled as buttons) present on the page, by name. */
async function mutatingControls(page: Page): Promise<string[]> {
  const found: string[] = [];
  for (const name of MUTATING) {
    const n = await page.getByRole("button", { name, exact: true }).count() +
      await page.getByRole("link", { name, exact: true }).count();
    if (n > 0) found.push(name);
  }
  return found;
}

Deno.test({
  name: "e2e admin: a readonly certificate hides the mutating controls",
  ignore: skipAdmin(),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const h = await AdminHarness.start();
    try {
      const name = `long-${crypto.randomUUID().slice(0, 6)}`;
      const job = await h.agent.runJob(["--name", name, "sleep", "120"]);
      const done = await h.agent.runJob(["--name", `done-${name.slice(5)}`, "true"]);
      await h.agent.waitFinished(done.id);
      const volume = `vol${crypto.randomUUID().slice(0, 6)}`;
      const vc = await h.agent.rnx(["volume", "create", volume, "--size", "10MB", "--type", "memory"]);
      assertEquals(vc.code, 0, vc.stderr);
      const readonly = await h.adminWith(await issueCert(h.agent, "rita", "readonly"));

      // Each page, and what shows it has loaded with the agent's data.
      const pages: [string, string, (p: Page) => Promise<void>][] = [
        ["dashboard", "/", (p) => p.getByText(name).first().waitFor()],
        ["jobs", "/jobs", (p) => p.getByRole("row").filter({ hasText: name }).waitFor()],
        ["job", `/jobs/${h.node}/${job.id}`, (p) => p.getByText("RUNNING").first().waitFor()],
        ["finished-job", `/jobs/${h.node}/${done.id}`, (p) => p.getByText("COMPLETED").first().waitFor()],
        ["workflows", "/workflows", (p) => p.getByRole("heading").first().waitFor()],
        ["resources", "/resources", (p) => p.getByText(volume).first().waitFor()],
      ];

      await t.step("an admin certificate sees the mutating controls", async () => {
        const seen = new Set<string>();
        for (const [, path, loaded] of pages) {
          const page = await h.open(path);
          await loaded(page);
          for (const c of await mutatingControls(page)) seen.add(c);
          await page.close();
        }
        for (
          const c of [
            "Stop",
            "Delete",
            "Run job",
            "Run workflow",
            "Create network",
            "Create volume",
            "Remove",
          ]
        ) {
          if (!seen.has(c)) throw new Error(`an admin sees no "${c}" button on any page (saw: ${[...seen]})`);
        }
      });

      await t.step("a readonly certificate sees the same data without them", async () => {
        for (const [label, path, loaded] of pages) {
          const page = await h.open(path, readonly.url);
          await loaded(page);
          assertEquals(await mutatingControls(page), [], `readonly user sees mutating controls on ${path}`);
          await h.shot(page, `readonly-${label}`);
          await page.close();
        }
      });
      await h.agent.rnx(["job", "stop", job.id]);
      await h.agent.rnx(["volume", "remove", volume]);
    } finally {
      await h.close();
    }
  },
});
