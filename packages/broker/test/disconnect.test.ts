/**
 * DISCONNECT in both directions (MQTT 3.1.1 section 3.14, MQTT 5.0 sections 3.14 and 4.13): what the
 * broker does on a client DISCONNECT, and the DISCONNECT a v5 client gets before the broker closes
 * its connection for an error (3.x clients have no server DISCONNECT and are just closed).
 */
import {
  frame,
  parseDisconnect,
  parsePublish,
  rawDisconnect,
  rawPingreq,
  rawSubscribe,
  u8,
} from '@mqttkit/testkit';
import { describe, expect, it } from 'vitest';
import { startBroker } from './fixtures.js';
import { EventRecorder, propertyOf, rawConnectWithAck } from './lifecycle-helpers.js';

describe('client DISCONNECT', () => {
  for (const version of [3, 4, 5] as const) {
    it(`v${version}: the broker closes the connection after a DISCONNECT and sends nothing more`, async () => {
      const events = new EventRecorder();
      await using broker = await startBroker({ hooks: [events] });
      const { client } = await rawConnectWithAck(broker.port, {
        protocolVersion: version,
        clientId: `leaving${version}`,
      });
      await using _ = client;
      // Bytes after DISCONNECT are not processed: the PINGREQ gets no PINGRESP.
      await client.send(Buffer.concat([rawDisconnect(version), rawPingreq()]));
      await client.expectClose();
      expect(client.pending).toEqual([]);
      expect((await events.next('disconnected')).cause).toBe('client-disconnect');
    });
  }

  it('3.1.1: a DISCONNECT with a non-empty body is malformed; the connection closes and the will is published', async () => {
    await using broker = await startBroker();
    const watch = await rawConnectWithAck(broker.port, { protocolVersion: 4, clientId: 'dw' });
    await using _w = watch.client;
    await watch.client.send(rawSubscribe(1, [{ filter: 'd', qos: 0 }], 4));
    await watch.client.expectFrame({ type: 9 });
    const { client } = await rawConnectWithAck(broker.port, {
      protocolVersion: 4,
      clientId: 'bad-bye',
      will: { topic: 'd', payload: 'w', qos: 0, retain: false },
    });
    await using _ = client;
    await client.send(frame(0xe0, u8(0)));
    await client.expectClose();
    expect(client.pending).toEqual([]);
    expect(parsePublish(await watch.client.expectFrame({ type: 3 }), 4).payload.toString()).toBe('w');
  });
});

describe('server DISCONNECT (5.0)', () => {
  it('[MQTT-4.13.1-1] a malformed packet gets DISCONNECT 0x81 with a reason string, then close', async () => {
    await using broker = await startBroker();
    const { client } = await rawConnectWithAck(broker.port, { protocolVersion: 5, clientId: 'malformed' });
    await using _ = client;
    // PUBLISH with both QoS bits set [MQTT-3.3.1-4].
    await client.send(Buffer.from([0x36, 0x04, 0x00, 0x01, 0x61, 0x00]));
    const disconnect = parseDisconnect(await client.expectFrame({ type: 14 }), 5);
    expect(disconnect.reasonCode).toBe(0x81);
    expect(typeof propertyOf(disconnect.properties, 0x1f)).toBe('string');
    expect(propertyOf(disconnect.properties, 0x11)).toBeUndefined();
    await client.expectClose();
    expect(client.pending).toEqual([]);
  });

  it('[MQTT-3.14.2-3] the reason string is left out when it would exceed the client Maximum Packet Size', async () => {
    await using broker = await startBroker();
    const { client } = await rawConnectWithAck(broker.port, {
      protocolVersion: 5,
      clientId: 'tiny',
      properties: [[0x27, 16]],
    });
    await using _ = client;
    await client.send(Buffer.from([0x36, 0x04, 0x00, 0x01, 0x61, 0x00]));
    const raw = await client.expectFrame({ type: 14 });
    expect(raw.body.length + 2).toBeLessThanOrEqual(16);
    const disconnect = parseDisconnect(raw, 5);
    expect(disconnect.reasonCode).toBe(0x81);
    expect(propertyOf(disconnect.properties, 0x1f)).toBeUndefined();
    await client.expectClose();
  });

  it('3.1.1: the same errors close the connection without any packet', async () => {
    await using broker = await startBroker();
    const { client } = await rawConnectWithAck(broker.port, { protocolVersion: 4, clientId: 'malformed4' });
    await using _ = client;
    await client.send(Buffer.from([0x36, 0x04, 0x00, 0x01, 0x61, 0x00]));
    await client.expectClose();
    expect(client.pending).toEqual([]);
  });
});
