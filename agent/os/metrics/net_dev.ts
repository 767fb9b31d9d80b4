/**
 * /proc/net/dev → bytes received and sent per interface, and rates between two readings.
 * Each interface line is `name: rx_bytes rx_packets rx_errs rx_drop rx_fifo rx_frame rx_compressed
 * rx_multicast tx_bytes …`; old kernels print no space after the colon.
 */

export interface NetCounters {
  name: string;
  rxBytes: number;
  txBytes: number;
}

export function parseNetDev(text: string): NetCounters[] {
  const out: NetCounters[] = [];
  for (const line of text.split("\n")) {
    const colon = line.indexOf(":");
    if (colon < 0 || line.includes("|")) continue;
    const v = line.slice(colon + 1).trim().split(/\s+/).map(Number);
    if (v.length < 9 || !Number.isFinite(v[0]) || !Number.isFinite(v[8])) continue;
    out.push({ name: line.slice(0, colon).trim(), rxBytes: v[0], txBytes: v[8] });
  }
  return out;
}

/** Bytes per second between two readings of a counter; 0 when the counter went back (interface re-created). */
export function ratePerSecond(prev: number | undefined, cur: number, seconds: number): number {
  if (prev === undefined || seconds <= 0 || cur < prev) return 0;
  return (cur - prev) / seconds;
}
