import { assertEquals, assertMatch } from "../tests/assert.ts";
import { ASSETS, SOURCE_HASH } from "../cli/admin/assets.gen.ts";
import { GZIP_BUDGET, indexHtml, renderModule, sourceFiles, sourceHash } from "./ui_build.ts";

Deno.test("assets.gen.ts was built from the UI sources as they are now", async () => {
  const now = await sourceHash();
  assertEquals(
    SOURCE_HASH,
    now,
    "cli/admin/assets.gen.ts is older than cli/admin/ui: run deno task ui (and commit the new assets.gen.ts)",
  );
});

Deno.test("sourceFiles() lists the UI sources and the shared formatter, without tests", async () => {
  const files = await sourceFiles();
  assertEquals(files.includes("cli/admin/ui/main.tsx"), true);
  assertEquals(files.includes("cli/output/format.ts"), true);
  assertEquals(files.some((f) => f.endsWith("_test.ts")), false);
  assertEquals([...files].sort(), files);
});

Deno.test("index.html loads exactly the hashed JS and CSS that ASSETS holds", () => {
  const html = new TextDecoder().decode(
    Uint8Array.from(atob(ASSETS["/index.html"].body), (c) => c.charCodeAt(0)),
  );
  const refs = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
  assertEquals(refs.length, 2);
  for (const r of refs) {
    assertMatch(r, /^\/assets\/app-[0-9a-f]{16}\.(js|css)$/);
    assertEquals(Object.hasOwn(ASSETS, r), true, `${r} is missing from ASSETS`);
  }
  assertEquals(/<script>/.test(html), false, "no inline script (the CSP forbids it)");
});

Deno.test("the embedded JS stays within the gzip budget", async () => {
  const js = Object.entries(ASSETS).find(([p]) => p.endsWith(".js"))![1];
  const bytes = Uint8Array.from(atob(js.body), (c) => c.charCodeAt(0));
  const gz = await new Response(new Blob([bytes]).stream().pipeThrough(new CompressionStream("gzip")))
    .arrayBuffer();
  assertEquals(gz.byteLength <= GZIP_BUDGET, true, `${gz.byteLength} bytes gzipped > ${GZIP_BUDGET}`);
});

Deno.test("renderModule() writes ASSETS in path order and SOURCE_HASH", () => {
  const text = renderModule({
    "/z.js": { type: "text/javascript", body: "eg==", hash: "h2" },
    "/index.html": { type: "text/html", body: btoa(indexHtml("/z.js", "/a.css")), hash: "h1" },
  }, "abc");
  assertEquals(text.indexOf('"/index.html"') < text.indexOf('"/z.js"'), true);
  assertMatch(text, /export const SOURCE_HASH = "abc";/);
});
