import assert from "node:assert/strict";
import { assertIncludes, rejected, thrown } from "./_testing.ts";
import { configCandidates, loadConfig, parseConfig, pickNode } from "./config.ts";
import { UsageError } from "./errors.ts";
import { JobletError } from "../agent/domain/errors.ts";

const CERT = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const KEY = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n";

function nodeYaml(name: string, address: string): string {
  const indent = (s: string) => s.trimEnd().split("\n").map((l) => `      ${l}`).join("\n");
  return `  ${name}:\n    address: ${address}\n    ca: |\n${indent(CERT)}\n    cert: |\n${indent(CERT)}\n` +
    `    key: |\n${indent(KEY)}\n`;
}

const TWO_NODES = `version: 1\ndefault: b\nnodes:\n${nodeYaml("a", "localhost:50051")}${
  nodeYaml("b", "10.0.0.2:50051")
}`;

const env = (vars: Record<string, string>) => (name: string) => vars[name];

Deno.test("configCandidates() tries ./, ~/.rnx/ and /etc/joblet/ in that order", () => {
  const paths = configCandidates({ env: env({ HOME: "/home/al" }), cwd: "/srv" }).map((c) => c.path);
  assert.deepEqual(paths, [
    "/srv/rnx-config.yml",
    "/home/al/.rnx/rnx-config.yml",
    "/etc/joblet/rnx-config.yml",
  ]);
});

Deno.test("configCandidates() uses only --config when given, even with $RNX_CONFIG set", () => {
  const c = configCandidates({ flag: "x.yml", env: env({ RNX_CONFIG: "y.yml" }), cwd: "/" });
  assert.deepEqual(c, [{ path: "x.yml", origin: "--config", required: true }]);
});

Deno.test("configCandidates() uses only $RNX_CONFIG when set and no --config", () => {
  const c = configCandidates({ env: env({ RNX_CONFIG: "y.yml" }), cwd: "/" });
  assert.deepEqual(c, [{ path: "y.yml", origin: "$RNX_CONFIG", required: true }]);
});

Deno.test("parseConfig() accepts several nodes and keeps the default", () => {
  const cfg = parseConfig(TWO_NODES, "t.yml");
  assert.deepEqual(Object.keys(cfg.nodes), ["a", "b"]);
  assert.deepEqual(cfg.default, "b");
});

Deno.test("parseConfig() names the key path of a bad value", () => {
  const bad = TWO_NODES.replace("localhost:50051", "localhost");
  const err = thrown(() => parseConfig(bad, "t.yml"), JobletError);
  assertIncludes(err.message, "t.yml");
  assertIncludes(err.message, "nodes.a.address: must be HOST:PORT");
});

Deno.test("parseConfig() reports a default that names no node", () => {
  const err = thrown(() => parseConfig(TWO_NODES.replace("default: b", "default: zz"), "t.yml"));
  assertIncludes(err.message, "default: default must name one of the nodes");
});

Deno.test("parseConfig() keeps the YAML line and column of a syntax error", () => {
  const err = thrown(() => parseConfig("version: 1\nnodes: [\n  a: b\n", "t.yml"));
  assertIncludes(err.message, "line");
});

Deno.test("parseConfig() rejects an empty file", () => {
  const err = thrown(() => parseConfig("", "t.yml"));
  assertIncludes(err.message, "(top level)");
});

Deno.test("pickNode() prefers --node, then default, then the first node", () => {
  const cfg = parseConfig(TWO_NODES, "t.yml");
  assert.deepEqual(pickNode(cfg, "a").name, "a");
  assert.deepEqual(pickNode(cfg).name, "b");
  const noDefault = parseConfig(TWO_NODES.replace("default: b\n", ""), "t.yml");
  assert.deepEqual(pickNode(noDefault).name, "a");
});

Deno.test("pickNode() rejects an unknown --node as a usage error listing known nodes", () => {
  const err = thrown(() => pickNode(parseConfig(TWO_NODES, "t.yml"), "c"), UsageError);
  assertIncludes(err.message, "known nodes: a, b");
});

Deno.test("loadConfig() skips missing well-known files and reads the next", async () => {
  const files: Record<string, string> = { "/etc/joblet/rnx-config.yml": TWO_NODES };
  const read = (p: string) =>
    p in files ? Promise.resolve(files[p]) : Promise.reject(new Deno.errors.NotFound(p));
  const loaded = await loadConfig({ env: env({ HOME: "/h" }), cwd: "/w" }, read);
  assert.deepEqual(loaded.path, "/etc/joblet/rnx-config.yml");
});

Deno.test("loadConfig() fails when an explicit --config file is missing", async () => {
  const read = (p: string) => Promise.reject(new Deno.errors.NotFound(p));
  const err = await rejected(() => loadConfig({ flag: "/nope.yml", env: env({}), cwd: "/" }, read));
  assertIncludes(err.message, "/nope.yml (from --config) does not exist");
});

Deno.test("loadConfig() without any config says how to get one", async () => {
  const read = (p: string) => Promise.reject(new Deno.errors.NotFound(p));
  const err = await rejected(() => loadConfig({ env: env({ HOME: "/h" }), cwd: "/w" }, read), JobletError);
  assertIncludes(err.message, "/h/.rnx/rnx-config.yml");
  assertIncludes(err.message, "deno task joblet serve");
  assertIncludes(err.message, "joblet certs issue");
  assert.equal(err.code, "NotFound");
});
