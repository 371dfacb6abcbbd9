/**
 * MQTT 3.1.1 (and 3.1) broker conformance, scenario by scenario, in the spirit of the Eclipse Paho
 * interoperability client test (basic pub/sub, retained messages, offline queueing, wills, overlapping
 * subscriptions, keepalive, redelivery, zero-length client ids, subscribe failure, $ topics) plus the
 * normative statements its reference broker enforces on malformed input. Written from the 3.1.1
 * specification text; every test names the statement it checks. Real TCP on 127.0.0.1, port 0.
 *
 * Raw bytes come from @mqttkit/testkit (never from the codec the broker decodes with); the high-level
 * scenarios also run through MQTT.js, as a third-party client would.
 */
import {
  frame,
  type ParsedConnack,
  type ParsedPublish,
  packetName,
  parseAck,
  parseConnack,
  parsePublish,
  parseSuback,
  parseUnsuback,
  RawClient,
  type RawConnectOptions,
  type RawFrame,
  type RawPublishOptions,
  type RawString,
  type RawSubscription,
  type RawVersion,
  rawConnect,
  rawDisconnect,
  rawPingreq,
  rawPuback,
  rawPubcomp,
  rawPublish,
  rawPubrec,
  rawPubrel,
  rawSubscribe,
  rawUnsubscribe,
  u8,
  u16,
  utf8String,
} from '@mqttkit/testkit';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { describe, expect, it } from 'vitest';
import type { Hook } from '../src/index.js';
import { type BrokerFixture, startBroker } from './fixtures.js';
import { delay } from './lifecycle-helpers.js';
import {
  type ConnectOptions,
  connect,
  expectInRange,
  mqttjsPublishQos012,
  nextPublish,
  subscribe,
  sync,
  T,
  text,
  until,
} from './raw-helpers.js';

/** How long a broker gets to close a connection it must close. */
const CLOSE_MS = 1500;
/** A quiet period in which nothing may arrive (only where no marker message can be used). */
const QUIET_MS = 300;

// The Paho suite's topic names and filters.
const TOPICS = ['TopicA', 'TopicA/B', 'Topic/C', 'TopicA/C', '/TopicA'] as const;
const WILD = ['TopicA/+', '+/C', '#', '/#', '/+', '+/+', 'TopicA/#'] as const;
/** What each filter of WILD matches among TOPICS, by 3.1.1 section 4.7. */
const MATCHES: Record<(typeof WILD)[number], readonly string[]> = {
  'TopicA/+': ['TopicA/B', 'TopicA/C'],
  '+/C': ['Topic/C', 'TopicA/C'],
  '#': [...TOPICS],
  '/#': ['/TopicA'],
  '/+': ['/TopicA'],
  '+/+': ['TopicA/B', 'Topic/C', 'TopicA/C', '/TopicA'],
  'TopicA/#': ['TopicA', 'TopicA/B', 'TopicA/C'],
};

// ─── helpers ───────────────────────────────────────────────────────────────────────────────────

/** Open a raw connection and send CONNECT; the client carries the CONNACK it got (not checked). */
async function rawOpen(
  port: number,
  options: RawConnectOptions,
): Promise<RawClient & { connack: ParsedConnack }> {
  const client = await RawClient.connect(port, { label: `raw ${String(options.clientId)}` });
  await client.send(rawConnect(options));
  const connack = parseConnack(await client.expectFrame({ type: T.CONNACK }), options.protocolVersion);
  return Object.assign(client, { connack });
}

/** A connected client whose `subscriptions` are in place (the SUBACK is read, its codes not checked). */
async function subscriber(
  port: number,
  version: RawVersion,
  clientId: string,
  subscriptions: readonly RawSubscription[],
  options: ConnectOptions = {},
): Promise<RawClient & { connack: ParsedConnack }> {
  const client = await connect(port, version, clientId, options);
  await subscribe(client, version, subscriptions);
  return client;
}

/** A QoS 1 or 2 PUBLISH from a client, with its packet id. */
type AckedPublish = RawPublishOptions & { qos: 1 | 2; packetId: number };

/** Send a QoS 1 or 2 PUBLISH and complete its flow as the sender: PUBACK, or PUBREC, PUBREL, PUBCOMP. */
async function publishAndComplete(
  client: RawClient,
  version: RawVersion,
  publish: AckedPublish,
): Promise<void> {
  await client.send(rawPublish(publish, version));
  if (publish.qos === 1) {
    await client.expectFrame({ type: T.PUBACK });
    return;
  }
  await client.expectFrame({ type: T.PUBREC });
  await client.send(rawPubrel(publish.packetId, version));
  await client.expectFrame({ type: T.PUBCOMP });
}

/** Send UNSUBSCRIBE and return the UNSUBACK frame that must answer it. */
async function unsubscribe(
  client: RawClient,
  version: RawVersion,
  packetId: number,
  filters: readonly string[],
): Promise<RawFrame> {
  await client.send(rawUnsubscribe(packetId, filters, version));
  return client.expectFrame({ type: T.UNSUBACK });
}

/** Normal DISCONNECT, then wait for the broker to close the connection. */
async function disconnect(client: RawClient, version: RawVersion, timeoutMs?: number): Promise<void> {
  await client.send(rawDisconnect(version));
  await client.expectClose(timeoutMs);
}

/** Drop the connection abruptly (no DISCONNECT, nothing more acknowledged) and wait until it is closed. */
async function dropConnection(client: RawClient): Promise<void> {
  client.destroy();
  await client.closed;
}

/**
 * Leave a persistent session (CleanSession 0) subscribed to `subscription` behind, then have another
 * client publish `message` while it is offline; returns once that publisher's flow is complete.
 */
async function queueForOfflineSession(
  port: number,
  version: RawVersion,
  clientId: string,
  subscription: RawSubscription,
  message: AckedPublish,
): Promise<void> {
  const session = await subscriber(port, version, clientId, [subscription], { clean: false });
  await disconnect(session, version);
  await using pub = await connect(port, version, `${clientId}-pub`);
  await publishAndComplete(pub, version, message);
}

/** PINGREQ round trip in which PINGRESP must be the very next frame; then nothing else may be pending. */
async function syncAndExpectNothingPending(client: RawClient): Promise<void> {
  await sync(client);
  expect(client.pending).toEqual([]);
}

/**
 * PINGREQ round trip: no PUBLISH may arrive before the PINGRESP (the broker answers in order, so any
 * delivery it owed is in front of it) or be pending after it. Other frames (acks) are skipped.
 */
async function syncAndExpectNoPublishPending(client: RawClient): Promise<void> {
  await client.send(rawPingreq());
  const before: number[] = [];
  for (let f = await client.expectFrame(); f.type !== T.PINGRESP; f = await client.expectFrame()) {
    before.push(f.type);
  }
  expect(before.filter((type) => type === T.PUBLISH)).toEqual([]);
  expect(client.pending.filter((f) => f.type === T.PUBLISH)).toEqual([]);
}

/** PINGREQ round trip (skipping other frames), then every PUBLISH received so far, taken or not. */
async function allPublishesAfterSync(client: RawClient, version: RawVersion): Promise<ParsedPublish[]> {
  await sync(client, true);
  return client.received.filter((f) => f.type === T.PUBLISH).map((f) => parsePublish(f, version));
}

/** The connection must close, and nothing at all may have been received on it (no CONNACK). */
async function expectClosedWithoutAnyPacket(client: RawClient): Promise<void> {
  await client.expectClose(CLOSE_MS);
  expect(client.received.map((f) => packetName(f.type))).toEqual([]);
}

/** The connection must close and nothing more may have arrived after what the test took already. */
async function expectClosedWithoutAnswer(client: RawClient): Promise<void> {
  await client.expectClose(CLOSE_MS);
  expect(client.pending.map((f) => packetName(f.type))).toEqual([]);
}

/** Connect, send `bytes` followed by a PINGREQ, and require a close with nothing answered. */
async function expectRejected(bytes: Buffer, clientId: string): Promise<void> {
  await using broker = await startBroker();
  await using c = await connect(broker.port, 4, clientId);
  await c.send(Buffer.concat([bytes, rawPingreq()]));
  await expectClosedWithoutAnswer(c);
}

/** Send `bytes` as the first packet of a connection and require a close with nothing received (no CONNACK). */
async function expectConnectRejected(bytes: Buffer): Promise<void> {
  await using broker = await startBroker();
  await using c = await RawClient.connect(broker.port);
  await c.send(bytes);
  await expectClosedWithoutAnyPacket(c);
}

/** A 3.1.1 CONNECT written field by field, for flag combinations the builder does not produce. */
function connectWithFlags(flags: number, clientId: string, tail: Buffer = Buffer.alloc(0)): Buffer {
  return frame(
    0x10,
    Buffer.concat([utf8String('MQTT'), u8(4), u8(flags), u16(60), utf8String(clientId), tail]),
  );
}

/** A 3.1.1 CONNECT whose will (payload "x", Will Retain 0) has `topic` and `qos`: for malformed wills. */
function connectWithWill(clientId: string, topic: RawString, qos: number): Buffer {
  return rawConnect({ protocolVersion: 4, clientId, will: { topic, payload: 'x', qos, retain: false } });
}

/** `packet` with the DUP bit of its fixed header set (flags 0010 become 1010), as a 3.1 client retries it. */
function withDup(packet: Buffer): Buffer {
  packet[0] = packet[0]! | 0x08;
  return packet;
}

/** An MQTT.js client that never reconnects by itself. */
function mqttjs(fixture: BrokerFixture, options: IClientOptions): Promise<MqttClient> {
  return mqtt.connectAsync(fixture.url, {
    reconnectPeriod: 0,
    connectTimeout: 3000,
    protocolVersion: 4,
    ...options,
  });
}

interface Received {
  topic: string;
  payload: string;
  qos: number;
  retain: boolean;
  dup: boolean;
}

/** Records every message an MQTT.js client receives. */
function record(client: MqttClient): Received[] {
  const got: Received[] = [];
  client.on('message', (topic, payload, packet) => {
    got.push({
      topic,
      payload: payload.toString(),
      qos: packet.qos,
      retain: packet.retain,
      dup: packet.dup,
    });
  });
  return got;
}

async function waitForCount(got: readonly unknown[], count: number, what: string): Promise<void> {
  await until(() => got.length >= count, 3000, `${count} ${what}`);
}

async function end(...clients: MqttClient[]): Promise<void> {
  await Promise.all(clients.map((c) => c.endAsync(true)));
}

// ─── Basic test ────────────────────────────────────────────────────────────────────────────────

