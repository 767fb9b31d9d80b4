/**
 * The `network:` section of the agent config: the network of jobs that name none, the CIDRs of the built-in
 * `bridge` and `isolated` networks, and the nameservers jobs get (docs/networks.md).
 */
import { z } from "zod";
import { formatCidr, ipToNum, NETWORK_NAME, overlaps, parseCidr } from "../domain/network.ts";

export interface NetworkConfig {
  /** "bridge", "isolated", "none" or a custom network's name (checked against the store at start). */
  defaultNetwork: string;
  bridgeCidr: string;
  isolatedCidr: string;
  /** Nameservers for jobs' /etc/resolv.conf; empty = the host's, minus loopback resolvers. */
  dns: string[];
}

export const DEFAULT_NETWORK_CONFIG: NetworkConfig = {
  defaultNetwork: "bridge",
  bridgeCidr: "172.20.0.0/16",
  isolatedCidr: "172.21.0.0/16",
  dns: [],
};

const show = (v: unknown): string => JSON.stringify(v) ?? String(v);

/** A CIDR for a built-in network: parses, host bits zero, /8 to /30. Normalised. */
const builtinCidr = z.string({ error: (i) => `${show(i.input)} must be a CIDR, e.g. 172.20.0.0/16` })
  .transform(
    (v, ctx) => {
      try {
        const c = parseCidr(v);
        if (c.prefix < 8 || c.prefix > 30) throw new Error(`"${v}": the prefix must be /8 to /30`);
        return formatCidr(c);
      } catch (e) {
        ctx.addIssue({ code: "custom", message: (e as Error).message, input: v });
        return z.NEVER;
      }
    },
  );

const nameserver = z.string({ error: (i) => `${show(i.input)} must be an IPv4 address, e.g. 10.0.0.53` })
  .refine((v) => {
    try {
      ipToNum(v);
      return true;
    } catch {
      return false;
    }
  }, { error: (i) => `${show(i.input)} is not an IPv4 address (e.g. 10.0.0.53)` });

export const networkSection = z.strictObject({
  default: z.string({ error: (i) => `${show(i.input)} must be a network name` }).regex(NETWORK_NAME, {
    error: (i) =>
      `${show(i.input)} is not a network name (bridge, isolated, none or 1-32 letters, digits, '-', '_')`,
  }).nullish(),
  bridge_cidr: builtinCidr.nullish(),
  isolated_cidr: builtinCidr.nullish(),
  dns: z.array(nameserver, { error: (i) => `${show(i.input)} must be a list, e.g. [10.0.0.53]` }).nullish(),
}, { error: (i) => `${show(i.input)} must be a mapping of default, bridge_cidr, isolated_cidr, dns` })
  .superRefine((n, ctx) => {
    const b = n.bridge_cidr ?? DEFAULT_NETWORK_CONFIG.bridgeCidr;
    const i = n.isolated_cidr ?? DEFAULT_NETWORK_CONFIG.isolatedCidr;
    if (overlaps(parseCidr(b), parseCidr(i))) {
      ctx.addIssue({
        code: "custom",
        path: [n.isolated_cidr ? "isolated_cidr" : "bridge_cidr"],
        input: n.isolated_cidr ?? n.bridge_cidr,
        message: `bridge_cidr ${b} and isolated_cidr ${i} overlap: the two networks need separate ranges`,
      });
    }
  });

export function networkFromFile(n: z.infer<typeof networkSection>): NetworkConfig {
  const d = DEFAULT_NETWORK_CONFIG;
  return {
    defaultNetwork: n?.default ?? d.defaultNetwork,
    bridgeCidr: n?.bridge_cidr ?? d.bridgeCidr,
    isolatedCidr: n?.isolated_cidr ?? d.isolatedCidr,
    dns: n?.dns ?? d.dns,
  };
}
