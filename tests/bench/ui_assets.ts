/** The embedded admin UI's assets (cli/admin/assets.gen.ts) as the bench measures them. */
import { Buffer } from "node:buffer";
import { gzipSync } from "node:zlib";

/** One entry of ASSETS in cli/admin/assets.gen.ts. */
export interface Asset {
  type: string;
  /** base64 */
  body: string;
  hash: string;
}

/** Gzipped size (level 9) of every JavaScript asset, added up. */
export function gzippedJsBytes(assets: Record<string, Asset>): number {
  let total = 0;
  for (const [path, a] of Object.entries(assets)) {
    if (!path.endsWith(".js") && !a.type.includes("javascript")) continue;
    total += gzipSync(Buffer.from(a.body, "base64"), { level: 9 }).length;
  }
  return total;
}
