/** Graceful shutdown of the built binary on SIGTERM and SIGINT. */
import { parseDisconnect, RawClient, rawConnect } from '@mqttkit/testkit';
import mqtt, { type IDisconnectPacket } from 'mqtt';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { killAll, requireBuild, startBrokerProcess } from './broker-process.js';

beforeAll(requireBuild);

/** `promise`, or a readable failure after `ms` (rather than the test's own timeout). */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
afterEach(killAll);

describe('graceful shutdown', () => {
  it('SIGTERM: an MQTT.js v5 client gets DISCONNECT 0x8B (Server shutting down) and the process exits 0', async () => {
    await using broker = await startBrokerProcess();
    const client = await mqtt.connectAsync(broker.url, {
      protocolVersion: 5,
      clientId: 'v5-sigterm',
      reconnectPeriod: 0,
    });
    try {
      const disconnect = new Promise<IDisconnectPacket>((resolve) => client.once('disconnect', resolve));
      broker.signal('SIGTERM');
      expect((await within(disconnect, 5000, 'DISCONNECT')).reasonCode).toBe(0x8b);
      expect(await broker.waitForExit()).toEqual({ code: 0, signal: null });
      const messages = broker.logs().map((line) => line.msg);
      expect(messages).toContain('stopping: closing listeners and disconnecting clients');
      expect(messages.at(-1)).toBe('mqttkit-broker stopped');
      expect(broker.logs().find((line) => line.msg.startsWith('stopping'))?.signal).toBe('SIGTERM');
    } finally {
      client.end(true);
    }
  });

  it('SIGINT: a raw v5 client gets DISCONNECT 0x8B, a 3.1.1 client is closed, and the process exits 0', async () => {
    await using broker = await startBrokerProcess();
    await using v5 = await RawClient.connect(broker.port);
    await v5.send(rawConnect({ protocolVersion: 5, clientId: 'v5-sigint' }));
    await v5.expectFrame({ type: 2 });
    await using v4 = await RawClient.connect(broker.port);
    await v4.send(rawConnect({ protocolVersion: 4, clientId: 'v4-sigint' }));
    await v4.expectFrame({ type: 2 });
    broker.signal('SIGINT');
    expect(parseDisconnect(await v5.expectFrame({ type: 14 }), 5).reasonCode).toBe(0x8b);
    await v5.expectClose();
    // MQTT 3.1.1 has no server DISCONNECT: the connection is just closed.
    await v4.expectClose();
    expect(v4.pending).toEqual([]);
    expect(await broker.waitForExit()).toEqual({ code: 0, signal: null });
  });

  it('exits 0 promptly with no clients connected', async () => {
    await using broker = await startBrokerProcess();
    broker.signal('SIGTERM');
    expect(await broker.waitForExit(5000)).toEqual({ code: 0, signal: null });
  });
});
