/**
 * `rnx admin` in a real browser (Debian's chromium via playwright-core, as the admin e2e tests drive it): how soon
 * the first page is usable on loopback, beside a static HTML page with the same navigation served by a bare
 * Deno.serve in the same run (the browser's own floor), and the size of the UI's JavaScript gzipped.
 *
 * Each run opens a new browser context (empty cache, as a first visit) and times, from `page.goto` to:
 *   - "shell": the main navigation is visible (the app has loaded, parsed and rendered);
 *   - "usable": the Jobs page shows a job the agent has (session + list API answered and rendered);
 *   - baseline: the static page's navigation is visible.
 * Static and UI runs are interleaved so drift on the shared machine hits both alike.
 */
import { chromium, type Page } from "playwright-core";
import type { TestAgent } from "../e2e/_agent.ts";
import { AdminServer, CHROMIUM, CHROMIUM_FLAGS } from "../e2e/admin/_harness.ts";
import { type Figure, fromSummary, verdictAtMost } from "./report.ts";
import { sampleMany, type SampleOptions } from "./stats.ts";
import { type Asset, gzippedJsBytes } from "./ui_assets.ts";

const SECTION = "10. admin UI first page (chromium, loopback)";
/** Issue 9's budgets. */
export const USABLE_TARGET_MS = 1000;
export const JS_BUDGET_BYTES = 500 * 1000;

/** A page with the UI's navigation and a heading, nothing else: what a browser needs at the least. */
export const STATIC_PAGE =
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Joblet</title></head>
<body><nav aria-label="Main"><a href="/">Dashboard</a> <a href="/jobs">Jobs</a> <a href="/workflows">Workflows</a>
<a href="/monitoring">Monitoring</a> <a href="/resources">Resources</a></nav><main><h1>Jobs</h1></main></body></html>`;

export async function benchAdminUi(
  agent: TestAgent,
  opts: SampleOptions,
  skipped: string[],
): Promise<Figure[]> {
  const figures: Figure[] = [];
  const assetsUrl = new URL("../../cli/admin/assets.gen.ts", import.meta.url).href;
  try {
    const { ASSETS } = await import(assetsUrl) as { ASSETS: Record<string, Asset> };
    const gz = gzippedJsBytes(ASSETS);
    figures.push({
      section: SECTION,
      name: "UI JavaScript gzipped, % of the 500 KB budget",
      unit: "%",
      n: 1,
      median: (gz / JS_BUDGET_BYTES) * 100,
      target: "≤ 100 % (issue 9)",
      verdict: gz <= JS_BUDGET_BYTES ? "meets target" : "MISSES TARGET",
      note: `${(gz / 1000).toFixed(1)} KB gzipped (level 9) in ${
        Object.keys(ASSETS).filter((p) => p.endsWith(".js")).length
      } file(s)`,
    });
  } catch (e) {
    skipped.push(`ui: JavaScript size: cannot read cli/admin/assets.gen.ts (${(e as Error).message})`);
  }
  try {
    Deno.statSync(CHROMIUM);
  } catch {
    skipped.push(`ui: first page timings need ${CHROMIUM} (Debian package chromium)`);
    return figures;
  }

  const name = `bench-ui-${crypto.randomUUID().slice(0, 6)}`;
  const job = await agent.runJob(["--name", name, "true"]);
  await agent.waitFinished(job.id);
  const staticServer = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => new Response(STATIC_PAGE, { headers: { "content-type": "text/html; charset=utf-8" } }),
  );
  const admin = await AdminServer.start(agent.rnxConfig);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  try {
    const staticUrl = `http://127.0.0.1:${staticServer.addr.port}/`;
    const s = await sampleMany(opts, async () => {
      const timed = async (url: string, marks: Record<string, (p: Page) => Promise<void>>) => {
        const context = await browser.newContext();
        const page = await context.newPage();
        page.setDefaultTimeout(30_000);
        const t0 = performance.now();
        const out: Record<string, number> = {};
        const goto = page.goto(url);
        for (const [k, wait] of Object.entries(marks)) {
          await wait(page);
          out[k] = performance.now() - t0;
        }
        await goto;
        await context.close();
        return out;
      };
      const nav = (p: Page) => p.getByRole("navigation", { name: "Main" }).waitFor();
      const base = await timed(staticUrl, { static: nav });
      const ui = await timed(`${admin.url}/jobs`, {
        shell: nav,
        usable: (p) => p.getByRole("row").filter({ hasText: name }).first().waitFor(),
      });
      return { static: base.static, shell: ui.shell, usable: ui.usable };
    });
    figures.push(
      fromSummary(SECTION, "rnx admin /jobs: goto → job row shown (usable)", s.usable, {
        ratio: s.usable.median / s.static.median,
        ratioTo: "static page",
        target: `p50 ≤ ${USABLE_TARGET_MS} ms (issue 9: < 1 s)`,
        verdict: verdictAtMost(s.usable.median, USABLE_TARGET_MS),
        note: "new browser context per run (empty cache); includes /api/session and the jobs list over gRPC",
      }),
      fromSummary(SECTION, "rnx admin /jobs: goto → navigation shown (shell)", s.shell, {
        ratio: s.shell.median / s.static.median,
        ratioTo: "static page",
      }),
      fromSummary(SECTION, "baseline: static HTML page, goto → navigation shown", s.static),
    );
  } finally {
    await browser.close().catch(() => {});
    await admin.stop();
    await staticServer.shutdown();
  }
  return figures;
}