describe('Paho basic test (MQTT 3.1.1)', () => {
  it('[MQTT-3.3.4-1][MQTT-3.8.4-1] connect, disconnect, reconnect, subscribe QoS 2 and receive its own QoS 0/1/2 publications', async () => {
    await using broker = await startBroker();
    const a = await mqttjs(broker, { clientId: 'myclientid' });
    await a.endAsync();
    const b = await mqttjs(broker, { clientId: 'myclientid' });
    const got = record(b);
    const granted = await b.subscribeAsync(TOPICS[0], { qos: 2 });
    expect(granted.map((g) => g.qos)).toEqual([2]);
    await mqttjsPublishQos012(b, TOPICS[0]);
    await waitForCount(got, 3, 'messages');
    expect(got.map((m) => [m.payload, m.qos])).toEqual([
      ['qos 0', 0],
      ['qos 1', 1],
      ['qos 2', 2],
    ]);
    await end(b);
  });

  it('[MQTT-3.1.0-2] a second CONNECT on the same connection is a protocol violation: the broker closes it', () =>
    expectRejected(rawConnect({ protocolVersion: 4, clientId: 'twice' }), 'twice'));

  it('[MQTT-3.1.2-1] a CONNECT with protocol name "hj" is not accepted: no CONNACK, connection closed', () =>
    expectConnectRejected(rawConnect({ protocolVersion: 4, clientId: 'hj', protocolName: 'hj' })));

  it('[MQTT-3.1.0-1] a first packet that is not CONNECT closes the connection', () =>
    expectConnectRejected(rawPingreq()));

  it('[MQTT-3.1.2-2] an unsupported protocol level gets CONNACK 0x01 and the connection is closed', async () => {
    await using broker = await startBroker();
    await using client = await rawOpen(broker.port, {
      protocolVersion: 4,
      clientId: 'level6',
      protocolLevel: 6,
    });
    expect(client.connack.code).toBe(0x01);
    expect(client.connack.sessionPresent).toBe(false); // [MQTT-3.2.2-4]
    await expectClosedWithoutAnswer(client); // [MQTT-3.2.2-5]
  });

  it('[MQTT-3.12.4-1] PINGREQ is answered with PINGRESP', async () => {
    await using broker = await startBroker();
    await using client = await connect(broker.port, 4, 'pinger');
    await client.send(rawPingreq());
    const pingresp = await client.expectFrame({ type: T.PINGRESP });
    expect(pingresp.flags).toBe(0);
    expect(pingresp.body.length).toBe(0);
  });

  it('[MQTT-2.3.1-6][MQTT-3.6.4-1] inbound QoS 1 and 2 flows: PUBACK, PUBREC then PUBCOMP, each with the PUBLISH packet id', async () => {
    await using broker = await startBroker();
    await using client = await connect(broker.port, 4, 'flows');
    await client.send(rawPublish({ topic: 'flows/1', payload: 'x', qos: 1, packetId: 0x1234 }, 4));
    const puback = await client.expectFrame({ type: T.PUBACK });
    expect(puback.flags).toBe(0);
    expect(parseAck(puback, 4).packetId).toBe(0x1234);
    await client.send(rawPublish({ topic: 'flows/2', payload: 'y', qos: 2, packetId: 0x4321 }, 4));
    const pubrec = await client.expectFrame({ type: T.PUBREC });
    expect(pubrec.flags).toBe(0);
    expect(parseAck(pubrec, 4).packetId).toBe(0x4321);
    await client.send(rawPubrel(0x4321, 4));
    const pubcomp = await client.expectFrame({ type: T.PUBCOMP });
    expect(pubcomp.flags).toBe(0);
    expect(parseAck(pubcomp, 4).packetId).toBe(0x4321);
  });

  it('[MQTT-4.3.3-2] a QoS 2 PUBLISH resent before PUBREL is acknowledged again but delivered only once', async () => {
    await using broker = await startBroker();
    await using sub = await connect(broker.port, 4, 'once-sub');
    expect(await subscribe(sub, 4, [{ filter: 'once/#', qos: 2 }])).toEqual([2]);
    await using pub = await connect(broker.port, 4, 'once-pub');
    await pub.send(rawPublish({ topic: 'once/a', payload: 'exactly', qos: 2, packetId: 7 }, 4));
    expect(parseAck(await pub.expectFrame({ type: T.PUBREC }), 4).packetId).toBe(7);
    await pub.send(rawPublish({ topic: 'once/a', payload: 'exactly', qos: 2, packetId: 7, dup: true }, 4));
    expect(parseAck(await pub.expectFrame({ type: T.PUBREC }), 4).packetId).toBe(7);
    await pub.send(rawPubrel(7, 4));
    await pub.expectFrame({ type: T.PUBCOMP });
    await pub.send(rawPublish({ topic: 'once/marker', payload: 'marker', qos: 0 }, 4));
    const first = await nextPublish(sub, 4);
    expect(text(first)).toBe('exactly');
    await sub.send(rawPubrec(first.packetId!, 4));
    // The marker comes next (PUBREL for the first message may be interleaved); no second copy.
    const seen: string[] = [];
    for (;;) {
      const f = await sub.expectFrame();
      if (f.type === T.PUBREL) {
        await sub.send(rawPubcomp(parseAck(f, 4).packetId, 4));
        continue;
      }
      expect(f.type).toBe(T.PUBLISH);
      const p = parsePublish(f, 4);
      seen.push(text(p));
      if (text(p) === 'marker') break;
    }
    expect(seen).toEqual(['marker']);
  });

  it('[MQTT-3.3.1-3][MQTT-3.3.1-9] the DUP and RETAIN flags of an incoming PUBLISH are not propagated to established subscribers', async () => {
    await using broker = await startBroker();
    await using sub = await subscriber(broker.port, 4, 'flags-sub', [{ filter: 'flags/#', qos: 1 }]);
    await using pub = await connect(broker.port, 4, 'flags-pub');
    await publishAndComplete(pub, 4, {
      topic: 'flags/a',
      payload: 'd',
      qos: 1,
      packetId: 3,
      dup: true,
      retain: true,
    });
    const got = await nextPublish(sub, 4);
    expect({ dup: got.dup, retain: got.retain, qos: got.qos }).toEqual({ dup: false, retain: false, qos: 1 });
    await sub.send(rawPuback(got.packetId!, 4));
  });

  it('[MQTT-4.6.0-6] messages from one publisher on one topic arrive in the order published (QoS 1)', async () => {
    await using broker = await startBroker();
    const sub = await mqttjs(broker, { clientId: 'order-sub' });
    const got = record(sub);
    await sub.subscribeAsync('order/t', { qos: 1 });
    const pub = await mqttjs(broker, { clientId: 'order-pub' });
    const sent = Array.from({ length: 20 }, (_, i) => `m${i}`);
    await Promise.all(sent.map((m) => pub.publishAsync('order/t', m, { qos: 1 })));
    await waitForCount(got, sent.length, 'messages');
    expect(got.map((m) => m.payload)).toEqual(sent);
    await end(sub, pub);
  });

  it('[MQTT-3.8.4-6] the QoS delivered is the minimum of the published QoS and the granted QoS', async () => {
    await using broker = await startBroker();
    const sub = await mqttjs(broker, { clientId: 'min-sub' });
    const got = record(sub);
    await sub.subscribeAsync({ 'min/0': { qos: 0 }, 'min/1': { qos: 1 }, 'min/2': { qos: 2 } });
    const pub = await mqttjs(broker, { clientId: 'min-pub' });
    await pub.publishAsync('min/0', 'a', { qos: 2 });
    await pub.publishAsync('min/1', 'b', { qos: 2 });
    await pub.publishAsync('min/2', 'c', { qos: 1 });
    await waitForCount(got, 3, 'messages');
    expect(got.map((m) => [m.topic, m.qos]).sort()).toEqual([
      ['min/0', 0],
      ['min/1', 1],
      ['min/2', 1],
    ]);
    await end(sub, pub);
  });

  it('[MQTT-2.3.1-5] a QoS 0 PUBLISH from the broker carries no packet identifier', async () => {
    await using broker = await startBroker();
    await using sub = await subscriber(broker.port, 4, 'q0-sub', [{ filter: 'q0', qos: 0 }]);
    await sub.send(rawPublish({ topic: 'q0', payload: 'abc', qos: 0 }, 4));
    const f = await sub.expectFrame({ type: T.PUBLISH });
    // Topic length (2) + "q0" (2) + "abc" (3): nothing else in the body.
    expect(Buffer.from(f.body)).toEqual(Buffer.concat([utf8String('q0'), Buffer.from('abc')]));
  });
});

// ─── Topic matching (the Paho topic/filter tables) ─────────────────────────────────────────────

describe('topic matching with the Paho topics and filters', () => {
  for (const filter of WILD) {
    it(`[MQTT-4.7.1-2][MQTT-4.7.1-3][MQTT-3.3.2-3] "${filter}" matches exactly ${JSON.stringify(MATCHES[filter])}`, async () => {
      await using broker = await startBroker();
      await using sub = await subscriber(broker.port, 4, 'matcher', [
        { filter, qos: 0 },
        { filter: 'zz-marker', qos: 0 },
      ]);
      await using pub = await connect(broker.port, 4, 'matcher-pub');
      for (const topic of TOPICS) await pub.send(rawPublish({ topic, payload: topic, qos: 0 }, 4));
      await pub.send(rawPublish({ topic: 'zz-marker', payload: 'end', qos: 0 }, 4));
      const seen: string[] = [];
      for (;;) {
        const p = await nextPublish(sub, 4);
        if (p.topic === 'zz-marker') break;
        expect(text(p)).toBe(p.topic);
        seen.push(p.topic);
      }
      expect(seen).toEqual(MATCHES[filter]);
    });
  }
});

// ─── Retained messages ─────────────────────────────────────────────────────────────────────────

