/** MQTT.js clients (3.1, 3.1.1 and 5.0) against the built binary. */
import mqtt, { type IPublishPacket, type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type BrokerProcess, killAll, requireBuild, startBrokerProcess } from './broker-process.js';

let broker: BrokerProcess;
const clients: MqttClient[] = [];
beforeAll(async () => {
  requireBuild();
  broker = await startBrokerProcess();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.endAsync(true)));
});
afterAll(killAll);

const VERSIONS = [
  { protocolVersion: 3, protocolId: 'MQIsdp' },
  { protocolVersion: 4, protocolId: 'MQTT' },
  { protocolVersion: 5, protocolId: 'MQTT' },
] as const;

async function connect(id: string, options: mqtt.IClientOptions = {}): Promise<MqttClient> {
  const client = await mqtt.connectAsync(broker.url, {
    clientId: id,
    reconnectPeriod: 0,
    connectTimeout: 5000,
    ...options,
  });
  clients.push(client);
  return client;
}

/** Resolves with the first `count` messages `client` receives. */
function messages(
  client: MqttClient,
  count: number,
): Promise<{ topic: string; payload: string; packet: IPublishPacket }[]> {
  return new Promise((resolve) => {
    const got: { topic: string; payload: string; packet: IPublishPacket }[] = [];
    client.on('message', (topic, payload, packet) => {
      got.push({ topic, payload: payload.toString(), packet });
      if (got.length === count) resolve(got);
    });
  });
}

describe('MQTT.js against mqttkit-broker', () => {
  for (const version of VERSIONS) {
    it(`v${version.protocolVersion}: QoS 0, 1 and 2 end to end`, async () => {
      const base = `mqttjs/${version.protocolVersion}`;
      const sub = await connect(`sub-${version.protocolVersion}`, version);
      const pub = await connect(`pub-${version.protocolVersion}`, version);
      await sub.subscribeAsync(`${base}/#`, { qos: 2 });
      const received = messages(sub, 3);
      await pub.publishAsync(`${base}/zero`, 'q0', { qos: 0 });
      await pub.publishAsync(`${base}/one`, 'q1', { qos: 1 });
      await pub.publishAsync(`${base}/two`, 'q2', { qos: 2 });
      const got = await received;
      expect(got.map(({ topic, payload, packet }) => [topic, payload, packet.qos]).sort()).toEqual([
        [`${base}/one`, 'q1', 1],
        [`${base}/two`, 'q2', 2],
        [`${base}/zero`, 'q0', 0],
      ]);
    });

    it(`v${version.protocolVersion}: a retained message reaches a later subscriber with the retain flag`, async () => {
      const topic = `mqttjs/${version.protocolVersion}/retained`;
      const pub = await connect(`rpub-${version.protocolVersion}`, version);
      await pub.publishAsync(topic, 'kept', { qos: 1, retain: true });
      const sub = await connect(`rsub-${version.protocolVersion}`, version);
      const received = messages(sub, 1);
      await sub.subscribeAsync(topic, { qos: 1 });
      const [message] = await received;
      expect([message!.payload, message!.packet.retain]).toEqual(['kept', true]);
    });
  }

  it('v5: properties pass through unchanged, user properties in order', async () => {
    const sub = await connect('props-sub', { protocolVersion: 5 });
    const pub = await connect('props-pub', { protocolVersion: 5 });
    await sub.subscribeAsync('mqttjs/props', { qos: 1 });
    const received = messages(sub, 1);
    await pub.publishAsync('mqttjs/props', '{"a":1}', {
      qos: 1,
      properties: {
        contentType: 'application/json',
        responseTopic: 'mqttjs/reply',
        correlationData: Buffer.from('c-1'),
        userProperties: { first: '1', second: ['2', '3'] },
        payloadFormatIndicator: true,
      },
    });
    const [message] = await received;
    const properties = message!.packet.properties!;
    expect(properties.contentType).toBe('application/json');
    expect(properties.responseTopic).toBe('mqttjs/reply');
    expect(Buffer.from(properties.correlationData!).toString()).toBe('c-1');
    expect(properties.payloadFormatIndicator).toBe(true);
    expect(properties.userProperties).toEqual({ first: '1', second: ['2', '3'] });
  });

  it('v5: the CONNACK describes the broker limits', async () => {
    const client = mqtt.connect(broker.url, {
      protocolVersion: 5,
      clientId: 'connack-v5',
      reconnectPeriod: 0,
    });
    clients.push(client);
    const connack = await new Promise<mqtt.IConnackPacket>((resolve, reject) => {
      client.once('connect', resolve);
      client.once('error', reject);
    });
    expect(connack.reasonCode).toBe(0);
    expect(connack.properties?.maximumPacketSize).toBe(1024 * 1024);
    expect(connack.properties?.topicAliasMaximum).toBe(64);
  });
});
