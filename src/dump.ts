// heap.dump(): a table of pools in the spirit of HAProxy's `show pools`.

import type { HeapStats } from "./heap-types.js";

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

const COLUMNS = ["id", "name", "size", "allocated", "bytes", "used", "cached", "free", "failed", "users", "minAvail", "limit", "shared"];

export function formatDump(stats: HeapStats): string {
  const rows = stats.pools.map((p) => [
    String(p.id),
    p.name,
    String(p.size),
    String(p.allocated),
    formatBytes(p.allocated * p.size),
    String(p.used),
    String(p.cached),
    String(p.free),
    String(p.failed),
    String(p.users),
    String(p.minAvail),
    p.limit === 0 ? "-" : String(p.limit),
    p.shared ? "yes" : "no",
  ]);
  const widths = COLUMNS.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  // Names read best left-aligned, numbers right-aligned.
  const line = (cells: string[]): string =>
    cells
      .map((cell, column) => (column === 1 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
      .join("  ")
      .trimEnd();
  return [
    `Dumping pools usage: ${stats.pools.length} pools, memory ${formatBytes(stats.memoryBytes)} of ${formatBytes(stats.maxBytes)}`,
    line(COLUMNS),
    ...rows.map(line),
    `Total: ${formatBytes(stats.allocatedBytes)} allocated, ${formatBytes(stats.usedBytes)} used, ` +
      `${formatBytes(stats.cachedBytes)} in thread caches; ` +
      `backing allocator: ${formatBytes(stats.backingUsedBytes)} in chunks, ${formatBytes(stats.backingFreeBytes)} free for reuse`,
    ...(stats.largeBlocks === 0 ? [] : [`Large blocks of malloc: ${stats.largeBlocks} (${formatBytes(stats.largeBytes)})`]),
    ...(stats.retiredPools === 0
      ? []
      : [`Destroyed pools waiting for objects still out: ${stats.retiredPools} (${stats.retiredObjects} objects)`]),
  ].join("\n");
}
