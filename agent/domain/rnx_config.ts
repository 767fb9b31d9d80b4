/**
 * The rnx client configuration file (`rnx-config.yml`). The agent writes one for the local user on first start
 * and `joblet certs issue` prints entries for it; rnx reads it. Certificates are inline PEM so that one file is
 * all a client needs.
 *
 * ```yaml
 * version: 1
 * default: local
 * nodes:
 *   local:
 *     address: localhost:50051
 *     server_name: localhost      # optional: TLS name to verify when address is an IP
 *     ca: |
 *       -----BEGIN CERTIFICATE-----
 *     cert: |
 *       -----BEGIN CERTIFICATE-----
 *     key: |
 *       -----BEGIN PRIVATE KEY-----
 * ```
 */
import { z } from "zod";

const pem = (kind: string) =>
  z.string().refine((s) => s.includes(`-----BEGIN ${kind}`), { message: `must be a PEM ${kind}` });

export const RnxNodeSchema = z.strictObject({
  address: z.string().regex(/^[^\s:]+:\d{1,5}$/, "must be HOST:PORT, e.g. localhost:50051"),
  server_name: z.string().min(1).optional(),
  ca: pem("CERTIFICATE"),
  cert: pem("CERTIFICATE"),
  key: z.string().refine((s) => /-----BEGIN (EC |RSA )?PRIVATE KEY/.test(s), {
    message: "must be a PEM PRIVATE KEY",
  }),
});

export const NODE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

export const RnxConfigSchema = z.strictObject({
  version: z.literal(1),
  default: z.string().regex(NODE_NAME).optional(),
  nodes: z.record(z.string().regex(NODE_NAME, "node names use letters, digits, '.', '_', '-'"), RnxNodeSchema)
    .refine((n) => Object.keys(n).length > 0, { message: "must name at least one node" }),
}).refine((c) => c.default === undefined || c.default in c.nodes, {
  message: "default must name one of the nodes",
  path: ["default"],
});

export type RnxNode = z.infer<typeof RnxNodeSchema>;
export type RnxConfig = z.infer<typeof RnxConfigSchema>;
