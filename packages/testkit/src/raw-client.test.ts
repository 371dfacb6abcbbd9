import { describe, expect, it } from 'vitest';
import { findFreePort } from './mosquitto.js';
import { RawClient } from './raw-client.js';
import { FakeBroker } from './servers.js';

describe('RawClient.connect', () => {
  it('connects to 127.0.0.1 by default and names itself in messages', async () => {
    await using broker = await FakeBroker.start();
    await using client = await RawClient.connect(broker.port);
    expect(client.label).toBe(`RawClient → 127.0.0.1:${broker.port}`);
    expect(client.socket.remoteAddress).toBe('127.0.0.1');
    await using named = await RawClient.connect(broker.port, { label: 'subscriber' });
    await expect(named.expectFrame({ timeoutMs: 20 })).rejects.toThrow(
      /^subscriber: expected a frame within 20 ms/,
    );
  });

  it('rejects with the address when nothing listens', async () => {
    const port = await findFreePort();
    await expect(RawClient.connect(port, { timeoutMs: 2000 })).rejects.toThrow(
      new RegExp(`RawClient: cannot connect to 127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`),
    );
  });
});
