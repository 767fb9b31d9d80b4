/**
 * The Monitoring and Resources pages of `rnx admin` in a real browser against a real agent: live host figures,
 * and every page's controls labelled.
 */
import type { Page } from "playwright-core";
import { assert, assertEquals } from "../../assert.ts";
import { unlabelledControls } from "./_a11y.ts";
import { AdminHarness, eventually, skipAdmin } from "./_harness.ts";

/** aria-valuenow of the meter named `name` (percent used), once it is above zero. */
function meterAboveZero(page: Page, name: string): Promise<number> {
  return eventually(`the "${name}" meter above 0`, async () => {
    const v = Number(
      await page.getByRole("meter", { name, exact: true }).first().getAttribute("aria-valuenow"),
    );
    return v > 0 ? v : undefined;
  });
}

Deno.test({
  name: "e2e admin: monitoring and resources in the browser",
  ignore: skipAdmin(),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const h = await AdminHarness.start();
    // A job that keeps half a core busy, so the host's CPU is not idle whatever else the machine does.
    const burner = await h.agent.runJob([
      "--max-cpu",
      "50",
      "--timeout",
      "60s",
      "sh",
      "-c",
      "while :; do :; done",
    ]);
    try {
      await t.step("the monitoring page shows non-zero CPU and memory", async () => {
        const page = await h.open("/monitoring");
        const cpu = await meterAboveZero(page, "CPU");
        const memory = await meterAboveZero(page, "Memory");
        assert(cpu <= 100 && memory <= 100, `CPU ${cpu} % and memory ${memory} % must be percentages`);
        await h.shot(page, "monitoring");
        const bad = await unlabelledControls(page);
        assertEquals(bad, [], `controls without a name on /monitoring:\n${bad.join("\n")}`);
        await page.close();
      });

      await t.step(
        "the resources page lists a volume created from the CLI, with labelled controls",
        async () => {
          const vol = `vol${crypto.randomUUID().slice(0, 6)}`;
          const vc = await h.agent.rnx(["volume", "create", vol, "--size", "10MB", "--type", "memory"]);
          assertEquals(vc.code, 0, vc.stderr);
          try {
            const page = await h.open("/resources");
            await page.getByRole("row").filter({ hasText: vol }).waitFor();
            await h.shot(page, "resources");
            const bad = await unlabelledControls(page);
            assertEquals(bad, [], `controls without a name on /resources:\n${bad.join("\n")}`);
            await page.close();
          } finally {
            await h.agent.rnx(["volume", "remove", vol]);
          }
        },
      );

      await t.step("the workflows page has labelled controls", async () => {
        const page = await h.open("/workflows");
        await page.getByRole("heading").first().waitFor();
        await h.shot(page, "workflows-empty");
        const bad = await unlabelledControls(page);
        assertEquals(bad, [], `controls without a name on /workflows:\n${bad.join("\n")}`);
        await page.close();
      });
    } finally {
      await h.agent.rnx(["job", "stop", burner.id]);
      await h.close();
    }
  },
});
