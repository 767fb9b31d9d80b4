import { assertEquals, assertThrows } from "../../../tests/assert.ts";
import { globInRoot, makeLinks } from "./links.ts";

function jdkRoot(): string {
  const root = Deno.makeTempDirSync();
  const jdk = `${root}/usr/lib/jvm/java-17-openjdk-amd64`;
  Deno.mkdirSync(`${jdk}/bin`, { recursive: true });
  Deno.mkdirSync(`${root}/usr/bin`, { recursive: true });
  for (const t of ["java", "javac", "keytool"]) Deno.writeTextFileSync(`${jdk}/bin/${t}`, "");
  Deno.writeTextFileSync(`${root}/usr/bin/keytool`, "already there");
  return root;
}

Deno.test("globInRoot() matches '*' within one name, inside the root only", () => {
  const root = jdkRoot();
  try {
    assertEquals(globInRoot(root, "/usr/lib/jvm/java-17-openjdk-*"), ["/usr/lib/jvm/java-17-openjdk-amd64"]);
    assertEquals(globInRoot(root, "/usr/lib/jvm/*/bin/java*").length, 2);
    assertEquals(globInRoot(root, "/usr/lib/jvm/java-21-*"), []);
    assertEquals(globInRoot(root, "/usr/lib/jvm/java-17-openjdk-amd64/bin/java/x"), []);
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});

Deno.test("makeLinks() makes relative links, one per match for a directory, keeping what is there", () => {
  const root = jdkRoot();
  try {
    const made = makeLinks(root, {
      "/usr/lib/jvm/java-17-openjdk": "/usr/lib/jvm/java-17-openjdk-*",
      "/usr/bin/": "/usr/lib/jvm/java-17-openjdk-*/bin/*",
    });
    assertEquals(made.length, 3);
    assertEquals(Deno.readLinkSync(`${root}/usr/lib/jvm/java-17-openjdk`), "java-17-openjdk-amd64");
    assertEquals(Deno.readLinkSync(`${root}/usr/bin/java`), "../lib/jvm/java-17-openjdk-amd64/bin/java");
    assertEquals(Deno.readTextFileSync(`${root}/usr/bin/keytool`), "already there");
    assertEquals(Deno.statSync(`${root}/usr/bin/javac`).isFile, true, "the link resolves inside the root");
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});

Deno.test("makeLinks() refuses a target that matches nothing or, for one link, several paths", () => {
  const root = jdkRoot();
  try {
    assertThrows(
      () => makeLinks(root, { "/usr/bin/": "/usr/lib/jvm/java-21-*/bin/*" }),
      /"\/usr\/lib\/jvm\/java-21-\*\/bin\/\*" \(for \/usr\/bin\/\) matches nothing/,
    );
    assertThrows(
      () => makeLinks(root, { "/usr/bin/j": "/usr/lib/jvm/*/bin/*" }),
      /matches 3 paths .* it must match exactly one/,
    );
    assertThrows(
      () => makeLinks(root, { "/usr/bin/keytool": "/usr/lib/jvm/*/bin/keytool" }),
      /\/usr\/bin\/keytool is already a file or directory/,
    );
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});
