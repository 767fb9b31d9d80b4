/**
 * The embedded UI (cli/admin/assets.gen.ts, built by `deno task ui`): files under /assets/ by their hashed
 * names with a year's cache; every other path that is not /api is the single page's index.html (client-side
 * routing), never cached. Every page carries a strict Content-Security-Policy: nothing loads from elsewhere.
 */
import { Hono } from "hono";
import { decodeBase64 } from "./base64.ts";

export interface Asset {
  type: string;
  /** base64 */
  body: string;
  hash: string;
}

export const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

export const SECURITY_HEADERS: Record<string, string> = {
  "Content-Security-Policy": CSP,
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  // The token may be in the page's URL: never send it on.
  "Referrer-Policy": "no-referrer",
};

export function staticRoutes(assets: Record<string, Asset>): Hono {
  const app = new Hono();
  const bodies = new Map<string, Uint8Array<ArrayBuffer>>();
  const bodyOf = (path: string) => {
    let b = bodies.get(path);
    if (!b) bodies.set(path, b = decodeBase64(assets[path].body));
    return b;
  };
  const send = (path: string, cache: string) =>
    new Response(bodyOf(path), {
      headers: {
        "Content-Type": assets[path].type,
        "Cache-Control": cache,
        ETag: `"${assets[path].hash}"`,
        ...SECURITY_HEADERS,
      },
    });

  app.get("/assets/*", (c) => {
    const path = c.req.path;
    if (!Object.hasOwn(assets, path)) {
      return c.text(`no asset ${path} (is the page older than rnx admin?)`, 404);
    }
    return send(path, "public, max-age=31536000, immutable");
  });
  app.get("*", (c) => {
    if (!Object.hasOwn(assets, "/index.html")) return c.text("the UI is not built: run deno task ui", 500);
    return send("/index.html", "no-cache");
  });
  return app;
}
