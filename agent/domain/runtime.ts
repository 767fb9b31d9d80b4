/**
 * Runtimes: self-contained read-only roots (interpreter, libraries) built from the distribution's packages that
 * replace the host's /usr, /bin, /lib* and /sbin in a job. Pure rules: the spec file format (YAML, zod), names
 * and their spellings (`python-3.11`, `python@3.11`, `openjdk:21`), and the record of an installed runtime.
 *
 *   name: python-3.11                 # what --runtime= names; letters, digits, '.', '+', '-', '_'
 *   version: "3.11"                   # the language version the packages really give (checked by `test`)
 *   language: python
 *   description: Python 3.11 from the distribution (python3)
 *   packages: [python3]               # distribution packages; their dependencies come along
 *   etc: [/etc/python3.11]            # runtime paths under /etc the job sees (optional)
 *   env: { PATH: /usr/bin:/bin }      # merged under the user's --env
 *   links:                            # what update-alternatives would link (optional); "*" matches in a name
 *     /usr/lib/jvm/java-17: /usr/lib/jvm/java-17-openjdk-*      # exactly one match
 *     /usr/bin/: /usr/lib/jvm/java-17-openjdk-…/bin/…           # ends in "/": one link per match, same name
 *   test: python3 -c 'print(1)'       # smoke test, run by /bin/sh as a job (`rnx runtime test`)
 */
import { isMap, LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import { invalidArgument } from "./errors.ts";

/**
 * Packages every runtime gets: what stage 2 runs in the job's root before the user command, and the CA
 * certificates (with openssl, whose /usr/lib/ssl/cert.pem points at the bundle) (ADR 0010).
 */
export const BASE_PACKAGES = ["dash", "mount", "util-linux", "tini", "ca-certificates"] as const;

/** Paths under /etc a job with a runtime always sees from the runtime's root (when it has them). */
export const BASE_ETC = ["/etc/ld.so.cache", "/etc/ssl", "/etc/ca-certificates"] as const;

export const RUNTIME_NAME = /^[a-z0-9][a-z0-9.+_-]{0,62}$/;
const NAME_RULE = "1-63 lower-case letters, digits, '.', '+', '-' or '_', starting with a letter or digit";
/** A Debian package name (Policy §5.6.1). */
const PACKAGE = /^[a-z0-9][a-z0-9.+-]+$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** A path in the runtime root: absolute, no "..", no empty component. */
const LINK = /^(\/(?!\.\.?(\/|$))[A-Za-z0-9._+-]+)+\/?$/;
const LINK_TARGET = /^(\/(?!\.\.?(\/|$))[A-Za-z0-9._+*-]+)+$/;

const specSchema = z.strictObject({
  name: z.string().regex(RUNTIME_NAME, NAME_RULE),
  version: z.string().min(1).max(32),
  language: z.string().regex(/^[a-z][a-z0-9+-]{0,31}$/, "a lower-case word such as python or java"),
  description: z.string().max(200).default(""),
  packages: z.array(z.string().regex(PACKAGE, "a Debian package name such as python3")).min(1).max(500),
  etc: z.array(z.string().regex(/^\/etc\/[A-Za-z0-9._+-]+$/, "a path directly under /etc")).max(32)
    .default([]),
  env: z.record(z.string().regex(ENV_NAME, "an environment variable name"), z.string()).default({}),
  links: z.record(
    z.string().regex(LINK, "an absolute path without '..' or '*' (ending in '/' for one link per match)"),
    z.string().regex(LINK_TARGET, "an absolute path without '..'; '*' matches within one name"),
  ).default({}),
  test: z.string().min(1).max(4096),
});

export type RuntimeSpec = z.infer<typeof specSchema>;

/** One package as installed in a runtime. */
export interface RuntimePackage {
  name: string;
  version: string;
}

/** What the agent keeps about an installed runtime (`<state>/runtimes/NAME/runtime.json`). */
export interface RuntimeRecord {
  spec: RuntimeSpec;
  /** Every package unpacked into the root (the spec's, the base ones and their dependencies). */
  packages: RuntimePackage[];
  sizeBytes: number;
  /** Unix milliseconds. */
  installedAt: number;
}

/** Parses and checks a spec file; throws InvalidArgument naming `file:line:col` of each problem. */
export function parseRuntimeSpec(text: string, file: string): RuntimeSpec {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number | undefined) => {
    if (offset === undefined) return file;
    const p = lc.linePos(offset);
    return `${file}:${p.line}:${p.col}`;
  };
  const problems = doc.errors.map((e) => `${at(e.pos[0])}: ${e.message.split("\n")[0]}`);
  if (problems.length === 0 && !isMap(doc.contents)) problems.push(`${file}: must be a YAML mapping`);
  if (problems.length === 0) {
    const r = specSchema.safeParse(doc.toJS());
    if (r.success) return r.data;
    for (const i of r.error.issues) {
      const path = i.path as (string | number)[];
      // deno-lint-ignore no-explicit-any
      const node = doc.getIn(path, true) as any;
      const where = at(node?.range?.[0] ?? undefined);
      problems.push(`${where}: ${path.join(".") || "(top)"}: ${i.message}`);
    }
  }
  throw invalidArgument(
    `runtime spec ${file} is not valid (${problems.length} ${
      problems.length === 1 ? "problem" : "problems"
    }):\n` +
      problems.join("\n"),
  );
}

/** Checks an already-parsed object as a spec (records read back from disk). */
export function checkRuntimeSpec(value: unknown): RuntimeSpec {
  const r = specSchema.safeParse(value);
  if (!r.success) throw invalidArgument(`runtime spec is not valid: ${r.error.issues[0].message}`);
  return r.data;
}

/**
 * `--runtime=` spellings → the runtime's name: `python-3.11` as is, `python@3.11` and `openjdk:21` (the seeds'
 * form) as `python-3.11` and `openjdk-21`. Throws InvalidArgument for anything else.
 */
export function runtimeName(ref: string): string {
  const m = /^([a-z0-9][a-z0-9.+_-]*)[@:]([a-z0-9][a-z0-9.+_-]*)$/.exec(ref);
  const name = m ? `${m[1]}-${m[2]}` : ref;
  if (!RUNTIME_NAME.test(name)) {
    throw invalidArgument(
      `runtime "${ref}" is not a runtime name (${NAME_RULE}; also NAME@VERSION or NAME:VERSION, ` +
        `e.g. python-3.11, python@3.11, openjdk:17)`,
    );
  }
  return name;
}

/** The packages to install for a spec: the base ones first, each once. */
export function packagesOf(spec: RuntimeSpec): string[] {
  return [...new Set([...BASE_PACKAGES, ...spec.packages])];
}

/** Paths under /etc the job sees from the runtime's root. */
export function etcOf(spec: RuntimeSpec): string[] {
  return [...new Set([...BASE_ETC, ...spec.etc])];
}
