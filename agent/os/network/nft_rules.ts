/**
 * The agent's one nftables table, `ip joblet`, as text for `nft -f`: NAT for traffic leaving the host, drops
 * between different networks (both directions), and no access to the host itself from isolated networks.
 * Chains use policy accept and only ever drop or masquerade what comes from the agent's bridges, so the
 * host's own tables and policies decide everything else exactly as before.
 */
import type { NetworkDef } from "../../domain/network.ts";

export const TABLE = "joblet";

/** A transaction that replaces the table atomically (`add` first so `delete` never fails). */
export function rulesetFor(nets: readonly NetworkDef[], table = TABLE): string {
  const q = (s: string) => JSON.stringify(s);
  const forward: string[] = [];
  for (const n of nets) {
    const others = nets.filter((o) => o.bridge !== n.bridge).map((o) => q(o.bridge));
    if (others.length) forward.push(`iifname ${q(n.bridge)} oifname { ${others.join(", ")} } drop`);
  }
  const input = nets.filter((n) => n.isolated).map((n) => `iifname ${q(n.bridge)} drop`);
  const nat = nets.map((n) => `ip saddr ${n.cidr} oifname != ${q(n.bridge)} masquerade`);
  const chain = (name: string, hook: string, rules: string[]) =>
    `  chain ${name} {\n    ${hook}\n${rules.map((r) => `    ${r}\n`).join("")}  }\n`;
  return `add table ip ${table}\ndelete table ip ${table}\ntable ip ${table} {\n` +
    chain("forward", "type filter hook forward priority filter; policy accept;", forward) +
    chain("input", "type filter hook input priority filter; policy accept;", input) +
    chain("postrouting", "type nat hook postrouting priority srcnat; policy accept;", nat) +
    `}\n`;
}

/** Removes the table if it exists. */
export function deleteTable(table = TABLE): string {
  return `add table ip ${table}\ndelete table ip ${table}\n`;
}
