import { Buffer } from "node:buffer";
import { assert, assertEquals } from "../assert.ts";
import { type Asset, gzippedJsBytes } from "./ui_assets.ts";

const asset = (text: string, type: string): Asset => ({
  type,
  body: Buffer.from(text).toString("base64"),
  hash: "x",
});

Deno.test("gzippedJsBytes() counts JavaScript assets only, compressed", () => {
  const js = "const a = 1;\n".repeat(2000);
  const only = gzippedJsBytes({ "/assets/app-1.js": asset(js, "text/javascript") });
  assert(only > 0 && only < js.length / 10, `${only} bytes is not a gzip of ${js.length} repetitive bytes`);
  const withOthers = gzippedJsBytes({
    "/assets/app-1.js": asset(js, "text/javascript"),
    "/assets/app-1.css": asset("body{}".repeat(2000), "text/css"),
    "/index.html": asset("<p>hi</p>", "text/html"),
  });
  assertEquals(withOthers, only);
});

Deno.test("gzippedJsBytes() of no JavaScript is 0", () => {
  assertEquals(gzippedJsBytes({ "/index.html": asset("<p>hi</p>", "text/html") }), 0);
});
