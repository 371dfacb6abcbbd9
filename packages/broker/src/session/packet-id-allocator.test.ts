import { describe, expect, it } from 'vitest';
import { PacketIdAllocator } from './packet-id-allocator.js';

describe('PacketIdAllocator', () => {
  it('[MQTT-2.2.1-4] hands out non-zero ids, skipping those in use, and wraps from 65535 to 1', () => {
    const inUse = new Set<number>([1, 3]);
    const allocator = new PacketIdAllocator();
    expect([allocator.allocate(inUse), allocator.allocate(inUse), allocator.allocate(inUse)]).toEqual([
      2, 4, 5,
    ]);
    for (let id = 6; id <= 65_535; id++) inUse.add(id);
    inUse.delete(1);
    // Ids 6..65535 are in use: the scan wraps past 65535 to 1, never to 0.
    expect(allocator.allocate(inUse)).toBe(1);
  });

  it('returns undefined when all 65535 ids are in use, and recovers when one is freed', () => {
    const inUse = new Set<number>();
    for (let id = 1; id <= 65_535; id++) inUse.add(id);
    const allocator = new PacketIdAllocator();
    expect(allocator.allocate(inUse)).toBeUndefined();
    inUse.delete(40_000);
    expect(allocator.allocate(inUse)).toBe(40_000);
  });

  it('does not reuse an id soon after it was freed while others are free (late acks cannot confuse)', () => {
    const inUse = new Set<number>();
    const allocator = new PacketIdAllocator();
    const first = allocator.allocate(inUse)!;
    inUse.add(first);
    inUse.delete(first);
    expect(allocator.allocate(inUse)).not.toBe(first);
  });
});