describe('Paho retained message test', () => {
  it('[MQTT-3.3.1-5][MQTT-3.3.1-6][MQTT-3.3.1-8] retained QoS 0/1/2 messages are sent, with RETAIN set, to a new "+/+" subscription', async () => {
    await using broker = await startBroker();
    const a = await mqttjs(broker, { clientId: 'retainer' });
    await mqttjsPublishQos012(a, [TOPICS[1], TOPICS[2], TOPICS[3]], true);
    const got = record(a);
    await a.subscribeAsync(WILD[5], { qos: 2 });
    await waitForCount(got, 3, 'retained messages');
    expect(got.map((m) => [m.topic, m.payload, m.qos, m.retain]).sort()).toEqual(
      [
        [TOPICS[2], 'qos 1', 1, true],
        [TOPICS[1], 'qos 0', 0, true],
        [TOPICS[3], 'qos 2', 2, true],
      ].sort(),
    );
    await end(a);
  });

  it('[MQTT-3.3.1-10][MQTT-3.3.1-11] zero-byte retained publications clear the retained messages (and are delivered as normal)', async () => {
    await using broker = await startBroker();
    const a = await mqttjs(broker, { clientId: 'clearer' });
    await mqttjsPublishQos012(a, [TOPICS[1], TOPICS[2], TOPICS[3]], true);
    const live = await mqttjs(broker, { clientId: 'live' });
    await live.subscribeAsync('zz-marker', { qos: 0 });
    const liveGot = record(live);
    await live.subscribeAsync(WILD[5], { qos: 2 });
    await waitForCount(liveGot, 3, 'retained messages');
    liveGot.length = 0;
    await a.publishAsync(TOPICS[1], '', { qos: 0, retain: true });
    await a.publishAsync(TOPICS[2], '', { qos: 1, retain: true });
    await a.publishAsync(TOPICS[3], '', { qos: 2, retain: true });
    // A live subscriber gets the empty messages like any other, RETAIN cleared [MQTT-3.3.1-9].
    await waitForCount(liveGot, 3, 'empty messages');
    expect(liveGot.every((m) => m.payload === '' && !m.retain)).toBe(true);
    // A new subscription finds nothing retained: only the marker published after it arrives.
    const b = await mqttjs(broker, { clientId: 'late' });
    const got = record(b);
    await b.subscribeAsync([WILD[5], 'zz-marker'], { qos: 2 });
    await a.publishAsync('zz-marker', 'end', { qos: 1 });
    await waitForCount(got, 1, 'messages');
    expect(got.map((m) => m.topic)).toEqual(['zz-marker']);
    await end(a, b, live);
  });

  it('[MQTT-3.3.1-12] a PUBLISH without RETAIN neither stores nor replaces the retained message', async () => {
    await using broker = await startBroker();
    const a = await mqttjs(broker, { clientId: 'keep-retained' });
    await a.publishAsync('keep/r', 'retained', { qos: 1, retain: true });
    await a.publishAsync('keep/r', 'not retained', { qos: 1, retain: false });
    await a.publishAsync('keep/n', 'never retained', { qos: 1, retain: false });
    const b = await mqttjs(broker, { clientId: 'keep-sub' });
    const got = record(b);
    await b.subscribeAsync(['keep/#', 'zz-marker'], { qos: 1 });
    await a.publishAsync('zz-marker', 'end', { qos: 1 });
    await waitForCount(got, 2, 'messages');
    expect(got.map((m) => [m.topic, m.payload, m.retain])).toEqual([
      ['keep/r', 'retained', true],
      ['zz-marker', 'end', false],
    ]);
    await end(a, b);
  });

  it('[MQTT-3.3.1-7] a retained QoS 0 message replaces the one previously retained for that topic', async () => {
    await using broker = await startBroker();
    const a = await mqttjs(broker, { clientId: 'replace-retained' });
    await a.publishAsync('rep/t', 'old', { qos: 2, retain: true });
    await a.publishAsync('rep/t', 'new', { qos: 0, retain: true });
    await a.publishAsync('zz-sync', 'x', { qos: 1 }); // QoS 0 before it is processed by now
    const b = await mqttjs(broker, { clientId: 'replace-sub' });
    const got = record(b);
    await b.subscribeAsync('rep/t', { qos: 2 });
    await waitForCount(got, 1, 'retained message');
    await delay(QUIET_MS);
    expect(got.map((m) => [m.payload, m.qos, m.retain])).toEqual([['new', 0, true]]);
    await end(a, b);
  });

  it('[MQTT-3.8.4-3] re-subscribing to an identical filter replaces the subscription (new QoS, no duplicate) and re-sends retained messages', async () => {
    await using broker = await startBroker();
    await using c = await connect(broker.port, 4, 'resub');
    await c.send(rawPublish({ topic: 'resub/r', payload: 'kept', qos: 0, retain: true }, 4));
    expect(await subscribe(c, 4, [{ filter: 'resub/#', qos: 2 }], undefined, 1)).toEqual([2]);
    expect(text(await nextPublish(c, 4))).toBe('kept');
    expect(await subscribe(c, 4, [{ filter: 'resub/#', qos: 0 }], undefined, 2)).toEqual([0]);
    const again = await nextPublish(c, 4);
    expect([text(again), again.retain]).toEqual(['kept', true]);
    await c.send(rawPublish({ topic: 'resub/live', payload: 'live', qos: 2, packetId: 9 }, 4));
    let live: ReturnType<typeof parsePublish> | undefined;
    const others: string[] = [];
    while (live === undefined) {
      const f = await c.expectFrame();
      if (f.type === T.PUBREC) await c.send(rawPubrel(parseAck(f, 4).packetId, 4));
      else if (f.type === T.PUBCOMP) continue;
      else if (f.type === T.PUBLISH) live = parsePublish(f, 4);
      else others.push(packetName(f.type));
    }
    expect(others).toEqual([]);
    expect([text(live), live.qos]).toEqual(['live', 0]);
    await syncAndExpectNoPublishPending(c);
  });
});

// ─── Offline message queueing, sessions ────────────────────────────────────────────────────────

describe('Paho offline message queueing test and session state', () => {
  it('[MQTT-3.1.2-4][MQTT-3.1.2-5][MQTT-3.2.2-2] QoS 1 and 2 messages published while a persistent session is offline are delivered on reconnect', async () => {
    await using broker = await startBroker();
    const a = await mqttjs(broker, { clientId: 'myclientid', clean: false });
    await a.subscribeAsync(WILD[5], { qos: 2 });
    await a.endAsync();
    const b = await mqttjs(broker, { clientId: 'myclientid2' });
    await mqttjsPublishQos012(b, [TOPICS[1], TOPICS[2], TOPICS[3]]);
    await b.endAsync();
    // Raw reconnect, so the CONNACK flags and the queued PUBLISHes are seen as sent.
    await using again = await rawOpen(broker.port, {
      protocolVersion: 4,
      clientId: 'myclientid',
      clean: false,
    });
    expect([again.connack.flags, again.connack.code]).toEqual([1, 0]);
    const got: [string, string, number][] = [];
    while (got.filter(([, , q]) => q > 0).length < 2) {
      const p = await nextPublish(again, 4);
      got.push([p.topic, text(p), p.qos]);
    }
    // QoS 0 may or may not have been queued (the Paho test accepts 2 or 3 messages).
    expect(got.filter(([, , q]) => q > 0)).toEqual([
      [TOPICS[2], 'qos 1', 1],
      [TOPICS[3], 'qos 2', 2],
    ]);
  });

  it('[MQTT-3.1.2-6][MQTT-3.2.2-1] CleanSession 1 discards the previous session: Session Present 0 and its subscriptions are gone', async () => {
    await using broker = await startBroker();
    const a = await subscriber(broker.port, 4, 'cleaner', [{ filter: 'clean/#', qos: 1 }], { clean: false });
    await disconnect(a, 4);
    await using b = await connect(broker.port, 4, 'cleaner', { clean: true });
    expect(b.connack.flags).toBe(0);
    await subscribe(b, 4, [{ filter: 'zz-marker', qos: 0 }]);
    await using pub = await connect(broker.port, 4, 'clean-pub');
    await publishAndComplete(pub, 4, { topic: 'clean/x', payload: 'old sub', qos: 1, packetId: 1 });
    await pub.send(rawPublish({ topic: 'zz-marker', payload: 'end', qos: 0 }, 4));
    expect((await nextPublish(b, 4)).topic).toBe('zz-marker');
  });

  it('[MQTT-3.1.2-6][MQTT-3.2.2-3] a clean session is not kept after its connection: a later CleanSession 0 CONNECT gets Session Present 0', async () => {
    await using broker = await startBroker();
    const a = await subscriber(broker.port, 4, 'ephemeral', [{ filter: 'eph/#', qos: 1 }], { clean: true });
    await disconnect(a, 4);
    await using b = await connect(broker.port, 4, 'ephemeral', { clean: false });
    expect(b.connack.flags).toBe(0);
  });

  it('[MQTT-3.1.4-2] a CONNECT with the client id of a connected client disconnects the existing client', async () => {
    await using broker = await startBroker();
    await using first = await connect(broker.port, 4, 'same-id');
    await using second = await connect(broker.port, 4, 'same-id');
    await first.expectClose(CLOSE_MS);
    await sync(second);
  });
});

// ─── Zero-length client id ─────────────────────────────────────────────────────────────────────

describe('Paho zero length clientid test', () => {
  it('[MQTT-3.1.3-8][MQTT-3.1.3-9][MQTT-3.2.2-4][MQTT-3.2.2-5] an empty client id with CleanSession 0 gets CONNACK 0x02 and the connection is closed', async () => {
    await using broker = await startBroker();
    await using client = await rawOpen(broker.port, { protocolVersion: 4, clientId: '', clean: false });
    expect([client.connack.flags, client.connack.code]).toEqual([0, 0x02]);
    await expectClosedWithoutAnswer(client);
  });

  it('[MQTT-3.1.4-5] after rejecting a CONNECT the broker processes nothing else the client sent', async () => {
    await using broker = await startBroker();
    await using watcher = await subscriber(broker.port, 4, 'watcher', [{ filter: 'rejected/#', qos: 0 }]);
    await using client = await RawClient.connect(broker.port);
    await client.send(
      Buffer.concat([
        rawConnect({ protocolVersion: 4, clientId: '', clean: false }),
        rawSubscribe(1, [{ filter: 'x', qos: 0 }], 4),
        rawPublish({ topic: 'rejected/t', payload: 'must not route', qos: 0 }, 4),
      ]),
    );
    expect(parseConnack(await client.expectFrame({ type: T.CONNACK }), 4).code).toBe(0x02);
    await expectClosedWithoutAnswer(client);
    await syncAndExpectNothingPending(watcher);
  });

  it('[MQTT-3.1.3-6][MQTT-3.1.3-7] an empty client id with CleanSession 1 is accepted, and each such client gets its own identity', async () => {
    await using broker = await startBroker();
    await using one = await connect(broker.port, 4, '');
    await using two = await connect(broker.port, 4, '');
    expect([one.connack.code, one.connack.flags]).toEqual([0, 0]);
    expect([two.connack.code, two.connack.flags]).toEqual([0, 0]);
    // Neither took over the other.
    await subscribe(one, 4, [{ filter: 'anon/1', qos: 0 }]);
    await subscribe(two, 4, [{ filter: 'anon/2', qos: 0 }]);
    await one.send(rawPublish({ topic: 'anon/2', payload: 'to two', qos: 0 }, 4));
    await two.send(rawPublish({ topic: 'anon/1', payload: 'to one', qos: 0 }, 4));
    expect(text(await nextPublish(one, 4))).toBe('to one');
    expect(text(await nextPublish(two, 4))).toBe('to two');
  });

  it('[MQTT-3.1.3-6] MQTT.js with an empty client id and clean session connects', async () => {
    await using broker = await startBroker();
    const c = await mqttjs(broker, { clientId: '', clean: true });
    expect(c.connected).toBe(true);
    await end(c);
  });
});

// ─── Will messages ─────────────────────────────────────────────────────────────────────────────

