import { assertEquals } from "../../../tests/assert.ts";
import { bundleEntry, CA_BUNDLE, installCaCertificates, pemName } from "./ca_certs.ts";

Deno.test("pemName() spells names as update-ca-certificates does (spaces, parentheses, commas)", () => {
  assertEquals(pemName("mozilla/ACCVRAIZ1.crt"), "ACCVRAIZ1.pem");
  assertEquals(pemName("mozilla/Certigna Root CA (2), Inc.crt"), "Certigna_Root_CA_=2=__Inc.pem");
});

Deno.test("bundleEntry() adds a final newline only where one is missing", () => {
  assertEquals(bundleEntry("A\nB"), "A\nB\n");
  assertEquals(bundleEntry("A\n"), "A\n");
});

Deno.test("installCaCertificates() writes the conf, one .pem link per certificate and the bundle in the root", () => {
  const root = Deno.makeTempDirSync();
  try {
    Deno.mkdirSync(`${root}/usr/share/ca-certificates/mozilla`, { recursive: true });
    Deno.writeTextFileSync(`${root}/usr/share/ca-certificates/mozilla/B Root.crt`, "-----B-----");
    Deno.writeTextFileSync(`${root}/usr/share/ca-certificates/mozilla/A.crt`, "-----A-----\n");
    Deno.writeTextFileSync(`${root}/usr/share/ca-certificates/mozilla/README`, "not a certificate");
    Deno.mkdirSync(`${root}/etc`);
    const pems = installCaCertificates(root);
    assertEquals(pems, ["/etc/ssl/certs/A.pem", "/etc/ssl/certs/B_Root.pem"]);
    assertEquals(
      Deno.readLinkSync(`${root}/etc/ssl/certs/B_Root.pem`),
      "/usr/share/ca-certificates/mozilla/B Root.crt",
    );
    assertEquals(Deno.readTextFileSync(root + CA_BUNDLE), "-----A-----\n-----B-----\n");
    assertEquals(Deno.readTextFileSync(`${root}/etc/ca-certificates.conf`).split("\n").slice(1), [
      "mozilla/A.crt",
      "mozilla/B Root.crt",
      "",
    ]);
    assertEquals(installCaCertificates(root), pems, "a second run (reinstall) gives the same");
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});

Deno.test("installCaCertificates() does nothing in a root without ca-certificates", () => {
  const root = Deno.makeTempDirSync();
  try {
    assertEquals(installCaCertificates(root), []);
    assertEquals([...Deno.readDirSync(root)], []);
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});
