/**
 * What Debian's `update-ca-certificates` (run by the ca-certificates postinst) makes, made inside a runtime
 * root: `/etc/ca-certificates.conf` naming every certificate under `/usr/share/ca-certificates`, a
 * `/etc/ssl/certs/NAME.pem` link to each, and the bundle `/etc/ssl/certs/ca-certificates.crt` (what openssl's
 * `/usr/lib/ssl/cert.pem`, Python's ssl and curl read). The hash links (`openssl rehash`) are run by
 * maintainer.ts with the runtime's own openssl.
 */
import { join, relative } from "node:path";

const CERTS = "usr/share/ca-certificates";
const ETC_CERTS = "etc/ssl/certs";
export const CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt";

/** `/etc/ssl/certs/` name of a certificate, as update-ca-certificates spells it (spaces, parens, commas). */
export function pemName(crt: string): string {
  const base = crt.slice(crt.lastIndexOf("/") + 1).replace(/\.crt$/, "");
  return base.replace(/ /g, "_").replace(/[()]/g, "=").replace(/,/g, "_") + ".pem";
}

/** One certificate in the bundle: its text, with a final newline added when missing (sed -e '$a\'). */
export function bundleEntry(text: string): string {
  return text === "" || text.endsWith("\n") ? text : text + "\n";
}

/**
 * Makes the conf file, the links and the bundle in `root`. Returns the `/etc/ssl/certs/*.pem` paths (as the
 * job sees them), or [] when the root has no ca-certificates.
 */
export function installCaCertificates(root: string): string[] {
  const dir = join(root, CERTS);
  const crts = findCrts(dir).map((p) => relative(dir, p)).sort();
  if (crts.length === 0) return [];
  Deno.writeTextFileSync(
    join(root, "etc/ca-certificates.conf"),
    "# Made by joblet when the runtime was built (as update-ca-certificates would): every certificate.\n" +
      crts.join("\n") + "\n",
  );
  const etcCerts = join(root, ETC_CERTS);
  Deno.mkdirSync(etcCerts, { recursive: true });
  const pems: string[] = [];
  let bundle = "";
  for (const crt of crts) {
    const pem = pemName(crt);
    const link = join(etcCerts, pem);
    try {
      Deno.removeSync(link);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    Deno.symlinkSync(`/${CERTS}/${crt}`, link);
    pems.push(`/${ETC_CERTS}/${pem}`);
    bundle += bundleEntry(Deno.readTextFileSync(join(dir, crt)));
  }
  const tmp = join(root, CA_BUNDLE + ".new");
  Deno.writeTextFileSync(tmp, bundle, { mode: 0o644 });
  Deno.renameSync(tmp, join(root, CA_BUNDLE));
  return pems;
}

function findCrts(dir: string): string[] {
  const out: string[] = [];
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(dir)];
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return out;
    throw e;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory) out.push(...findCrts(p));
    else if (e.isFile && e.name.endsWith(".crt")) out.push(p);
  }
  return out;
}