describe('Paho will message test', () => {
  it('[MQTT-3.1.2-8][MQTT-3.1.2-16] the will is published when the connection closes without DISCONNECT', async () => {
    await using broker = await startBroker();
    const b = await mqttjs(broker, { clientId: 'myclientid2', clean: false });
    const got = record(b);
    await b.subscribeAsync(TOPICS[2], { qos: 2 });
    const a = await rawOpen(broker.port, {
      protocolVersion: 4,
      clientId: 'myclientid',
      keepAlive: 2,
      will: { topic: TOPICS[2], payload: 'client not disconnected', qos: 1, retain: false },
    });
    expect(a.connack.code).toBe(0);
    a.destroy(); // terminate: no DISCONNECT
    await waitForCount(got, 1, 'will message');
    expect(got).toEqual([
      { topic: TOPICS[2], payload: 'client not disconnected', qos: 1, retain: false, dup: false },
    ]);
    await end(b);
  });

  it('[MQTT-3.1.2-10][MQTT-3.14.4-3] the will is discarded when the client sends DISCONNECT', async () => {
    await using broker = await startBroker();
    const b = await mqttjs(broker, { clientId: 'will-watch' });
    const got = record(b);
    await b.subscribeAsync([TOPICS[2], 'zz-marker'], { qos: 1 });
    const a = await rawOpen(broker.port, {
      protocolVersion: 4,
      clientId: 'polite',
      will: { topic: TOPICS[2], payload: 'must not be sent', qos: 1, retain: false },
    });
    await disconnect(a, 4, CLOSE_MS); // the broker closes after DISCONNECT (SHOULD)
    await b.publishAsync('zz-marker', 'end', { qos: 1 });
    await waitForCount(got, 1, 'messages');
    expect(got.map((m) => m.topic)).toEqual(['zz-marker']);
    await end(b);
  });

  it('[MQTT-3.1.2-17] a will with Will Retain 1 is published as a retained message', async () => {
    await using broker = await startBroker();
    await using watch = await subscriber(broker.port, 4, 'retained-will-watch', [
      { filter: 'wills/retained', qos: 0 },
    ]);
    const a = await rawOpen(broker.port, {
      protocolVersion: 4,
      clientId: 'retained-will',
      will: { topic: 'wills/retained', payload: 'gone', qos: 0, retain: true },
    });
    a.destroy();
    expect((await nextPublish(watch, 4)).retain).toBe(false); // published now [MQTT-3.3.1-9]
    const b = await mqttjs(broker, { clientId: 'later' });
    const got = record(b);
    await b.subscribeAsync('wills/retained', { qos: 1 });
    await waitForCount(got, 1, 'retained will');
    expect(got).toEqual([{ topic: 'wills/retained', payload: 'gone', qos: 0, retain: true, dup: false }]);
    await end(b);
  });

  it('[MQTT-3.1.2-8][MQTT-3.14.1-1] a DISCONNECT with reserved flag bits set is a protocol error: connection closed and the will published', async () => {
    await using broker = await startBroker();
    const b = await mqttjs(broker, { clientId: 'bad-disc-watch' });
    const got = record(b);
    await b.subscribeAsync('wills/bad-disconnect', { qos: 1 });
    const a = await rawOpen(broker.port, {
      protocolVersion: 4,
      clientId: 'bad-disconnect',
      will: { topic: 'wills/bad-disconnect', payload: 'protocol error', qos: 1, retain: false },
    });
    await a.send(frame(0xe1));
    await a.expectClose(CLOSE_MS);
    await waitForCount(got, 1, 'will message');
    expect(got.map((m) => m.payload)).toEqual(['protocol error']);
    await end(b);
  });

  it('[MQTT-3.1.2-8][MQTT-3.1.4-2] a client disconnected by a takeover (no DISCONNECT) has its will published', async () => {
    await using broker = await startBroker();
    const b = await mqttjs(broker, { clientId: 'takeover-watch' });
    const got = record(b);
    await b.subscribeAsync(['wills/takeover', 'zz-marker'], { qos: 1 });
    const old = await rawOpen(broker.port, {
      protocolVersion: 4,
      clientId: 'taken',
      will: { topic: 'wills/takeover', payload: 'taken over', qos: 1, retain: false },
    });
    await using _fresh = await connect(broker.port, 4, 'taken');
    await old.expectClose(CLOSE_MS);
    await b.publishAsync('zz-marker', 'end', { qos: 1 });
    await waitForCount(got, 2, 'will and marker');
    expect(got.map((m) => m.payload)).toEqual(['taken over', 'end']);
    await end(b);
  });
});

// ─── Overlapping subscriptions ─────────────────────────────────────────────────────────────────

describe('Paho overlapping subscriptions test', () => {
  it('[MQTT-3.3.5-1] overlapping "TopicA/#" (QoS 2) and "TopicA/+" (QoS 1): one message at QoS 2, or one per subscription at QoS 2 and 1', async () => {
    await using broker = await startBroker();
    const a = await mqttjs(broker, { clientId: 'overlap' });
    const got = record(a);
    const granted = await a.subscribeAsync({ [WILD[6]]: { qos: 2 }, [WILD[0]]: { qos: 1 } });
    expect(granted.map((g) => [g.topic, g.qos])).toEqual([
      [WILD[6], 2],
      [WILD[0], 1],
    ]);
    await a.publishAsync(TOPICS[3], 'overlapping topic filters', { qos: 2 });
    await a.subscribeAsync('zz-marker', { qos: 0 });
    await a.publishAsync('zz-marker', 'end', { qos: 0 });
    await until(() => got.some((m) => m.topic === 'zz-marker'), 3000, 'marker');
    const overlapped = got.filter((m) => m.topic === TOPICS[3]).map((m) => m.qos);
    expect([[2], [1, 2]]).toContainEqual(overlapped.sort());
    await end(a);
  });
});

// ─── Keepalive ─────────────────────────────────────────────────────────────────────────────────

describe('Paho keepalive test', () => {
  it('[MQTT-3.1.2-24][MQTT-3.1.2-8] a silent client is disconnected after 1.5 x Keep Alive and its will is published', async () => {
    await using broker = await startBroker();
    await using b = await subscriber(broker.port, 4, 'ka-watch', [{ filter: TOPICS[4], qos: 2 }]);
    const started = Date.now();
    const a = await rawOpen(broker.port, {
      protocolVersion: 4,
      clientId: 'silent',
      keepAlive: 1,
      will: { topic: TOPICS[4], payload: 'keepalive expiry', qos: 0, retain: false },
    });
    await a.expectClose(3000);
    expectInRange(Date.now() - started, 950, 2600); // not before the Keep Alive period itself
    const will = await nextPublish(b, 4, 1000);
    expect([will.topic, text(will)]).toEqual([TOPICS[4], 'keepalive expiry']);
  });

  it('[MQTT-3.1.2-23][MQTT-3.12.4-1] a client that sends PINGREQ within its Keep Alive stays connected', async () => {
    await using broker = await startBroker();
    await using client = await rawOpen(broker.port, {
      protocolVersion: 4,
      clientId: 'pinging',
      keepAlive: 1,
    });
    for (let i = 0; i < 4; i++) {
      await delay(700);
      await client.send(rawPingreq());
      await client.expectFrame({ type: T.PINGRESP, timeoutMs: 1000 });
    }
    expect(client.isClosed).toBe(false);
  });
});

// ─── Redelivery on reconnect ───────────────────────────────────────────────────────────────────

describe('Paho redelivery on reconnect test', () => {
  it('[MQTT-4.4.0-1][MQTT-3.3.1-1][MQTT-2.3.1-4][MQTT-4.6.0-1] unacknowledged QoS 1 and 2 PUBLISHes are resent on reconnect with DUP 1 and their original ids, in order', async () => {
    await using broker = await startBroker();
    const first = await connect(broker.port, 4, 'myclientid2', { clean: false });
    expect(await subscribe(first, 4, [{ filter: WILD[6], qos: 2 }])).toEqual([2]);
    await using pub = await connect(broker.port, 4, 'redeliver-pub');
    await publishAndComplete(pub, 4, { topic: TOPICS[1], payload: 'one', qos: 1, packetId: 1 });
    await publishAndComplete(pub, 4, { topic: TOPICS[3], payload: 'two', qos: 2, packetId: 2 });
    const p1 = await nextPublish(first, 4);
    const p2 = await nextPublish(first, 4);
    expect([p1.dup, p1.qos, text(p1), p2.dup, p2.qos, text(p2)]).toEqual([false, 1, 'one', false, 2, 'two']);
    expect(p1.packetId).not.toBe(0);
    expect(p2.packetId).not.toBe(0);
    expect(p1.packetId).not.toBe(p2.packetId);
    await dropConnection(first); // paused client: nothing acknowledged

    await using again = await rawOpen(broker.port, {
      protocolVersion: 4,
      clientId: 'myclientid2',
      clean: false,
    });
    expect(again.connack.flags).toBe(1);
    const r1 = await nextPublish(again, 4);
    const r2 = await nextPublish(again, 4);
    expect([r1.dup, r1.qos, r1.packetId, text(r1)]).toEqual([true, 1, p1.packetId, 'one']);
    expect([r2.dup, r2.qos, r2.packetId, text(r2)]).toEqual([true, 2, p2.packetId, 'two']);
    await again.send(rawPuback(r1.packetId!, 4));
    await again.send(rawPubrec(r2.packetId!, 4));
    const pubrel = await again.expectFrame({ type: T.PUBREL });
    expect(pubrel.flags).toBe(0b0010); // [MQTT-3.6.1-1]
    expect(parseAck(pubrel, 4).packetId).toBe(r2.packetId);
    await again.send(rawPubcomp(r2.packetId!, 4));
    await syncAndExpectNothingPending(again);
  });

  it('[MQTT-4.4.0-1] a QoS 2 delivery acknowledged with PUBREC but not PUBCOMP is resumed with PUBREL (not PUBLISH) on reconnect', async () => {
    await using broker = await startBroker();
    const first = await subscriber(broker.port, 4, 'relsub', [{ filter: 'rel/#', qos: 2 }], { clean: false });
    await using pub = await connect(broker.port, 4, 'relpub');
    await publishAndComplete(pub, 4, { topic: 'rel/a', payload: 'q2', qos: 2, packetId: 5 });
    const p = await nextPublish(first, 4);
    await first.send(rawPubrec(p.packetId!, 4));
    expect(parseAck(await first.expectFrame({ type: T.PUBREL }), 4).packetId).toBe(p.packetId);
    await dropConnection(first); // no PUBCOMP

    await using again = await rawOpen(broker.port, { protocolVersion: 4, clientId: 'relsub', clean: false });
    expect(again.connack.flags).toBe(1);
    const resent = await again.expectFrame();
    expect(packetName(resent.type)).toBe('PUBREL');
    expect(resent.flags).toBe(0b0010);
    expect(parseAck(resent, 4).packetId).toBe(p.packetId);
    await again.send(rawPubcomp(p.packetId!, 4));
    await syncAndExpectNothingPending(again);
  });
});

