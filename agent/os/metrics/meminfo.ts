/**
 * /proc/meminfo → memory and swap in bytes. "Used" is MemTotal − MemAvailable, as `free` reports it; kernels
 * before 3.14 have no MemAvailable, and then MemFree + Buffers + Cached stands in for it.
 */

export interface MemoryInfo {
  memoryTotalBytes: number;
  memoryAvailableBytes: number;
  memoryUsedBytes: number;
  swapTotalBytes: number;
  swapUsedBytes: number;
}

export function parseMeminfo(text: string): MemoryInfo {
  const kb = new Map<string, number>();
  for (const line of text.split("\n")) {
    const m = /^([^:]+):\s+(\d+)(?:\s+kB)?\s*$/.exec(line);
    if (m) kb.set(m[1], Number(m[2]) * 1024);
  }
  const get = (k: string) => kb.get(k) ?? 0;
  const total = get("MemTotal");
  const available = kb.get("MemAvailable") ?? get("MemFree") + get("Buffers") + get("Cached");
  const swapTotal = get("SwapTotal");
  return {
    memoryTotalBytes: total,
    memoryAvailableBytes: available,
    memoryUsedBytes: Math.max(0, total - available),
    swapTotalBytes: swapTotal,
    swapUsedBytes: Math.max(0, swapTotal - get("SwapFree")),
  };
}
