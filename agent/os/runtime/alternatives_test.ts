import { assertEquals } from "../../../tests/assert.ts";
import { applyAlternatives, parseAlternatives } from "./alternatives.ts";

// libopenblas0-pthread's and libblas3's postinst (Debian 12), shortened.
const OPENBLAS = `#! /bin/sh
set -e
update-alternatives --install /usr/lib/x86_64-linux-gnu/libblas.so.3 \\
                    libblas.so.3-x86_64-linux-gnu \\
	            /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3 100
`;
const REFBLAS = `update-alternatives --install /usr/lib/x86_64-linux-gnu/libblas.so.3 \\
   libblas.so.3-x86_64-linux-gnu /usr/lib/x86_64-linux-gnu/blas/libblas.so.3 10
`;
const WITH_SLAVE = `update-alternatives --install /usr/bin/pager pager /bin/more 50 \\
  --slave /usr/share/man/man1/pager.1.gz pager.1.gz /usr/share/man/man1/more.1.gz
for i in $tools; do update-alternatives --install /usr/bin/$i $i $basedir/bin/$i 1711; done
`;

Deno.test("parseAlternatives() reads literal --install calls across continued lines, with their slaves", () => {
  assertEquals(parseAlternatives(OPENBLAS), [{
    link: "/usr/lib/x86_64-linux-gnu/libblas.so.3",
    name: "libblas.so.3-x86_64-linux-gnu",
    path: "/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3",
    priority: 100,
    slaves: [],
  }]);
  const [pager, ...rest] = parseAlternatives(WITH_SLAVE);
  assertEquals(rest, [], "a call with shell variables is skipped");
  assertEquals(pager.slaves, [{
    link: "/usr/share/man/man1/pager.1.gz",
    name: "pager.1.gz",
    path: "/usr/share/man/man1/more.1.gz",
  }]);
});

Deno.test("applyAlternatives() links each name to its highest-priority path that the root has", () => {
  const root = Deno.makeTempDirSync();
  try {
    const lib = `${root}/usr/lib/x86_64-linux-gnu`;
    Deno.mkdirSync(`${lib}/openblas-pthread`, { recursive: true });
    Deno.mkdirSync(`${lib}/blas`, { recursive: true });
    Deno.writeTextFileSync(`${lib}/blas/libblas.so.3`, "reference");
    Deno.writeTextFileSync(`${lib}/openblas-pthread/libblas.so.3`, "openblas");
    const alts = [
      ...parseAlternatives(REFBLAS),
      ...parseAlternatives(OPENBLAS),
      ...parseAlternatives(WITH_SLAVE),
    ];
    const made = applyAlternatives(root, alts);
    assertEquals(made, [
      "/usr/lib/x86_64-linux-gnu/libblas.so.3 → /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3",
    ]);
    assertEquals(Deno.readLinkSync(`${lib}/libblas.so.3`), "openblas-pthread/libblas.so.3");
    assertEquals(Deno.readTextFileSync(`${lib}/libblas.so.3`), "openblas");

    Deno.removeSync(`${lib}/openblas-pthread/libblas.so.3`);
    applyAlternatives(root, alts);
    assertEquals(
      Deno.readTextFileSync(`${lib}/libblas.so.3`),
      "reference",
      "the next best when the best is absent",
    );
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});