// ─── Subscribe failure, unsubscribe ────────────────────────────────────────────────────────────

describe('Paho subscribe failure test, and unsubscribe', () => {
  const noSubscribe: Hook = {
    id: 'nosubscribe',
    authorizeSubscribe: ({ topicFilter }) => (topicFilter === 'test/nosubscribe' ? 'deny' : 'allow'),
  };

  it('[MQTT-3.9.3-2][MQTT-3.8.4-5][MQTT-3.9.3-1] a refused filter gets return code 0x80, in order among the granted ones', async () => {
    await using broker = await startBroker({ hooks: [noSubscribe] });
    await using c = await connect(broker.port, 4, 'subfail');
    await c.send(
      rawSubscribe(
        0x2a,
        [
          { filter: 'ok/0', qos: 0 },
          { filter: 'test/nosubscribe', qos: 2 },
          { filter: 'ok/2', qos: 2 },
        ],
        4,
      ),
    );
    const suback = await c.expectFrame({ type: T.SUBACK });
    expect(suback.flags).toBe(0);
    expect(parseSuback(suback, 4)).toMatchObject({ packetId: 0x2a, codes: [0, 0x80, 2] }); // [MQTT-3.8.4-2]
  });

  it('[MQTT-3.9.3-2] MQTT.js sees SUBACK return code 0x80 for a refused subscription', async () => {
    await using broker = await startBroker({ hooks: [noSubscribe] });
    const c = await mqttjs(broker, { clientId: 'subfail-js' });
    // MQTT.js 5 rejects the subscribe on a failure code, with the SUBACK attached to the error.
    const error = await c.subscribeAsync('test/nosubscribe', { qos: 2 }).then(
      () => undefined,
      (e: unknown) => e as { packet?: { granted?: unknown } },
    );
    expect(error?.packet?.granted).toEqual([0x80]);
    await end(c);
  });

  it('[MQTT-3.10.4-1][MQTT-3.10.4-2][MQTT-3.10.4-4][MQTT-3.10.4-5] UNSUBSCRIBE removes the subscription, and UNSUBACK carries its packet id even when nothing matched', async () => {
    await using broker = await startBroker();
    await using c = await subscriber(broker.port, 4, 'unsub', [
      { filter: 'uns/a', qos: 1 },
      { filter: 'zz-marker', qos: 0 },
    ]);
    const unsuback = await unsubscribe(c, 4, 0x77, ['uns/a', 'never/subscribed']);
    expect(unsuback.flags).toBe(0);
    expect(parseUnsuback(unsuback, 4).packetId).toBe(0x77);
    await publishAndComplete(c, 4, { topic: 'uns/a', payload: 'gone', qos: 1, packetId: 1 });
    await c.send(rawPublish({ topic: 'zz-marker', payload: 'end', qos: 0 }, 4));
    expect((await nextPublish(c, 4)).topic).toBe('zz-marker');
  });
});

// ─── $ topics ──────────────────────────────────────────────────────────────────────────────────

describe('Paho $ topics test', () => {
  it('[MQTT-4.7.2-1] filters starting with a wildcard do not match topics starting with "$"', async () => {
    await using broker = await startBroker();
    await using c = await subscriber(broker.port, 4, 'dollar', [
      { filter: '+/+', qos: 2 },
      { filter: '#', qos: 2 },
      { filter: '+/B', qos: 2 },
      { filter: '$TopicA/#', qos: 0 },
    ]);
    await using pub = await connect(broker.port, 4, 'dollar-pub');
    await publishAndComplete(pub, 4, { topic: `$${TOPICS[1]}`, payload: '', qos: 1, packetId: 1 });
    // Only the explicit "$TopicA/#" subscription (QoS 0) matches.
    const p = await nextPublish(c, 4);
    expect([p.topic, p.qos]).toEqual([`$${TOPICS[1]}`, 0]);
    await syncAndExpectNoPublishPending(c);
  });

  it('[MQTT-4.7.2-1] "#" does not receive the broker\'s own $SYS messages', async () => {
    await using broker = await startBroker();
    await using c = await subscriber(broker.port, 4, 'sys-watch', [
      { filter: '#', qos: 0 },
      { filter: '$SYS/test/#', qos: 0 },
    ]);
    broker.broker.publish({ topic: '$SYS/test/x', payload: 'sys' });
    broker.broker.publish({ topic: 'plain', payload: 'plain' });
    const got = [await nextPublish(c, 4), await nextPublish(c, 4)].map((p) => p.topic);
    expect(got).toEqual(['$SYS/test/x', 'plain']);
  });
});

// ─── Malformed packets: each must close the connection ─────────────────────────────────────────

describe('malformed and forbidden packets close the connection (3.1.1 section 4.8)', () => {
  const subscribeBody = Buffer.concat([u16(1), utf8String('a/b'), u8(0)]);
  const unsubscribeBody = Buffer.concat([u16(1), utf8String('a/b')]);

  it('[MQTT-3.8.1-1][MQTT-2.2.2-2] SUBSCRIBE with fixed-header flags 0000 instead of 0010', () =>
    expectRejected(frame(0x80, subscribeBody), 'sub-flags'));

  it('[MQTT-3.10.1-1][MQTT-2.2.2-2] UNSUBSCRIBE with fixed-header flags 0000 instead of 0010', () =>
    expectRejected(frame(0xa0, unsubscribeBody), 'unsub-flags'));

  it('[MQTT-3.6.1-1][MQTT-2.2.2-2] PUBREL with fixed-header flags 0000 instead of 0010', () =>
    expectRejected(frame(0x60, u16(1)), 'pubrel-flags'));

  it('[MQTT-2.2.2-2] PINGREQ with a reserved flag bit set', () => expectRejected(frame(0xc1), 'ping-flags'));

  it('[MQTT-2.2.2-2] PUBACK with a reserved flag bit set', () =>
    expectRejected(frame(0x48, u16(1)), 'puback-flags'));

  it('[MQTT-3.8.3-3] SUBSCRIBE without any topic filter (no payload)', () =>
    expectRejected(frame(0x82, u16(1)), 'sub-empty'));

  it('[MQTT-3.10.3-2] UNSUBSCRIBE without any topic filter (no payload)', () =>
    expectRejected(frame(0xa2, u16(1)), 'unsub-empty'));

  it('[MQTT-3.8.3-4] SUBSCRIBE requesting QoS 3', () =>
    expectRejected(rawSubscribe(1, [{ filter: 'a/b', qos: 3 }], 4), 'sub-qos3'));

  it('[MQTT-3.8.3-4] SUBSCRIBE with a reserved bit of the requested QoS byte set (0x04)', () =>
    expectRejected(rawSubscribe(1, [{ filter: 'a/b', qos: 0, options: 0x04 }], 4), 'sub-reserved-04'));

  it('[MQTT-3.8.3-4] SUBSCRIBE with the high reserved bits of the requested QoS byte set (0x21)', () =>
    expectRejected(rawSubscribe(1, [{ filter: 'a/b', qos: 0, options: 0x21 }], 4), 'sub-reserved-21'));

  it('[MQTT-2.3.1-1] SUBSCRIBE with packet identifier 0', () =>
    expectRejected(rawSubscribe(0, [{ filter: 'a/b', qos: 0 }], 4), 'sub-id0'));

  it('[MQTT-2.3.1-1] QoS 1 PUBLISH with packet identifier 0', () =>
    expectRejected(rawPublish({ topic: 'a/b', payload: 'x', qos: 1, packetId: 0 }, 4), 'pub-id0'));

  it('[MQTT-3.3.1-4] PUBLISH with QoS 3', () =>
    expectRejected(rawPublish({ topic: 'a/b', payload: 'x', qos: 3, packetId: 1 }, 4), 'pub-qos3'));

  it('[MQTT-3.3.2-2] PUBLISH to a topic name holding "+"', () =>
    expectRejected(rawPublish({ topic: 'a/+/c', payload: 'x', qos: 0 }, 4), 'pub-plus'));

  it('[MQTT-3.3.2-2] PUBLISH to a topic name holding "#"', () =>
    expectRejected(rawPublish({ topic: 'a/#', payload: 'x', qos: 0 }, 4), 'pub-hash'));

  it('[MQTT-4.7.3-1] PUBLISH with an empty topic name', () =>
    expectRejected(rawPublish({ topic: '', payload: 'x', qos: 0 }, 4), 'pub-empty-topic'));

  it('[MQTT-1.5.3-1][MQTT-3.3.2-1] PUBLISH with an ill-formed UTF-8 topic name (C3 28)', () =>
    expectRejected(
      rawPublish({ topic: Buffer.from([0x61, 0x2f, 0xc3, 0x28]), payload: 'x', qos: 0 }, 4),
      'pub-bad-utf8',
    ));

  it('[MQTT-1.5.3-1] PUBLISH with a UTF-16 surrogate (ED A0 80) encoded in the topic name', () =>
    expectRejected(
      rawPublish({ topic: Buffer.from([0x61, 0xed, 0xa0, 0x80]), payload: 'x', qos: 0 }, 4),
      'pub-surrogate',
    ));

  it('[MQTT-1.5.3-2] PUBLISH with U+0000 in the topic name', () =>
    expectRejected(
      rawPublish({ topic: Buffer.from([0x61, 0x00, 0x62]), payload: 'x', qos: 0 }, 4),
      'pub-nul',
    ));

  it('[MQTT-1.5.3-1][MQTT-3.8.3-1] SUBSCRIBE with an ill-formed UTF-8 topic filter', () =>
    expectRejected(rawSubscribe(1, [{ filter: Buffer.from([0x61, 0xff]), qos: 0 }], 4), 'sub-bad-utf8'));

  it('[MQTT-4.7.1-2] SUBSCRIBE with "#" not last in the filter is not granted (closed, or 0x80)', async () => {
    await using broker = await startBroker();
    await using c = await connect(broker.port, 4, 'bad-hash');
    await c.send(rawSubscribe(1, [{ filter: 'a/#/b', qos: 0 }], 4));
    const outcome = await Promise.race([
      c.expectClose(CLOSE_MS).then(() => 'closed'),
      c.expectFrame({ type: T.SUBACK }).then((f) => `suback ${parseSuback(f, 4).codes.join(',')}`),
    ]);
    expect(['closed', 'suback 128']).toContain(outcome);
  });
});

