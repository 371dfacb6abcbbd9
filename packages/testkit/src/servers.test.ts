import { createServer, type Server } from 'node:net';
import { describe, expect, it } from 'vitest';
import { RawClient } from './raw-client.js';
import { rawConnect, rawPingreq } from './raw-packets.js';
import { parseConnack } from './raw-reader.js';
import { FakeBroker, listenOnEphemeralPort } from './servers.js';

describe('listenOnEphemeralPort', () => {
  it('binds 127.0.0.1 on a system-chosen port and drops open sockets on close', async () => {
    const server = createServer(() => {});
    const listener = await listenOnEphemeralPort(server);
    expect(listener.host).toBe('127.0.0.1');
    expect(listener.port).toBeGreaterThan(0);
    expect(server.address()).toMatchObject({ address: '127.0.0.1', port: listener.port });
    const client = await RawClient.connect(listener.port);
    await listener.close();
    await client.expectClose(2000);
    expect(server.listening).toBe(false);
    await expect(RawClient.connect(listener.port, { timeoutMs: 2000 })).rejects.toThrow(
      `RawClient: cannot connect to 127.0.0.1:${listener.port}`,
    );
  });

  it('is async-disposable', async () => {
    const server = createServer();
    {
      await using listener = await listenOnEphemeralPort(server);
      expect(listener.port).toBeGreaterThan(0);
    }
    expect(server.listening).toBe(false);
  });

  it('accepts a server whose listen and close return promises', async () => {
    const inner: Server = createServer();
    const wrapped = {
      listen: (port: number, host: string) =>
        new Promise<void>((resolve) => inner.listen(port, host, resolve)),
      close: () => new Promise<void>((resolve) => inner.close(() => resolve())),
      address: () => inner.address(),
    };
    const listener = await listenOnEphemeralPort(wrapped);
    expect(inner.listening).toBe(true);
    expect(listener.port).toBe((inner.address() as { port: number }).port);
    await listener.close();
    expect(inner.listening).toBe(false);
  });
});

describe('FakeBroker', () => {
  it('hands out connections in accept order, each once', async () => {
    await using broker = await FakeBroker.start();
    await using first = await RawClient.connect(broker.port);
    const a = await broker.nextConnection();
    await using second = await RawClient.connect(broker.port);
    const b = await broker.nextConnection();
    expect(broker.connections).toEqual([a, b]);
    // Each side sees the other's bytes.
    await first.send(rawPingreq());
    expect((await a.expectFrame({ type: 12 })).type).toBe(12);
    await b.send(rawPingreq());
    expect((await second.expectFrame({ type: 12 })).type).toBe(12);
  });

  it('nextConnection times out with a readable message', async () => {
    await using broker = await FakeBroker.start();
    await expect(broker.nextConnection(50)).rejects.toThrow(
      `FakeBroker :${broker.port}: expected a new connection within 50 ms, but none came (0 accepted so far)`,
    );
  });

  it.each([3, 4] as const)(
    'acceptConnect answers a version %i CONNECT with a CONNACK of that version',
    async (version) => {
      await using broker = await FakeBroker.start();
      await using client = await RawClient.connect(broker.port);
      await client.send(rawConnect({ protocolVersion: version, clientId: 'c1', keepAlive: 5 }));
      const accepted = await broker.acceptConnect({ sessionPresent: true });
      expect(accepted.version).toBe(version);
      expect(accepted.connect.clientId).toBe('c1');
      const connack = await client.expectFrame({ type: 2 });
      expect(connack.body).toEqual(Buffer.from([1, 0]));
    },
  );

  it('acceptConnect sends 5.0 CONNACK properties and a reason code', async () => {
    await using broker = await FakeBroker.start();
    await using client = await RawClient.connect(broker.port);
    await client.send(rawConnect({ protocolVersion: 5, clientId: '' }));
    const accepted = await broker.acceptConnect({ code: 0x86, properties: [[0x12, 'assigned']] });
    expect(accepted.version).toBe(5);
    const connack = parseConnack(await client.expectFrame({ type: 2 }), 5);
    expect(connack).toEqual({
      sessionPresent: false,
      flags: 0,
      code: 0x86,
      properties: [[0x12, 'assigned']],
    });
  });

  it('close drops every connection and stops listening', async () => {
    const broker = await FakeBroker.start();
    const client = await RawClient.connect(broker.port);
    await broker.nextConnection();
    await broker.close();
    await client.expectClose(2000);
    await expect(RawClient.connect(broker.port, { timeoutMs: 2000 })).rejects.toThrow(/cannot connect/);
  });
});
