import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Broker } from '../src/index.js';
import { createTcpListener } from '../src/transports/tcp.js';

describe('smoke', () => {
  let broker: Broker;
  let port: number;
  beforeAll(async () => {
    broker = new Broker();
    await broker.start();
    ({ port } = await createTcpListener(broker, { port: 0, host: '127.0.0.1' }).listen());
  });
  afterAll(() => broker.close());

  for (const protocolVersion of [3, 4, 5] as const) {
    it(`round-trips QoS 0/1/2 with MQTT.js v${protocolVersion}`, async () => {
      // MQTT 3.1 names its protocol MQIsdp [MQTT 3.1 section 3.1].
      const protocolId = protocolVersion === 3 ? 'MQIsdp' : 'MQTT';
      const url = `mqtt://127.0.0.1:${port}`;
      const sub = await mqtt.connectAsync(url, {
        protocolVersion,
        protocolId,
        clientId: `sub${protocolVersion}`,
      });
      const pub = await mqtt.connectAsync(url, {
        protocolVersion,
        protocolId,
        clientId: `pub${protocolVersion}`,
      });
      await sub.subscribeAsync(`smoke/${protocolVersion}/#`, { qos: 2 });
      const got: string[] = [];
      const done = new Promise<void>((resolve) => {
        sub.on('message', (topic, payload) => {
          got.push(`${topic}=${payload.toString()}`);
          if (got.length === 3) resolve();
        });
      });
      await pub.publishAsync(`smoke/${protocolVersion}/a`, 'zero', { qos: 0 });
      await pub.publishAsync(`smoke/${protocolVersion}/b`, 'one', { qos: 1 });
      await pub.publishAsync(`smoke/${protocolVersion}/c`, 'two', { qos: 2 });
      await done;
      expect(got.sort()).toEqual([
        `smoke/${protocolVersion}/a=zero`,
        `smoke/${protocolVersion}/b=one`,
        `smoke/${protocolVersion}/c=two`,
      ]);
      await sub.endAsync();
      await pub.endAsync();
    });
  }
});