describe('malformed CONNECT packets: closed without CONNACK [MQTT-3.1.4-1]', () => {
  it('[MQTT-3.1.2-3] reserved Connect Flags bit 0 set', () =>
    expectConnectRejected(rawConnect({ protocolVersion: 4, clientId: 'r', reservedFlag: true })));

  it('[MQTT-2.2.2-2] CONNECT with fixed-header flags 0001', () => {
    const good = rawConnect({ protocolVersion: 4, clientId: 'f' });
    good[0] = 0x11;
    return expectConnectRejected(good);
  });

  it('[MQTT-3.1.2-14] Will QoS 3', () => expectConnectRejected(connectWithWill('w3', 'w', 3)));

  it('[MQTT-3.1.2-13][MQTT-3.1.2-11] Will Flag 0 with Will QoS 1', () =>
    expectConnectRejected(connectWithFlags(0x02 | 0x08, 'wq')));

  it('[MQTT-3.1.2-15][MQTT-3.1.2-11] Will Flag 0 with Will Retain 1', () =>
    expectConnectRejected(connectWithFlags(0x02 | 0x20, 'wr')));

  it('[MQTT-3.1.2-22] Password Flag 1 with User Name Flag 0', () =>
    expectConnectRejected(connectWithFlags(0x02 | 0x40, 'pw', utf8String('secret'))));

  it('[MQTT-3.1.3-4][MQTT-1.5.3-1] client id that is not well-formed UTF-8', () =>
    expectConnectRejected(rawConnect({ protocolVersion: 4, clientId: Buffer.from([0x63, 0xc0, 0xaf]) })));

  it('[MQTT-3.1.3-10][MQTT-3.3.2-2] will topic holding a wildcard', () =>
    expectConnectRejected(connectWithWill('wt', 'w/#', 0)));

  it('[MQTT-3.1.4-1] CONNECT with bytes left over after its payload', () =>
    expectConnectRejected(connectWithFlags(0x02, 'extra', Buffer.from([0x00, 0x01, 0x41]))));
});

// ─── MQTT 3.1 (MQIsdp) ─────────────────────────────────────────────────────────────────────────

describe('MQTT 3.1 (protocol name MQIsdp, level 3)', () => {
  const v3: IClientOptions = { protocolVersion: 3, protocolId: 'MQIsdp' };

  it('[MQTT 3.1 §3.3, §3.8] MQTT.js 3.1 client: subscribe QoS 2 and receive QoS 0/1/2, retained with RETAIN set', async () => {
    await using broker = await startBroker();
    const a = await mqttjs(broker, { ...v3, clientId: 'v31-a' });
    await a.publishAsync('v31/r', 'kept', { qos: 1, retain: true });
    const got = record(a);
    await a.subscribeAsync('v31/#', { qos: 2 });
    await waitForCount(got, 1, 'retained');
    await mqttjsPublishQos012(a, ['v31/a', 'v31/b', 'v31/c']);
    await waitForCount(got, 4, 'messages');
    expect(got.map((m) => [m.payload, m.qos, m.retain])).toEqual([
      ['kept', 1, true],
      ['qos 0', 0, false],
      ['qos 1', 1, false],
      ['qos 2', 2, false],
    ]);
    await end(a);
  });

  it('[MQTT 3.1 §3.1] a client id longer than 23 characters gets CONNACK 2 (Identifier Rejected)', async () => {
    await using broker = await startBroker();
    await using c = await rawOpen(broker.port, { protocolVersion: 3, clientId: 'a'.repeat(24) });
    expect([c.connack.flags, c.connack.code]).toEqual([0, 2]);
    await expectClosedWithoutAnswer(c);
  });

  it('[MQTT 3.1 §3.1] a 23-character client id is accepted', async () => {
    await using broker = await startBroker();
    await using c = await connect(broker.port, 3, 'b'.repeat(23));
    expect(c.connack.code).toBe(0);
  });

  it('[MQTT 3.1 §3.1] an empty client id gets CONNACK 2', async () => {
    await using broker = await startBroker();
    await using c = await rawOpen(broker.port, { protocolVersion: 3, clientId: '' });
    expect(c.connack.code).toBe(2);
    await expectClosedWithoutAnswer(c);
  });

  it('[MQTT 3.1 §3.1, §3.2] a persistent 3.1 session keeps QoS 1 messages while offline; its CONNACK flags byte stays 0', async () => {
    await using broker = await startBroker();
    await queueForOfflineSession(
      broker.port,
      3,
      'v31-persist',
      { filter: 'v31p/#', qos: 1 },
      { topic: 'v31p/x', payload: 'queued', qos: 1, packetId: 1 },
    );
    await using again = await connect(broker.port, 3, 'v31-persist', { clean: false });
    expect(again.connack.flags).toBe(0);
    const p = await nextPublish(again, 3);
    expect([p.topic, text(p), p.qos]).toEqual(['v31p/x', 'queued', 1]);
  });

  it("[MQTT 3.1 §3.1 Will flag] a 3.1 client's will is published when its connection drops", async () => {
    await using broker = await startBroker();
    await using watch = await subscriber(broker.port, 3, 'v31-watch', [{ filter: 'v31w', qos: 1 }]);
    const client = await rawOpen(broker.port, {
      protocolVersion: 3,
      clientId: 'v31-will',
      will: { topic: 'v31w', payload: 'bye', qos: 1, retain: false },
    });
    client.destroy();
    const will = await nextPublish(watch, 3);
    expect([will.topic, text(will), will.qos]).toEqual(['v31w', 'bye', 1]);
  });
});

// ─── Stricter checks behind the same scenarios ─────────────────────────────────────────────────

describe('retained messages: matching and $ topics', () => {
  it('[MQTT-4.7.2-1][MQTT-3.3.1-6] a retained message on a "$" topic is not sent to new "#" or "+/+" subscriptions', async () => {
    await using broker = await startBroker();
    await using pub = await connect(broker.port, 4, 'dollar-retainer');
    await publishAndComplete(pub, 4, {
      topic: '$TopicA/B',
      payload: 'dollar',
      qos: 1,
      packetId: 1,
      retain: true,
    });
    await publishAndComplete(pub, 4, {
      topic: 'TopicA/B',
      payload: 'plain',
      qos: 1,
      packetId: 2,
      retain: true,
    });
    for (const filter of ['#', '+/+', '+/B']) {
      await using sub = await subscriber(broker.port, 4, `dollar-ret-${filter}`, [{ filter, qos: 0 }]);
      const topics = (await allPublishesAfterSync(sub, 4)).map((p) => p.topic);
      expect({ filter, topics }).toEqual({ filter, topics: ['TopicA/B'] });
    }
    // An explicit "$" filter still gets it.
    await using dollar = await subscriber(broker.port, 4, 'dollar-ret-explicit', [
      { filter: '$TopicA/+', qos: 0 },
    ]);
    expect((await nextPublish(dollar, 4)).topic).toBe('$TopicA/B');
  });

  it('[MQTT-4.7.2-1] the broker\'s own retained $SYS messages are not sent to a new "#" subscription', async () => {
    await using broker = await startBroker();
    broker.broker.publish({ topic: '$SYS/test/retained', payload: 'sys', retain: true });
    broker.broker.publish({ topic: 'visible', payload: 'v', retain: true });
    await using sub = await subscriber(broker.port, 4, 'sys-ret', [{ filter: '#', qos: 0 }]);
    const topics = (await allPublishesAfterSync(sub, 4)).map((p) => p.topic);
    expect(topics).toEqual(['visible']);
  });

  for (const filter of WILD) {
    it(`[MQTT-3.3.1-6][MQTT-4.7.1-2][MQTT-4.7.1-3] retained messages sent to a new "${filter}" subscription are exactly the matching ones`, async () => {
      await using broker = await startBroker();
      await using pub = await connect(broker.port, 4, 'ret-matrix-pub');
      let id = 1;
      for (const topic of TOPICS) {
        await publishAndComplete(pub, 4, { topic, payload: topic, qos: 1, packetId: id++, retain: true });
      }
      await using sub = await subscriber(broker.port, 4, 'ret-matrix-sub', [{ filter, qos: 0 }]);
      const topics = (await allPublishesAfterSync(sub, 4)).map((p) => {
        expect(p.retain).toBe(true);
        return p.topic;
      });
      expect(topics.sort()).toEqual([...MATCHES[filter]].sort());
    });
  }

  it('[MQTT-3.1.2-7] retained messages are not deleted when the session that published them ends', async () => {
    await using broker = await startBroker();
    const pub = await connect(broker.port, 4, 'ret-owner', { clean: true });
    await publishAndComplete(pub, 4, {
      topic: 'owned/r',
      payload: 'stays',
      qos: 1,
      packetId: 1,
      retain: true,
    });
    await disconnect(pub, 4);
    await using sub = await subscriber(broker.port, 4, 'ret-reader', [{ filter: 'owned/#', qos: 1 }]);
    expect(text(await nextPublish(sub, 4))).toBe('stays');
  });
});

describe('3.1.1 packets with bytes the 3.1.1 format does not have are malformed (3.1.1 section 4.8)', () => {
  it('[MQTT-3.14.1-1][MQTT-3.1.2-8] a 3.1.1 DISCONNECT with a body byte (a 5.0 reason code) is not a valid DISCONNECT: the will is published', async () => {
    await using broker = await startBroker();
    await using watch = await subscriber(broker.port, 4, 'disc-body-watch', [
      { filter: 'wills/disc-body', qos: 0 },
      { filter: 'zz-marker', qos: 0 },
    ]);
    const client = await rawOpen(broker.port, {
      protocolVersion: 4,
      clientId: 'disc-body',
      will: { topic: 'wills/disc-body', payload: 'malformed disconnect', qos: 0, retain: false },
    });
    await client.send(frame(0xe0, u8(0x00)));
    await client.expectClose(CLOSE_MS);
    await watch.send(rawPublish({ topic: 'zz-marker', payload: 'end', qos: 0 }, 4));
    const got = [await nextPublish(watch, 4)];
    if (got[0]!.topic !== 'zz-marker') got.push(await nextPublish(watch, 4));
    expect(got.map((p) => text(p))).toEqual(['malformed disconnect', 'end']);
  });

  it('[MQTT-2.2.2-2][MQTT-4.8.0-1] a 3.1.1 PUBACK with a third byte (a 5.0 reason code)', () =>
    expectRejected(frame(0x40, Buffer.from([0x00, 0x01, 0x00])), 'puback-long'));

  it('[MQTT-4.8.0-1] a 3.1.1 PUBREL with a third byte (a 5.0 reason code)', () =>
    expectRejected(frame(0x62, Buffer.from([0x00, 0x01, 0x00])), 'pubrel-long'));

  it('[MQTT-4.8.0-1] a PINGREQ with a non-zero Remaining Length', () =>
    expectRejected(frame(0xc0, u8(0)), 'ping-long'));

  it('[MQTT-2.2.2-2][MQTT-4.8.0-1] packet type 15 (AUTH exists only in 5.0) on a 3.1.1 connection', () =>
    expectRejected(frame(0xf0), 'auth-on-v4'));

  it('[MQTT-4.8.0-1] packet type 0 (reserved)', () => expectRejected(frame(0x00), 'type-0'));

  for (const [name, bytes] of [
    ['CONNACK', frame(0x20, Buffer.from([0, 0]))],
    ['SUBACK', frame(0x90, Buffer.from([0, 1, 0]))],
    ['UNSUBACK', frame(0xb0, u16(1))],
    ['PINGRESP', frame(0xd0)],
  ] as const) {
    it(`[MQTT-4.8.0-1] a ${name} (a packet only a server sends) from a client`, () =>
      expectRejected(bytes, `client-sends-${name}`));
  }

  it('[MQTT-2.3.1-1] UNSUBSCRIBE with packet identifier 0', () =>
    expectRejected(rawUnsubscribe(0, ['a/b'], 4), 'unsub-id0'));

  it('[MQTT-2.3.1-1] QoS 2 PUBLISH with packet identifier 0', () =>
    expectRejected(rawPublish({ topic: 'a/b', payload: 'x', qos: 2, packetId: 0 }, 4), 'pub2-id0'));

  it('[MQTT-4.8.0-1] a PUBLISH whose topic length runs past the end of the packet', () =>
    expectRejected(frame(0x30, Buffer.concat([u16(50), Buffer.from('short')])), 'pub-short'));

  it('[MQTT-4.8.0-1] a Remaining Length encoded in five bytes', () =>
    expectRejected(Buffer.from([0xc0, 0xff, 0xff, 0xff, 0xff, 0x01]), 'rl-5'));

  it('[MQTT-3.1.2-8][MQTT-3.1.0-2] a second CONNECT is a protocol error: the will of the first is published', async () => {
    await using broker = await startBroker();
    await using watch = await subscriber(broker.port, 4, 'twice-watch', [{ filter: 'wills/twice', qos: 0 }]);
    const client = await rawOpen(broker.port, {
      protocolVersion: 4,
      clientId: 'twice-will',
      will: { topic: 'wills/twice', payload: 'second connect', qos: 0, retain: false },
    });
    await client.send(rawConnect({ protocolVersion: 4, clientId: 'twice-will' }));
    await client.expectClose(CLOSE_MS);
    expect(text(await nextPublish(watch, 4))).toBe('second connect');
  });
});

