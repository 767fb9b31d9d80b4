/**
 * The Jobs pages of `rnx admin` in a real browser against a real agent: the list, the live log, stopping a job,
 * the run-job form with uploads, keyboard use and labelled controls.
 */
import { Buffer } from "node:buffer";
import type { Page } from "playwright-core";
import { assert, assertEquals, assertStringIncludes } from "../../assert.ts";
import { unlabelledControls } from "./_a11y.ts";
import { AdminHarness, eventually, skipAdmin } from "./_harness.ts";

/** Prints "tick N" every 0.2 s for about two minutes; the test stops it long before. */
const TICKER = ["sh", "-c", 'i=0; while [ $i -lt 600 ]; do i=$((i+1)); echo "tick $i"; sleep 0.2; done'];

/** The piece of the page's window the colour check calls (this file is type-checked without the DOM lib). */
interface BrowserWindow {
  getComputedStyle(el: unknown): { color: string };
}

/** The highest "tick N" in the page's log element, or 0. */
async function lastTick(page: Page): Promise<number> {
  const text = await page.getByRole("log").innerText();
  const ticks = [...text.matchAll(/tick (\d+)/g)].map((m) => Number(m[1]));
  return ticks.length ? Math.max(...ticks) : 0;
}

Deno.test({
  name: "e2e admin: jobs in the browser",
  ignore: skipAdmin(),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const h = await AdminHarness.start();
    try {
      const name = `ticker-${crypto.randomUUID().slice(0, 6)}`;
      const job = await h.agent.runJob(["--name", name, ...TICKER]);
      const detailPath = `/jobs/${h.node}/${job.id}`;

      await t.step("a job run from the CLI appears in the jobs list with its state", async () => {
        const page = await h.open("/jobs");
        const row = page.getByRole("row").filter({ hasText: name });
        await row.waitFor();
        await row.getByText("RUNNING").first().waitFor();
        assert(
          (await page.getByRole("columnheader").count()) > 0,
          "the jobs table has no <th> column headers",
        );
        await h.shot(page, "jobs");
        await page.close();
      });

      await t.step("the job's detail page shows log lines arriving live", async () => {
        const page = await h.open(detailPath);
        await page.getByRole("log").getByText(/tick \d+/).first().waitFor();
        const first = await lastTick(page);
        assert(first > 0, "no tick line in the log");
        // Lines printed after the page had the first ones: they can only have come over the live stream.
        const later = await eventually("a log line printed after the page opened", async () => {
          const n = await lastTick(page);
          return n >= first + 5 ? n : undefined;
        });
        assert(later >= first + 5);
        await h.shot(page, "job-detail");
        await page.close();
      });

      await t.step("stdout and stderr lines are told apart in the log", async () => {
        const { job: mixed } = await h.agent.runToEnd(["sh", "-c", "echo to-out; echo to-err >&2"]);
        const page = await h.open(`/jobs/${h.node}/${String(mixed.id)}`);
        const log = page.getByRole("log");
        await log.getByText("to-err").waitFor();
        const streamOf = (text: string) => log.getByText(text, { exact: true }).getAttribute("data-stream");
        assertEquals([await streamOf("to-out"), await streamOf("to-err")], ["stdout", "stderr"]);
        // Not by colour alone: the two kinds look different.
        const colour = (text: string) =>
          log.getByText(text, { exact: true }).evaluate((el) =>
            (globalThis as unknown as BrowserWindow).getComputedStyle(el).color
          );
        assert(await colour("to-out") !== await colour("to-err"), "stderr lines look like stdout lines");
        await page.close();
      });

      await t.step("keyboard: Tab reaches the jobs table, Enter opens a job", async () => {
        const page = await h.open("/jobs");
        await page.getByRole("row").filter({ hasText: name }).waitFor();
        let inTable = false;
        for (let i = 0; i < 80 && !inTable; i++) {
          await page.keyboard.press("Tab");
          // Past the sortable column headers, into the rows.
          inTable = await page.locator("table tbody :focus, table tbody:focus-within tr:focus").count() > 0;
        }
        assert(inTable, "80 presses of Tab never put the focus on a row of the jobs table");
        await page.keyboard.press("Enter");
        // Client-side routing: the URL changes without a page load.
        await page.waitForURL(new RegExp(`/jobs/${h.node}/[0-9a-f-]+$`), { waitUntil: "commit" });
        await page.getByRole("log").waitFor();
        await page.close();
      });

      await t.step("a dialog takes the focus, keeps it on Tab and closes on Escape", async () => {
        const page = await h.open(detailPath);
        const stop = page.getByRole("button", { name: "Stop" });
        await stop.focus();
        await page.keyboard.press("Enter");
        const dialog = page.getByRole("dialog");
        await dialog.waitFor();
        assertEquals(await dialog.getAttribute("aria-modal"), "true");
        assert((await dialog.getByRole("heading").count()) > 0, "the dialog has no heading");
        const focusInDialog = () =>
          page.locator("[role=dialog] :focus, [role=dialog]:focus").count().then((n) => n > 0);
        assert(await focusInDialog(), "opening the dialog did not move the focus into it");
        for (let i = 0; i < 6; i++) {
          await page.keyboard.press("Tab");
          assert(await focusInDialog(), `Tab ${i + 1} moved the focus out of the dialog`);
        }
        await page.keyboard.press("Escape");
        await dialog.waitFor({ state: "detached" });
        const status = await h.agent.rnxJson(["job", "status", job.id]);
        assertEquals(status.status, "RUNNING", "Escape must close the dialog without stopping the job");
        await page.close();
      });

      await t.step("Stop from the UI stops the job after the confirm dialog", async () => {
        const page = await h.open(detailPath);
        await page.getByRole("button", { name: "Stop" }).click();
        const dialog = page.getByRole("dialog");
        await dialog.getByRole("button", { name: "Back" }).waitFor();
        await h.shot(page, "job-stop-dialog");
        assertEquals(await unlabelledControls(page), [], "controls without a name in the confirm dialog");
        await dialog.getByRole("button", { name: "Confirm" }).click();
        const final = await h.agent.waitFinished(job.id);
        assertEquals(final.status, "STOPPED");
        await page.getByText("STOPPED").first().waitFor();
        await h.shot(page, "job-stopped");
        await page.close();
      });

      await t.step("the run-job form with uploaded files and a folder creates a working job", async () => {
        const page = await h.open("/jobs");
        await page.getByRole("button", { name: "Run job" }).first().click();
        const form = page.getByRole("dialog").or(
          page.locator("form").filter({ has: page.getByLabel("Command") }),
        )
          .first();
        const stamp = crypto.randomUUID().slice(0, 8);
        await form.getByLabel("Command", { exact: true }).fill("cat");
        await form.getByLabel("Arguments").fill("hello.txt data/nested.txt");
        await form.getByLabel("Files").setInputFiles([
          { name: "hello.txt", mimeType: "text/plain", buffer: Buffer.from(`hello ${stamp}\n`) },
        ]);
        const folder = Deno.makeTempDirSync({ prefix: "joblet-upload-" });
        Deno.mkdirSync(`${folder}/data`);
        Deno.writeTextFileSync(`${folder}/data/nested.txt`, `nested ${stamp}\n`);
        await form.getByLabel("Folder").setInputFiles(`${folder}/data`);
        await h.shot(page, "run-job-form");
        const bad = await unlabelledControls(page);
        assertEquals(bad, [], `controls without a name in the run-job form:\n${bad.join("\n")}`);
        await form.getByRole("button", { name: "Run job" }).click();

        const created = await eventually("the job the form ran", async () => {
          const jobs = await h.agent.rnxJson<{ id: string; command: string; args: string[] }[]>([
            "job",
            "list",
          ]);
          return jobs.find((j) => j.command === "cat" && j.args.includes("hello.txt"));
        });
        assertEquals(created.args, ["hello.txt", "data/nested.txt"]);
        const final = await h.agent.waitFinished(created.id);
        const log = await h.agent.rnx(["job", "log", created.id]);
        assertEquals(final.status, "COMPLETED", log.stderr);
        assertStringIncludes(log.stdout, `hello ${stamp}`);
        assertStringIncludes(log.stdout, `nested ${stamp}`);
        Deno.removeSync(folder, { recursive: true });
        await page.close();
      });

      await t.step("every control on the jobs pages has an accessible name", async () => {
        const ready: [string, (p: Page) => Promise<void>][] = [
          ["/", (p) => p.getByText(name).first().waitFor()],
          ["/jobs", (p) => p.getByRole("row").filter({ hasText: name }).waitFor()],
          [detailPath, (p) => p.getByRole("log").getByText(/tick \d+/).first().waitFor()],
        ];
        for (const [path, loaded] of ready) {
          const page = await h.open(path);
          await loaded(page);
          const bad = await unlabelledControls(page);
          assertEquals(bad, [], `controls without a name on ${path}:\n${bad.join("\n")}`);
          await page.close();
        }
      });

      await t.step("the dashboard shows the job and offers Run job", async () => {
        const page = await h.open("/");
        await page.getByRole("button", { name: "Run job" }).first().waitFor();
        await page.getByText(name).first().waitFor();
        await h.shot(page, "dashboard");
        await page.close();
      });
    } finally {
      await h.close();
    }
  },
});
