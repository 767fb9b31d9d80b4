/**
 * The address (and TLS server name) a client should put in its rnx config to reach an agent listening on
 * `listen`. rnx dials through grpc-js on Deno, which refuses an IP address as the TLS name (feasibility.md §1,
 * pitfall 2), and the rnx config cannot hold an IPv6 literal; so:
 *
 *   0.0.0.0 / ::          → the host name                     (listening everywhere: the name reaches it)
 *   127.x.x.x             → the IP, server_name "localhost"
 *   other IPv4            → the IP, server_name = the host name
 *   ::1                   → "localhost"
 *   other IPv6            → the host name
 *   a DNS name            → as it is
 *
 * Every server name used here is among the server certificate's default SANs (bootstrap.ts).
 */
import { isIP } from "node:net";

export function clientAddress(
  listen: { host: string; port: number },
  hostname: string,
): { address: string; serverName?: string } {
  const { host, port } = listen;
  const at = (h: string) => `${h}:${port}`;
  if (host === "0.0.0.0" || host === "::") return { address: at(hostname) };
  if (isIP(host) === 4) {
    return { address: at(host), serverName: host.startsWith("127.") ? "localhost" : hostname };
  }
  if (isIP(host) === 6) return { address: at(host === "::1" ? "localhost" : hostname) };
  return { address: at(host) };
}
