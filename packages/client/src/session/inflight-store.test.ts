import { describe, expect, it } from 'vitest';
import { MemoryInflightStore } from './inflight-store.js';

describe('MemoryInflightStore', () => {
  it('keeps messages in first-sent order, a stage change keeping the position', () => {
    const store = new MemoryInflightStore();
    const packet = (packetId: number) => ({
      type: 'publish' as const,
      topic: 't',
      payload: new Uint8Array(),
      qos: 2 as const,
      retain: false,
      dup: false,
      packetId,
    });
    store.put({ packetId: 5, stage: 'publish', packet: packet(5) });
    store.put({ packetId: 1, stage: 'publish', packet: packet(1) });
    store.put({ packetId: 5, stage: 'pubrel', packet: packet(5) });
    expect(store.load().map((m) => [m.packetId, m.stage])).toEqual([
      [5, 'pubrel'],
      [1, 'publish'],
    ]);
    store.delete(5);
    expect(store.size).toBe(1);
    store.clear();
    expect(store.load()).toEqual([]);
  });
});