describe('malformed CONNECT payloads: closed without CONNACK [MQTT-3.1.4-1]', () => {
  it('[MQTT-3.1.2-19] User Name Flag 1 but no user name in the payload', () =>
    expectConnectRejected(connectWithFlags(0x02 | 0x80, 'nouser')));

  it('[MQTT-3.1.2-9] Will Flag 1 but no Will Topic or Will Message in the payload', () =>
    expectConnectRejected(connectWithFlags(0x02 | 0x04, 'nowill')));

  it('[MQTT-3.1.2-21] Password Flag 1 but no password in the payload', () =>
    expectConnectRejected(connectWithFlags(0x02 | 0x80 | 0x40, 'nopass', utf8String('user'))));

  it('[MQTT-3.1.3-11][MQTT-1.5.3-1] a user name that is not well-formed UTF-8', () =>
    expectConnectRejected(connectWithFlags(0x02 | 0x80, 'baduser', utf8String(Buffer.from([0x75, 0xfe])))));

  it('[MQTT-3.1.3-10][MQTT-1.5.3-1] a Will Topic that is not well-formed UTF-8', () =>
    expectConnectRejected(connectWithWill('badwill', Buffer.from([0x77, 0xc3]), 0)));

  it('[MQTT-1.5.3-2] a client id holding U+0000', () =>
    expectConnectRejected(rawConnect({ protocolVersion: 4, clientId: Buffer.from([0x61, 0x00]) })));
});

describe('session state, DUP and acknowledgement flows across reconnects', () => {
  it('[MQTT-3.3.1-1] messages queued for an offline session are a first delivery: DUP 0', async () => {
    await using broker = await startBroker();
    await queueForOfflineSession(
      broker.port,
      4,
      'dup0-offline',
      { filter: 'dup0/#', qos: 2 },
      { topic: 'dup0/a', payload: '1', qos: 1, packetId: 1 },
    );
    await using again = await connect(broker.port, 4, 'dup0-offline', { clean: false });
    const p = await nextPublish(again, 4);
    expect([text(p), p.dup]).toEqual(['1', false]);
  });

  it('[MQTT-3.3.1-1][MQTT-4.6.0-1] on reconnect, in-flight messages are resent with DUP 1, and messages never sent yet go out with DUP 0, in order', async () => {
    await using broker = await startBroker({ limits: { maximumInflight: 2 } });
    const a = await subscriber(broker.port, 4, 'window', [{ filter: 'win/#', qos: 1 }], { clean: false });
    await using pub = await connect(broker.port, 4, 'window-pub');
    for (let i = 1; i <= 4; i++) {
      await publishAndComplete(pub, 4, { topic: 'win/t', payload: `m${i}`, qos: 1, packetId: i });
    }
    const first = [await nextPublish(a, 4), await nextPublish(a, 4)];
    expect(first.map((p) => [text(p), p.dup])).toEqual([
      ['m1', false],
      ['m2', false],
    ]);
    await dropConnection(a);
    await using again = await connect(broker.port, 4, 'window', { clean: false });
    const got: [string, boolean][] = [];
    while (got.length < 4) {
      const p = await nextPublish(again, 4);
      got.push([text(p), p.dup]);
      await again.send(rawPuback(p.packetId!, 4));
    }
    expect(got).toEqual([
      ['m1', true],
      ['m2', true],
      ['m3', false],
      ['m4', false],
    ]);
  });

  it('[MQTT-4.4.0-1][MQTT-4.3.3-2] an inbound QoS 2 PUBLISH resent after reconnect (before PUBREL) is acknowledged with PUBREC and not delivered twice', async () => {
    await using broker = await startBroker();
    await using watch = await subscriber(broker.port, 4, 'in2-watch', [{ filter: 'in2/#', qos: 0 }]);
    const pub = await connect(broker.port, 4, 'in2-pub', { clean: false });
    await pub.send(rawPublish({ topic: 'in2/a', payload: 'once', qos: 2, packetId: 9 }, 4));
    await pub.expectFrame({ type: T.PUBREC });
    await dropConnection(pub); // no PUBREL
    await using again = await connect(broker.port, 4, 'in2-pub', { clean: false });
    expect(again.connack.flags).toBe(1);
    await again.send(rawPublish({ topic: 'in2/a', payload: 'once', qos: 2, packetId: 9, dup: true }, 4));
    expect(parseAck(await again.expectFrame({ type: T.PUBREC }), 4).packetId).toBe(9);
    await again.send(rawPubrel(9, 4));
    expect(parseAck(await again.expectFrame({ type: T.PUBCOMP }), 4).packetId).toBe(9);
    await again.send(rawPublish({ topic: 'in2/marker', payload: 'end', qos: 0 }, 4));
    const seen = [text(await nextPublish(watch, 4)), text(await nextPublish(watch, 4))];
    expect(seen).toEqual(['once', 'end']);
  });

  it('[MQTT-4.3.3-2] after PUBCOMP the packet id is free: a new QoS 2 PUBLISH reusing it is a new message', async () => {
    await using broker = await startBroker();
    await using watch = await subscriber(broker.port, 4, 'reuse-watch', [{ filter: 'reuse/#', qos: 0 }]);
    await using pub = await connect(broker.port, 4, 'reuse-pub');
    for (const payload of ['first', 'second']) {
      await publishAndComplete(pub, 4, { topic: 'reuse/a', payload, qos: 2, packetId: 3 });
    }
    expect([text(await nextPublish(watch, 4)), text(await nextPublish(watch, 4))]).toEqual([
      'first',
      'second',
    ]);
  });

  it('[MQTT-3.2.2-2] a persistent session with no subscriptions still exists: Session Present 1', async () => {
    await using broker = await startBroker();
    const a = await connect(broker.port, 4, 'empty-persistent', { clean: false });
    await disconnect(a, 4);
    await using again = await connect(broker.port, 4, 'empty-persistent', { clean: false });
    expect(again.connack.flags).toBe(1);
  });

  it('[MQTT-3.1.4-2][MQTT-3.2.2-2][MQTT-4.4.0-1] taking over a live persistent session: Session Present 1 and its in-flight message resent', async () => {
    await using broker = await startBroker();
    await using old = await subscriber(broker.port, 4, 'live-takeover', [{ filter: 'lt/#', qos: 1 }], {
      clean: false,
    });
    await using pub = await connect(broker.port, 4, 'lt-pub');
    await publishAndComplete(pub, 4, { topic: 'lt/a', payload: 'inflight', qos: 1, packetId: 1 });
    const p = await nextPublish(old, 4);
    await using fresh = await connect(broker.port, 4, 'live-takeover', { clean: false });
    expect(fresh.connack.flags).toBe(1);
    await old.expectClose(CLOSE_MS);
    const r = await nextPublish(fresh, 4);
    expect([text(r), r.dup, r.packetId]).toEqual(['inflight', true, p.packetId]);
  });

  it('[MQTT-3.10.4-3] an UNSUBSCRIBE does not abort a QoS 2 delivery already started: PUBREC still gets PUBREL', async () => {
    await using broker = await startBroker();
    await using c = await subscriber(broker.port, 4, 'unsub-inflight', [{ filter: 'ui/#', qos: 2 }]);
    await using pub = await connect(broker.port, 4, 'ui-pub');
    await pub.send(rawPublish({ topic: 'ui/a', payload: 'started', qos: 2, packetId: 1 }, 4));
    await pub.expectFrame({ type: T.PUBREC });
    const p = await nextPublish(c, 4);
    await unsubscribe(c, 4, 2, ['ui/#']);
    await c.send(rawPubrec(p.packetId!, 4));
    expect(parseAck(await c.expectFrame({ type: T.PUBREL }), 4).packetId).toBe(p.packetId);
    await c.send(rawPubcomp(p.packetId!, 4));
  });

  it('[MQTT-3.10.4-3] an in-flight QoS 1 message is still resent on reconnect after its subscription was removed', async () => {
    await using broker = await startBroker();
    const c = await subscriber(broker.port, 4, 'unsub-resend', [{ filter: 'ur/#', qos: 1 }], {
      clean: false,
    });
    await using pub = await connect(broker.port, 4, 'ur-pub');
    await publishAndComplete(pub, 4, { topic: 'ur/a', payload: 'started', qos: 1, packetId: 1 });
    const p = await nextPublish(c, 4);
    await unsubscribe(c, 4, 2, ['ur/#']);
    await dropConnection(c);
    await using again = await connect(broker.port, 4, 'unsub-resend', { clean: false });
    const r = await nextPublish(again, 4);
    expect([text(r), r.dup, r.packetId]).toEqual(['started', true, p.packetId]);
  });
});

