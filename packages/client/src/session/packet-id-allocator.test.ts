import { describe, expect, it } from 'vitest';
import { SequentialPacketIdAllocator } from './packet-id-allocator.js';

describe('SequentialPacketIdAllocator', () => {
  it('[MQTT-2.2.1-3] hands out 1..65535, never 0, skipping identifiers in use', () => {
    const ids = new SequentialPacketIdAllocator();
    expect([ids.allocate(), ids.allocate(), ids.allocate()]).toEqual([1, 2, 3]);
    ids.release(2);
    // The cursor moves on: a released identifier is not reused at once.
    expect(ids.allocate()).toBe(4);
    expect(ids.inUse).toBe(3);
  });

  it('wraps from 65535 to 1 and skips what is still in use', () => {
    const ids = new SequentialPacketIdAllocator();
    for (let i = 1; i <= 65535; i++) ids.allocate();
    expect(ids.allocate()).toBeUndefined();
    ids.release(7);
    ids.release(3);
    expect(ids.allocate()).toBe(3);
    expect(ids.allocate()).toBe(7);
    expect(ids.allocate()).toBeUndefined();
  });

  it('reserves restored identifiers once', () => {
    const ids = new SequentialPacketIdAllocator();
    expect(ids.reserve(1)).toBe(true);
    expect(ids.reserve(1)).toBe(false);
    expect(ids.reserve(0)).toBe(false);
    expect(ids.allocate()).toBe(2);
  });
});
