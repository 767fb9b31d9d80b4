/**
 * `HOST:PORT` addresses as the agent's `listen` setting writes them: `127.0.0.1:50051`, `node-1:50051`,
 * `0.0.0.0:50051`, and IPv6 in brackets, `[::1]:50051` / `[::]:50051`.
 */
import { isIP } from "node:net";
import { invalidArgument } from "../domain/errors.ts";

export interface HostPort {
  /** IPv6 without brackets. */
  host: string;
  port: number;
}

const RULE = "use HOST:PORT, e.g. 127.0.0.1:50051, node-1:50051 or [::1]:50051";
const HOSTNAME = /^[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*\.?$/;

/** A DNS host name (labels of letters, digits and '-', dot-separated) or an IPv4/IPv6 address. */
export function isHostName(name: string): boolean {
  return isIP(name) !== 0 || (name.length <= 253 && HOSTNAME.test(name));
}

export function parseHostPort(text: string): HostPort {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:\[\]]+):(\d+)$/.exec(text);
  if (!m) throw invalidArgument(`"${text}" is not an address (${RULE})`);
  const [, host, portText] = m;
  const port = Number(portText);
  if (port > 65535) throw invalidArgument(`"${text}": port ${portText} must be 0–65535 (0 = any free port)`);
  const bracketed = text.startsWith("[");
  if (bracketed && isIP(host) !== 6) {
    throw invalidArgument(`"${text}": "${host}" in brackets is not an IPv6 address`);
  }
  if (!bracketed && isIP(host) === 0 && !HOSTNAME.test(host)) {
    throw invalidArgument(`"${text}": "${host}" is not a host name or IPv4 address (${RULE})`);
  }
  return { host, port };
}

/** The inverse of parseHostPort: brackets IPv6 hosts. */
export function formatHostPort({ host, port }: HostPort): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}