describe('subscribe / unsubscribe details', () => {
  it('[MQTT-3.10.4-1] UNSUBSCRIBE compares filters character by character: "a/b" does not remove "a/+"', async () => {
    await using broker = await startBroker();
    await using c = await subscriber(broker.port, 4, 'charcmp', [{ filter: 'cc/+', qos: 0 }]);
    await unsubscribe(c, 4, 5, ['cc/b']);
    await c.send(rawPublish({ topic: 'cc/b', payload: 'still', qos: 0 }, 4));
    expect(text(await nextPublish(c, 4))).toBe('still');
  });

  it('[MQTT-3.8.4-4][MQTT-3.8.4-3] one SUBSCRIBE naming a filter twice acts as two SUBSCRIBEs: two codes, the second replaces the first', async () => {
    await using broker = await startBroker();
    await using c = await connect(broker.port, 4, 'twice-filter');
    expect(
      await subscribe(c, 4, [
        { filter: 'tf/a', qos: 2 },
        { filter: 'tf/a', qos: 0 },
      ]),
    ).toEqual([2, 0]);
    await c.send(rawPublish({ topic: 'tf/a', payload: 'x', qos: 1, packetId: 4 }, 4));
    const frames: string[] = [];
    for (;;) {
      const f = await c.expectFrame();
      if (f.type === T.PUBLISH) {
        const p = parsePublish(f, 4);
        frames.push(`PUBLISH q${p.qos}`);
      } else frames.push(packetName(f.type));
      if (frames.includes('PUBACK') && frames.some((x) => x.startsWith('PUBLISH'))) break;
    }
    expect(frames.filter((x) => x.startsWith('PUBLISH'))).toEqual(['PUBLISH q0']);
    await syncAndExpectNoPublishPending(c);
  });

  it('[MQTT-4.7.3-4][MQTT-1.5.3-3] topics are matched without normalisation: case, spaces and a U+FEFF are kept', async () => {
    await using broker = await startBroker();
    await using c = await connect(broker.port, 4, 'nonorm');
    const bom = '\uFEFFbom';
    await subscribe(c, 4, [
      { filter: 'ACCOUNTS', qos: 0 },
      { filter: 'Topic A/+', qos: 0 },
      { filter: bom, qos: 0 },
    ]);
    for (const topic of ['Accounts', 'ACCOUNTS', 'Topic A/x', 'TopicA/x', 'bom', bom]) {
      await c.send(rawPublish({ topic, payload: topic, qos: 0 }, 4));
    }
    const got = [await nextPublish(c, 4), await nextPublish(c, 4), await nextPublish(c, 4)];
    expect(got.map((p) => p.topic)).toEqual(['ACCOUNTS', 'Topic A/x', bom]);
    await syncAndExpectNoPublishPending(c);
  });

  it('[MQTT-4.7.1-3] "+" matches an empty level and "a/#" matches "a/" and "a"', async () => {
    await using broker = await startBroker();
    await using c = await subscriber(broker.port, 4, 'empty-levels', [
      { filter: 'e/+/x', qos: 0 },
      { filter: 'f/#', qos: 0 },
    ]);
    for (const topic of ['e//x', 'f/', 'f', 'e/x'])
      await c.send(rawPublish({ topic, payload: topic, qos: 0 }, 4));
    await c.send(rawPublish({ topic: 'f/end', payload: 'end', qos: 0 }, 4));
    const got: string[] = [];
    for (;;) {
      const p = await nextPublish(c, 4);
      if (p.topic === 'f/end') break;
      got.push(p.topic);
    }
    expect(got).toEqual(['e//x', 'f/', 'f']);
  });

  it('[MQTT-3.3.5-2] a PUBLISH the broker does not authorise gets the normal positive acknowledgements (or a close)', async () => {
    const denyAll: Hook = { id: 'deny-publish', authorizePublish: () => 'deny' };
    await using broker = await startBroker({ hooks: [denyAll] });
    await using c = await connect(broker.port, 4, 'denied');
    await c.send(rawPublish({ topic: 'denied/1', payload: 'x', qos: 1, packetId: 1 }, 4));
    expect(parseAck(await c.expectFrame({ type: T.PUBACK }), 4).packetId).toBe(1);
    await c.send(rawPublish({ topic: 'denied/2', payload: 'x', qos: 2, packetId: 2 }, 4));
    expect(parseAck(await c.expectFrame({ type: T.PUBREC }), 4).packetId).toBe(2);
    await c.send(rawPubrel(2, 4));
    expect(parseAck(await c.expectFrame({ type: T.PUBCOMP }), 4).packetId).toBe(2);
  });

  it('[MQTT-3.3.1-3] the DUP flag of an incoming QoS 1 PUBLISH is not propagated to a QoS 0 subscriber', async () => {
    await using broker = await startBroker();
    await using sub = await subscriber(broker.port, 4, 'dup-q0-sub', [{ filter: 'dq0', qos: 0 }]);
    await using pub = await connect(broker.port, 4, 'dup-q0-pub');
    await pub.send(rawPublish({ topic: 'dq0', payload: 'd', qos: 1, packetId: 1, dup: true }, 4));
    const p = await nextPublish(sub, 4);
    expect([p.qos, p.dup]).toEqual([0, false]);
  });
});

describe('client ids, keepalive and payload sizes', () => {
  it('[MQTT-3.1.3-5] the Paho client ids are accepted in 3.1.1, including one longer than 23 characters', async () => {
    await using broker = await startBroker();
    for (const id of [
      'normal',
      '23 characters4567890123',
      'A clientid that is longer than 23 chars - should work in 3.1.1',
    ]) {
      await using c = await connect(broker.port, 4, id);
      expect(c.connack.code).toBe(0);
    }
  });

  it('[MQTT 3.1 §3.1 Keep Alive timer] a silent 3.1 client is disconnected after 1.5 x Keep Alive', async () => {
    await using broker = await startBroker();
    const started = Date.now();
    await using client = await rawOpen(broker.port, {
      protocolVersion: 3,
      clientId: 'v31-silent',
      keepAlive: 1,
    });
    await client.expectClose(3000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('[MQTT-3.3.4-1] the Paho payloads (empty, 1, 3 and 2048 bytes) round-trip at QoS 2', async () => {
    await using broker = await startBroker();
    await using c = await subscriber(broker.port, 4, 'payloads', [{ filter: 'pl', qos: 2 }]);
    const payloads = ['', '1', '333', 'long'.repeat(512)];
    let id = 1;
    for (const payload of payloads) {
      await c.send(rawPublish({ topic: 'pl', payload, qos: 2, packetId: id++ }, 4));
    }
    const got: string[] = [];
    while (got.length < payloads.length) {
      const f = await c.expectFrame();
      if (f.type === T.PUBREC) await c.send(rawPubrel(parseAck(f, 4).packetId, 4));
      else if (f.type === T.PUBLISH) {
        const p = parsePublish(f, 4);
        got.push(text(p));
        await c.send(rawPubrec(p.packetId!, 4));
      } else if (f.type === T.PUBREL) await c.send(rawPubcomp(parseAck(f, 4).packetId, 4));
    }
    expect(got).toEqual(payloads);
  });

  it("[MQTT-3.1.2-8][MQTT-3.1.2-6] a clean-session takeover of a persistent session publishes the old connection's will and discards the session", async () => {
    await using broker = await startBroker();
    await using watch = await subscriber(broker.port, 4, 'ct-watch', [{ filter: 'wills/ct', qos: 0 }]);
    const old = await rawOpen(broker.port, {
      protocolVersion: 4,
      clientId: 'ct',
      clean: false,
      will: { topic: 'wills/ct', payload: 'replaced', qos: 0, retain: false },
    });
    await subscribe(old, 4, [{ filter: 'ct/#', qos: 1 }]);
    await using fresh = await connect(broker.port, 4, 'ct', { clean: true });
    expect(fresh.connack.flags).toBe(0);
    await old.expectClose(CLOSE_MS);
    expect(text(await nextPublish(watch, 4))).toBe('replaced');
    await fresh.send(rawPublish({ topic: 'ct/x', payload: 'no sub', qos: 0 }, 4));
    expect(await allPublishesAfterSync(fresh, 4)).toEqual([]);
  });
});

describe('MQTT 3.1 retries: PUBREL, SUBSCRIBE and UNSUBSCRIBE may carry DUP (3.1 sections 2.1 "DUP" and 4.2)', () => {
  // 3.1 sends these three "at QoS 1" (fixed-header flags 0010) and, on a retry, with the DUP flag set
  // (flags 1010). 3.1.1 made those bits reserved; a 3.1 connection must still accept the retry.

  it('[MQTT 3.1 §4.2] a retried SUBSCRIBE (flags 1010) is answered with SUBACK', async () => {
    await using broker = await startBroker();
    await using c = await connect(broker.port, 3, 'v31-sub-dup');
    await c.send(withDup(rawSubscribe(11, [{ filter: 'v31dup/#', qos: 1 }], 3)));
    const suback = parseSuback(await c.expectFrame({ type: T.SUBACK, timeoutMs: CLOSE_MS }), 3);
    expect(suback).toMatchObject({ packetId: 11, codes: [1] });
  });

  it('[MQTT 3.1 §4.2] a retried UNSUBSCRIBE (flags 1010) is answered with UNSUBACK', async () => {
    await using broker = await startBroker();
    await using c = await subscriber(broker.port, 3, 'v31-unsub-dup', [{ filter: 'v31dup/#', qos: 1 }]);
    await c.send(withDup(rawUnsubscribe(12, ['v31dup/#'], 3)));
    expect(parseUnsuback(await c.expectFrame({ type: T.UNSUBACK, timeoutMs: CLOSE_MS }), 3).packetId).toBe(
      12,
    );
  });

  it('[MQTT 3.1 §4.2] a retried PUBREL (flags 1010) is answered with PUBCOMP', async () => {
    await using broker = await startBroker();
    await using c = await connect(broker.port, 3, 'v31-pubrel-dup');
    await c.send(rawPublish({ topic: 'v31dup/q2', payload: 'x', qos: 2, packetId: 13 }, 3));
    await c.expectFrame({ type: T.PUBREC });
    await c.send(withDup(rawPubrel(13, 3)));
    expect(parseAck(await c.expectFrame({ type: T.PUBCOMP, timeoutMs: CLOSE_MS }), 3).packetId).toBe(13);
  });
});

describe('keepalive grace', () => {
  it('[MQTT-3.1.2-24] a packet after 1 x but within 1.5 x Keep Alive keeps the connection open', async () => {
    await using broker = await startBroker();
    await using client = await rawOpen(broker.port, {
      protocolVersion: 4,
      clientId: 'late-ping',
      keepAlive: 1,
    });
    await delay(1250);
    expect(client.isClosed).toBe(false);
    await client.send(rawPingreq());
    await client.expectFrame({ type: T.PINGRESP, timeoutMs: 1000 });
  });
});
