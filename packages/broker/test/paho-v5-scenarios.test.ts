/**
 * The scenarios of the Eclipse Paho interoperability suite's MQTT 5.0 client test
 * (eclipse/paho.mqtt.testing, interoperability/client_test5.py), written afresh against our broker: the
 * same situations, asserted as the MQTT 5.0 specification words them (where Paho checks something the
 * specification leaves to the server, such as whether the server uses topic aliases, the test checks
 * only what the specification requires). Paho's topic set is kept: TopicA, TopicA/B, Topic/C, TopicA/C,
 * /TopicA, and the filters TopicA/+, +/C, #, /#, /+, +/+, TopicA/#. Anything that depends on broker
 * configuration in Paho (a topic nobody may subscribe to, a Server Keep Alive of 60, a small server
 * Maximum Packet Size or Receive Maximum) is configured here through the broker's options and hooks.
 *
 * Byte-level checks use testkit's raw client (independent of the codec); the basic round trip and the
 * request / response exchange use MQTT.js. Every wait is bounded; timed scenarios use intervals of 1-3 s.
 */
import {
  type ParsedAck,
  type ParsedConnack,
  type ParsedDisconnect,
  type ParsedProperty,
  type ParsedPublish,
  type ParsedSuback,
  parseAck,
  parseConnack,
  parseDisconnect,
  parsePublish,
  parseSuback,
  parseUnsuback,
  propertyValues,
  RawClient,
  type RawFrame,
  type RawProperty,
  type RawPublishOptions,
  type RawSubscription,
  type RawWill,
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
} from '@mqttkit/testkit';
import mqtt, { type IClientOptions, type IConnackPacket, type IPublishPacket, type MqttClient } from 'mqtt';
import { describe, expect, it } from 'vitest';
import type { BrokerOptions, Hook } from '../src/index.js';
import { type BrokerFixture, startBroker } from './fixtures.js';
import { delay, propertyOf } from './lifecycle-helpers.js';
import { expectInRange, mqttjsPublishQos012 } from './raw-helpers.js';

// ─── Paho's data set ────────────────────────────────────────────────────────────────────────────

const TOPICS = ['TopicA', 'TopicA/B', 'Topic/C', 'TopicA/C', '/TopicA'] as const;
const WILDTOPICS = ['TopicA/+', '+/C', '#', '/#', '/+', '+/+', 'TopicA/#'] as const;
const NOSUBSCRIBE = 'test/nosubscribe';

// ─── MQTT 5.0 property identifiers (section 2.2.2.2) ───────────────────────────────────────────

const PAYLOAD_FORMAT = 0x01;
const MESSAGE_EXPIRY = 0x02;
const CONTENT_TYPE = 0x03;
const RESPONSE_TOPIC = 0x08;
const CORRELATION_DATA = 0x09;
const SUBSCRIPTION_ID = 0x0b;
const SESSION_EXPIRY = 0x11;
const ASSIGNED_CLIENT_ID = 0x12;
const SERVER_KEEP_ALIVE = 0x13;
const WILL_DELAY = 0x18;
const RECEIVE_MAXIMUM = 0x21;
const TOPIC_ALIAS_MAXIMUM = 0x22;
const TOPIC_ALIAS = 0x23;
const USER_PROPERTY = 0x26;
const MAXIMUM_PACKET_SIZE = 0x27;

/** Reason codes a SUBACK may use for a refused filter (section 3.9.3). */
const SUBACK_FAILURES = [0x80, 0x83, 0x87, 0x8f, 0x91, 0x97, 0x9e, 0xa1, 0xa2];

// ─── A raw v5 client that keeps reading: records what arrives and completes QoS flows ───────────

interface Seen {
  publishes: ParsedPublish[];
  /** PUBACK, PUBREC, PUBREL, PUBCOMP in arrival order, with their packet type. */
  acks: { type: number; ack: ParsedAck }[];
  subacks: ParsedSuback[];
  unsubacks: ParsedSuback[];
  pingresps: number;
  disconnect: ParsedDisconnect | undefined;
  closed: boolean;
}

interface PeerConnect {
  clean?: boolean;
  keepAlive?: number;
  properties?: readonly RawProperty[];
  will?: RawWill;
}

/**
 * One raw MQTT 5.0 client. Frames are read only inside `until` / `quiet`, in arrival order. With
 * `autoAck` (default) an incoming QoS 1 PUBLISH gets PUBACK, a QoS 2 one PUBREC, and the broker's PUBREL
 * PUBCOMP; with `autoRelease` (default) the client answers a PUBREC for its own QoS 2 PUBLISH with PUBREL.
 */
class Peer implements AsyncDisposable {
  readonly seen: Seen = {
    publishes: [],
    acks: [],
    subacks: [],
    unsubacks: [],
    pingresps: 0,
    disconnect: undefined,
    closed: false,
  };
  autoAck = true;
  autoRelease = true;
  private nextId = 1;

  readonly raw: RawClient;
  readonly connack: ParsedConnack;
  /** When the CONNACK arrived (ms). */
  readonly connectedAt: number;

  private constructor(raw: RawClient, connack: ParsedConnack, connectedAt: number) {
    this.raw = raw;
    this.connack = connack;
    this.connectedAt = connectedAt;
  }

  static async connect(port: number, clientId: string, options: PeerConnect = {}): Promise<Peer> {
    const raw = await RawClient.connect(port, { label: `peer ${JSON.stringify(clientId)}` });
    await raw.send(
      rawConnect({
        protocolVersion: 5,
        clientId,
        clean: options.clean ?? true,
        keepAlive: options.keepAlive ?? 60,
        ...(options.properties === undefined ? {} : { properties: options.properties }),
        ...(options.will === undefined ? {} : { will: options.will }),
      }),
    );
    const connack = parseConnack(await raw.expectFrame({ type: 2 }), 5);
    return new Peer(raw, connack, Date.now());
  }

  /** Connects and requires CONNACK 0x00. */
  static async open(port: number, clientId: string, options: PeerConnect = {}): Promise<Peer> {
    const peer = await Peer.connect(port, clientId, options);
    if (peer.connack.code !== 0) {
      await peer.raw[Symbol.asyncDispose]();
      throw new Error(`${clientId}: CONNACK 0x${peer.connack.code.toString(16)}`);
    }
    return peer;
  }

  private fire(bytes: Uint8Array): void {
    this.raw.send(bytes).catch(() => {});
  }

  private handle(frame: RawFrame): void {
    switch (frame.type) {
      case 3: {
        const publish = parsePublish(frame, 5);
        this.seen.publishes.push(publish);
        if (this.autoAck && publish.qos === 1) this.fire(rawPuback(publish.packetId!, 5));
        if (this.autoAck && publish.qos === 2) this.fire(rawPubrec(publish.packetId!, 5));
        return;
      }
      case 4:
      case 5:
      case 6:
      case 7: {
        const ack = parseAck(frame, 5);
        this.seen.acks.push({ type: frame.type, ack });
        if (frame.type === 5 && this.autoRelease && ack.reasonCode < 0x80)
          this.fire(rawPubrel(ack.packetId, 5));
        if (frame.type === 6 && this.autoAck) this.fire(rawPubcomp(ack.packetId, 5));
        return;
      }
      case 9:
        this.seen.subacks.push(parseSuback(frame, 5));
        return;
      case 11:
        this.seen.unsubacks.push(parseUnsuback(frame, 5));
        return;
      case 13:
        this.seen.pingresps++;
        return;
      case 14:
        this.seen.disconnect = parseDisconnect(frame, 5);
        return;
      default:
        throw new Error(`${this.raw.label}: unexpected packet type ${frame.type}`);
    }
  }

  private summary(): string {
    const s = this.seen;
    return `publishes=${JSON.stringify(s.publishes.map((p) => [p.topic, p.qos, p.payload.toString()]))} acks=${JSON.stringify(
      s.acks.map((a) => [a.type, a.ack.packetId, a.ack.reasonCode]),
    )} disconnect=${s.disconnect?.reasonCode} closed=${s.closed}`;
  }

  /**
   * The next frame within `timeoutMs`; undefined if the connection closed (noted in `seen`) or the wait
   * ran out at or after `giveUpAt`. Any other failure is thrown.
   */
  private async nextFrame(timeoutMs: number, giveUpAt: number): Promise<RawFrame | undefined> {
    try {
      return await this.raw.expectFrame({ timeoutMs });
    } catch (error) {
      if (this.raw.isClosed) {
        this.seen.closed = true;
        return undefined;
      }
      if (Date.now() >= giveUpAt) return undefined;
      throw error;
    }
  }

  /** Reads frames until `condition` holds; fails after `timeoutMs` naming what was seen. */
  async until(condition: (seen: Seen) => boolean, what: string, timeoutMs = 3000): Promise<Seen> {
    const deadline = Date.now() + timeoutMs;
    while (!condition(this.seen)) {
      const left = deadline - Date.now();
      if (left <= 0 || this.seen.closed) {
        throw new Error(`${this.raw.label}: no ${what} within ${timeoutMs} ms; ${this.summary()}`);
      }
      const frame = await this.nextFrame(left, deadline);
      if (frame !== undefined) this.handle(frame);
    }
    return this.seen;
  }

  /** Reads frames until at least `count` PUBLISHes have arrived in all. */
  untilPublishes(count: number, what: string, timeoutMs?: number): Promise<Seen> {
    return this.until((s) => s.publishes.length >= count, what, timeoutMs);
  }

  /** Reads frames until the broker sends DISCONNECT or closes the connection. */
  untilDisconnectOrClose(what = 'DISCONNECT'): Promise<Seen> {
    return this.until((s) => s.disconnect !== undefined || s.closed, what);
  }

  /** Reads (and handles) whatever arrives for `ms`, then returns; stops early if the connection closes. */
  async quiet(ms: number): Promise<Seen> {
    const deadline = Date.now() + ms;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) return this.seen;
      const frame = await this.nextFrame(left, deadline - 5);
      if (frame === undefined) return this.seen;
      this.handle(frame);
    }
  }

  private packetId(): number {
    const id = this.nextId;
    this.nextId = (this.nextId % 65_535) + 1;
    return id;
  }

  /** PUBLISH and, for QoS 1/2, wait for the end of the flow; returns the PUBACK / PUBREC / PUBCOMP code. */
  async publish(options: Omit<RawPublishOptions, 'packetId'>): Promise<number | undefined> {
    const qos = options.qos ?? 0;
    const packetId = qos > 0 ? this.packetId() : undefined;
    await this.raw.send(rawPublish({ ...options, ...(packetId === undefined ? {} : { packetId }) }, 5));
    if (packetId === undefined) return undefined;
    const done = (s: Seen) =>
      s.acks.find(
        ({ type, ack }) =>
          ack.packetId === packetId &&
          ((qos === 1 && type === 4) ||
            (qos === 2 && (type === 7 || (type === 5 && ack.reasonCode >= 0x80)))),
      );
    await this.until((s) => done(s) !== undefined, `end of the QoS ${qos} flow for packet ${packetId}`);
    const result = done(this.seen)!;
    // For QoS 2 the interesting code is the PUBREC's.
    if (qos === 2) {
      const pubrec = this.seen.acks.find(({ type, ack }) => type === 5 && ack.packetId === packetId);
      return pubrec?.ack.reasonCode;
    }
    return result.ack.reasonCode;
  }

  async subscribe(
    subscriptions: readonly RawSubscription[],
    properties?: readonly RawProperty[],
  ): Promise<number[]> {
    const packetId = this.packetId();
    await this.raw.send(rawSubscribe(packetId, subscriptions, 5, properties));
    await this.until((s) => s.subacks.some((a) => a.packetId === packetId), `SUBACK ${packetId}`);
    return this.seen.subacks.find((a) => a.packetId === packetId)!.codes;
  }

  async unsubscribe(filters: readonly string[]): Promise<number[]> {
    const packetId = this.packetId();
    await this.raw.send(rawUnsubscribe(packetId, filters, 5));
    await this.until((s) => s.unsubacks.some((a) => a.packetId === packetId), `UNSUBACK ${packetId}`);
    return this.seen.unsubacks.find((a) => a.packetId === packetId)!.codes;
  }

  /** PINGREQ round trip: the broker has handled everything sent before it. */
  async sync(): Promise<void> {
    const before = this.seen.pingresps;
    await this.raw.send(rawPingreq());
    await this.until((s) => s.pingresps > before, 'PINGRESP');
  }

  /** Normal DISCONNECT (optionally with properties), then wait for the broker to close. */
  async disconnect(properties?: readonly RawProperty[]): Promise<void> {
    await this.raw.send(properties === undefined ? rawDisconnect(5) : rawDisconnect(5, 0, properties));
    await this.raw.expectClose(3000);
    this.seen.closed = true;
  }

  /** Forget what was seen so far (Paho's `callback.clear()`). */
  clear(): void {
    this.seen.publishes.length = 0;
    this.seen.acks.length = 0;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.raw[Symbol.asyncDispose]();
  }
}

/** A broker for one test. */
function broker(options: BrokerOptions = {}): Promise<BrokerFixture> {
  return startBroker(options);
}

/** An MQTT.js v5 client that never reconnects by itself, with the CONNACK it got. */
async function mqttjs(
  url: string,
  clientId: string,
  extra: IClientOptions = {},
): Promise<{ client: MqttClient; connack: IConnackPacket }> {
  const client = mqtt.connect(url, {
    protocolVersion: 5,
    clientId,
    reconnectPeriod: 0,
    connectTimeout: 5000,
    ...extra,
  });
  const connack = await new Promise<IConnackPacket>((resolve, reject) => {
    client.once('connect', resolve);
    client.once('error', (error) => {
      client.end(true);
      reject(error);
    });
  });
  return { client, connack };
}

/** Collects MQTT.js messages until `count` have arrived (bounded). */
function mqttjsMessages(client: MqttClient, count: number, timeoutMs = 3000): Promise<IPublishPacket[]> {
  const got: IPublishPacket[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('message', onMessage);
      reject(new Error(`only ${got.length} of ${count} messages within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (_topic: string, _payload: Buffer, packet: IPublishPacket) => {
      got.push(packet);
      if (got.length === count) {
        clearTimeout(timer);
        client.off('message', onMessage);
        resolve(got);
      }
    };
    client.on('message', onMessage);
  });
}

const USER_PROPS: RawProperty[] = [
  [USER_PROPERTY, ['a', '2']],
  [USER_PROPERTY, ['c', '3']],
];

/** Requires exactly Paho's two User Properties (USER_PROPS), in their order. */
function expectPahoUserProperties(properties: readonly ParsedProperty[]): void {
  expect(propertyValues(properties, USER_PROPERTY)).toEqual([
    ['a', '2'],
    ['c', '3'],
  ]);
}

/** Opens `clientId` subscribed to `filter` at QoS 2, the QoS Paho's tests subscribe with. */
async function subscribedPeer(
  port: number,
  clientId: string,
  filter: RawSubscription['filter'],
  options: PeerConnect = {},
): Promise<Peer> {
  const peer = await Peer.open(port, clientId, options);
  await peer.subscribe([{ filter, qos: 2 }]);
  return peer;
}

/** Reconnects `clientId` with Clean Start 0 (and `properties`, if given) to take up its session again. */
function resume(port: number, clientId: string, properties?: readonly RawProperty[]): Promise<Peer> {
  return Peer.open(
    port,
    clientId,
    properties === undefined ? { clean: false } : { clean: false, properties },
  );
}

/** Listens for 300 ms and requires that no PUBLISH has been seen at all (since the last `clear`). */
async function expectNoPublishes(peer: Peer): Promise<void> {
  expect((await peer.quiet(300)).publishes).toEqual([]);
}

/**
 * Paho's three publications from `peer`: "qos 0", "qos 1" and "qos 2" at that QoS on TopicA/B, Topic/C
 * and TopicA/C (all matched by +/+), with `extra` options.
 */
async function publishQos012(peer: Peer, extra: Pick<RawPublishOptions, 'retain' | 'properties'> = {}) {
  for (const [qos, topic] of [TOPICS[1], TOPICS[2], TOPICS[3]].entries()) {
    await peer.publish({ topic, payload: `qos ${qos}`, qos, ...extra });
  }
}

/** Publishes `payload` to TopicA at QoS 0, 1 and 2 (with `properties`, if given); waits for 3 deliveries. */
async function roundTripAtEachQos(peer: Peer, payload: string, properties?: readonly RawProperty[]) {
  for (const qos of [0, 1, 2]) {
    await peer.publish(
      properties === undefined
        ? { topic: TOPICS[0], payload, qos }
        : { topic: TOPICS[0], payload, qos, properties },
    );
  }
  return peer.untilPublishes(3, '3 messages');
}

/**
 * The topic `p` stands for on its connection: its Topic Name, recorded under its Topic Alias if it has
 * one; for an empty name, what `aliases` holds for the alias (`unmapped` if nothing).
 */
function topicThroughAlias(p: ParsedPublish, aliases: Map<number, string>, unmapped: string): string {
  const alias = propertyOf(p.properties, TOPIC_ALIAS) as number | undefined;
  if (alias === undefined) return p.topic;
  if (p.topic === '') return aliases.get(alias) ?? unmapped;
  aliases.set(alias, p.topic);
  return p.topic;
}

/**
 * Paho's terminate(): with `myclientid2` watching the will's topic, connects `myclientid` (Session Expiry
 * `sessionExpiry`) with `will` and drops it without DISCONNECT. Returns the will as published to the
 * watcher, the dropped client and how long after the drop the will arrived (ms).
 */
async function dropAndAwaitWill(port: number, sessionExpiry: number, will: RawWill, timeoutMs: number) {
  await using watcher = await subscribedPeer(port, 'myclientid2', will.topic);
  const dropped = await Peer.open(port, 'myclientid', {
    properties: [[SESSION_EXPIRY, sessionExpiry]],
    will,
  });
  dropped.raw.destroy();
  const start = Date.now();
  const seen = await watcher.untilPublishes(1, 'the will message', timeoutMs);
  return { dropped, published: seen.publishes[0]!, elapsed: Date.now() - start };
}

// ─── test_basic ─────────────────────────────────────────────────────────────────────────────────

describe('Paho test_basic', () => {
  it('[MQTT-3.1.4-5] [MQTT-3.8.4-8] connect, disconnect, reconnect (CONNACK Success); QoS 0/1/2 round trip on a QoS 2 subscription (MQTT.js)', async () => {
    await using b = await broker();
    const first = await mqttjs(b.url, 'myclientid');
    await first.client.endAsync();
    const { client, connack } = await mqttjs(b.url, 'myclientid');
    try {
      expect(connack.reasonCode ?? 0).toBe(0);
      await client.subscribeAsync(TOPICS[0], { qos: 2 });
      const messages = mqttjsMessages(client, 3);
      await mqttjsPublishQos012(client, TOPICS[0]);
      const got = await messages;
      expect(got.map((m) => [m.payload.toString(), m.qos]).sort()).toEqual([
        ['qos 0', 0],
        ['qos 1', 1],
        ['qos 2', 2],
      ]);
    } finally {
      await client.endAsync();
    }
  });

  it('[MQTT-3.1.0-2] a second CONNECT on the same connection is a Protocol Error: the connection is closed (DISCONNECT 0x82 if any)', async () => {
    await using b = await broker();
    await using peer = await Peer.open(b.port, 'myclientid');
    await peer.raw.send(rawConnect({ protocolVersion: 5, clientId: 'myclientid' }));
    await peer.raw.expectClose(3000);
    const frames = peer.raw.pending.map((f) => f.type);
    // Nothing but an optional DISCONNECT Protocol Error, certainly no second CONNACK.
    expect(frames.filter((t) => t !== 14)).toEqual([]);
    const disconnect = peer.raw.pending.find((f) => f.type === 14);
    if (disconnect !== undefined) expect(parseDisconnect(disconnect, 5).reasonCode).toBe(0x82);
  });

  it('[MQTT-3.1.2-1] a CONNECT with the wrong Protocol Name ("hj") is not accepted: no CONNACK 0x00, the connection closes', async () => {
    await using b = await broker();
    await using raw = await RawClient.connect(b.port);
    await raw.send(rawConnect({ protocolVersion: 5, clientId: 'myclientid', protocolName: 'hj' }));
    await raw.expectClose(3000);
    const connacks = raw.pending.filter((f) => f.type === 2).map((f) => parseConnack(f, 5).code);
    // A server that reveals itself may answer 0x84 Unsupported Protocol Version, never success.
    for (const code of connacks) expect(code).toBe(0x84);
  });
});

// ─── test_retained_message ──────────────────────────────────────────────────────────────────────

describe('Paho test_retained_message', () => {
  it('[MQTT-3.3.1-5] [MQTT-3.3.2-17] [MQTT-3.3.2-18] retained QoS 0/1/2 messages with User Properties are sent on SUBSCRIBE +/+ with RETAIN 1, properties in order', async () => {
    await using b = await broker();
    await using a = await Peer.open(b.port, 'myclientid');
    await publishQos012(a, { retain: true, properties: USER_PROPS });
    expect(await a.subscribe([{ filter: WILDTOPICS[5], qos: 2 }])).toEqual([2]);
    const seen = await a.untilPublishes(3, '3 retained messages');
    await a.quiet(200);
    expect(seen.publishes).toHaveLength(3);
    for (const p of seen.publishes) {
      expect(p.retain).toBe(true);
      expectPahoUserProperties(p.properties);
    }
    expect(seen.publishes.map((p) => [p.topic, p.qos]).sort()).toEqual(
      [
        [TOPICS[2], 1],
        [TOPICS[1], 0],
        [TOPICS[3], 2],
      ].sort(),
    );
  });

  it('[MQTT-3.3.1-6] [MQTT-3.3.1-7] clearing retained messages (Paho cleanRetained): a zero-byte retained PUBLISH removes each one', async () => {
    await using b = await broker();
    await using a = await Peer.open(b.port, 'myclientid');
    for (const [i, topic] of [TOPICS[1], TOPICS[2], TOPICS[3]].entries()) {
      await a.publish({ topic, payload: `r${i}`, qos: 1, retain: true });
    }
    await using cleaner = await Peer.open(b.port, 'clean retained');
    await cleaner.subscribe([{ filter: '#', qos: 0 }]);
    await cleaner.untilPublishes(3, 'retained messages');
    const topics = (await cleaner.quiet(200)).publishes.map((p) => p.topic);
    expect(topics.sort()).toEqual([TOPICS[1], TOPICS[2], TOPICS[3]].sort());
    for (const topic of topics) await cleaner.publish({ topic, payload: '', qos: 1, retain: true });
    await using late = await subscribedPeer(b.port, 'late', '#');
    await expectNoPublishes(late);
  });
});

// ─── test_will_message ──────────────────────────────────────────────────────────────────────────

describe('Paho test_will_message', () => {
  it('[MQTT-3.1.2-22] [MQTT-3.1.2-8] [MQTT-3.1.3-10] a silent client is cut off after 1.5 × Keep Alive and its will (Will Delay 0, User Properties) is published, properties in order', async () => {
    await using b = await broker();
    await using watcher = await subscribedPeer(b.port, 'myclientid2', TOPICS[2], { clean: false });
    await using a = await Peer.open(b.port, 'myclientid', {
      keepAlive: 1,
      will: {
        topic: TOPICS[2],
        payload: 'will message',
        qos: 0,
        retain: false,
        properties: [[WILL_DELAY, 0], ...USER_PROPS],
      },
    });
    // `a` now says nothing at all.
    const seen = await watcher.untilPublishes(1, 'the will message', 3500);
    const will = seen.publishes[0]!;
    expect([will.topic, will.payload.toString()]).toEqual([TOPICS[2], 'will message']);
    expectPahoUserProperties(will.properties);
    // Will Delay Interval is a will property, not a PUBLISH property.
    expect(propertyOf(will.properties, WILL_DELAY)).toBeUndefined();
    await a.raw.expectClose(1000);
  });
});

// ─── test_zero_length_clientid / test_assigned_clientid ─────────────────────────────────────────

describe('Paho test_zero_length_clientid and test_assigned_clientid', () => {
  it('[MQTT-3.1.3-6] [MQTT-3.1.3-7] [MQTT-3.2.2-16] an empty ClientID is accepted with Clean Start 0 and with Clean Start 1, each time with a unique Assigned Client Identifier', async () => {
    await using b = await broker();
    const ids: string[] = [];
    for (const clean of [false, true]) {
      await using c = await Peer.connect(b.port, '', { clean });
      expect(c.connack.code).toBe(0);
      // A freshly assigned identifier cannot have a session [MQTT-3.2.2-3].
      expect(c.connack.sessionPresent).toBe(false);
      const assigned = propertyOf(c.connack.properties, ASSIGNED_CLIENT_ID);
      expect(typeof assigned).toBe('string');
      expect((assigned as string).length).toBeGreaterThan(0);
      ids.push(assigned as string);
      await c.disconnect();
    }
    expect(ids[0]).not.toBe(ids[1]);
  });

  it('[MQTT-3.1.3-7] the CONNECT is processed as if the Assigned Client Identifier had been sent: its session resumes under that id', async () => {
    await using b = await broker();
    const sei: RawProperty[] = [[SESSION_EXPIRY, 60]];
    const first = await Peer.open(b.port, '', { clean: false, properties: sei });
    const assigned = propertyOf(first.connack.properties, ASSIGNED_CLIENT_ID) as string;
    await first.subscribe([{ filter: TOPICS[0], qos: 1 }]);
    await first.disconnect();
    await using again = await resume(b.port, assigned, sei);
    expect(again.connack.sessionPresent).toBe(true);
    await again.publish({ topic: TOPICS[0], payload: 'resumed', qos: 1 });
    const seen = await again.untilPublishes(1, 'a message on the resumed subscription');
    expect(seen.publishes[0]!.payload.toString()).toBe('resumed');
  });
});

// ─── test_offline_message_queueing ──────────────────────────────────────────────────────────────

describe('Paho test_offline_message_queueing', () => {
  it('[MQTT-3.1.2-5] [MQTT-3.2.2-2] QoS 1 and 2 messages published while a session is offline are delivered when it resumes (QoS 0 optionally)', async () => {
    await using b = await broker();
    const sei: RawProperty[] = [[SESSION_EXPIRY, 99_999]];
    const a1 = await subscribedPeer(b.port, 'myclientid', WILDTOPICS[5], { properties: sei });
    await a1.disconnect();
    await using pub = await Peer.open(b.port, 'myclientid2');
    await publishQos012(pub);
    await pub.sync();
    await using a = await resume(b.port, 'myclientid', sei);
    expect(a.connack.sessionPresent).toBe(true);
    await a.untilPublishes(2, 'queued messages');
    const seen = await a.quiet(400);
    const got = seen.publishes.map((p) => [p.topic, p.payload.toString(), p.qos]);
    expect(got).toContainEqual([TOPICS[2], 'qos 1', 1]);
    expect(got).toContainEqual([TOPICS[3], 'qos 2', 2]);
    expect([2, 3]).toContain(got.length);
  });
});

// ─── test_overlapping_subscriptions ─────────────────────────────────────────────────────────────

describe('Paho test_overlapping_subscriptions', () => {
  it('[MQTT-3.3.4-2] a message matching TopicA/# (QoS 2) and TopicA/+ (QoS 1): one copy at QoS 2, or one copy per subscription at QoS 2 and 1', async () => {
    await using b = await broker();
    await using a = await Peer.open(b.port, 'myclientid');
    expect(
      await a.subscribe([
        { filter: WILDTOPICS[6], qos: 2 },
        { filter: WILDTOPICS[0], qos: 1 },
      ]),
    ).toEqual([2, 1]);
    await a.publish({ topic: TOPICS[3], payload: 'overlapping topic filters', qos: 2 });
    await a.untilPublishes(1, 'the message');
    const qoss = (await a.quiet(400)).publishes.map((p) => p.qos).sort();
    expect([[2], [1, 2]]).toContainEqual(qoss);
  });
});

// ─── test_keepalive / test_server_keep_alive ────────────────────────────────────────────────────

describe('Paho test_keepalive and test_server_keep_alive', () => {
  it('[MQTT-3.1.2-22] [MQTT-3.1.2-8] a client silent for 1.5 × Keep Alive is disconnected and its will published; a Keep Alive 0 client stays connected', async () => {
    await using b = await broker();
    await using watcher = await subscribedPeer(b.port, 'myclientid2', TOPICS[4], { keepAlive: 0 });
    await using a = await Peer.open(b.port, 'myclientid', {
      keepAlive: 1,
      will: { topic: TOPICS[4], payload: 'keepalive expiry', qos: 0, retain: false },
    });
    const seen = await watcher.untilPublishes(1, 'the will message', 3500);
    const elapsed = Date.now() - a.connectedAt;
    expect(seen.publishes[0]!.payload.toString()).toBe('keepalive expiry');
    // Not before one Keep Alive period, and within 1.5 of them (plus scheduling slack on a busy machine).
    expectInRange(elapsed, 950, 2600);
    await a.raw.expectClose(1000);
    // Keep Alive 0 turns the mechanism off (section 3.1.2.10): the watcher is still served.
    await watcher.sync();
  });

  it('[MQTT-3.2.2-21] with a configured maximum of 60 s, Keep Alive 120 gets Server Keep Alive 60 in CONNACK', async () => {
    await using b = await broker({ limits: { maximumKeepAlive: 60 } });
    await using a = await Peer.open(b.port, 'myclientid', { keepAlive: 120 });
    expect(propertyOf(a.connack.properties, SERVER_KEEP_ALIVE)).toBe(60);
  });
});

// ─── test_redelivery_on_reconnect ───────────────────────────────────────────────────────────────

describe('Paho test_redelivery_on_reconnect', () => {
  it('[MQTT-4.4.0-1] [MQTT-3.3.1-1] unacknowledged QoS 1 and 2 PUBLISHes are resent on reconnect with DUP 1 and their Packet Identifiers', async () => {
    await using b = await broker();
    const sei: RawProperty[] = [[SESSION_EXPIRY, 99_999]];
    const first = await subscribedPeer(b.port, 'myclientid2', WILDTOPICS[6], {
      clean: false,
      properties: sei,
    });
    first.autoAck = false; // Paho's pause(): incoming PUBLISHes are not acknowledged
    await first.publish({ topic: TOPICS[1], payload: '', qos: 1 });
    await first.publish({ topic: TOPICS[3], payload: '', qos: 2 });
    const original = (await first.untilPublishes(2, 'both deliveries')).publishes.slice();
    expect(original.map((p) => [p.topic, p.qos, p.dup])).toEqual([
      [TOPICS[1], 1, false],
      [TOPICS[3], 2, false],
    ]);
    await first.disconnect();

    await using again = await resume(b.port, 'myclientid2', sei);
    expect(again.connack.sessionPresent).toBe(true);
    await again.untilPublishes(2, 'both redeliveries');
    const seen = await again.quiet(400);
    expect(seen.publishes.map((p) => [p.topic, p.qos, p.dup, p.packetId])).toEqual(
      original.map((p) => [p.topic, p.qos, true, p.packetId]),
    );
  });

  it('[MQTT-4.4.0-1] a QoS 2 delivery acknowledged with PUBREC but not PUBCOMP gets its PUBREL resent on reconnect, not the PUBLISH', async () => {
    await using b = await broker();
    const sei: RawProperty[] = [[SESSION_EXPIRY, 99_999]];
    const first = await subscribedPeer(b.port, 'myclientid2', WILDTOPICS[6], { properties: sei });
    first.autoAck = false;
    await first.publish({ topic: TOPICS[3], payload: 'x', qos: 2 });
    const delivery = (await first.untilPublishes(1, 'the delivery')).publishes[0]!;
    await first.raw.send(rawPubrec(delivery.packetId!, 5));
    await first.until((s) => s.acks.some((a) => a.type === 6), 'PUBREL');
    await first.disconnect();

    await using again = await resume(b.port, 'myclientid2', sei);
    again.autoAck = false;
    const seen = await again.until((s) => s.acks.some((a) => a.type === 6), 'the resent PUBREL');
    expect(seen.acks.find((a) => a.type === 6)!.ack.packetId).toBe(delivery.packetId);
    await again.raw.send(rawPubcomp(delivery.packetId!, 5));
    await expectNoPublishes(again);
  });

  it('[MQTT-3.3.4-9] [MQTT-4.9.0-2] [MQTT-4.4.0-1] PUBLISHes resent on reconnect respect the Receive Maximum of the new connection (3 in flight, reconnect with 1)', async () => {
    await using b = await broker();
    const sei: RawProperty[] = [[SESSION_EXPIRY, 99_999]];
    const first = await Peer.open(b.port, 'myclientid2', { properties: [...sei, [RECEIVE_MAXIMUM, 3]] });
    await first.subscribe([{ filter: TOPICS[0], qos: 1 }]);
    first.autoAck = false;
    await using pub = await Peer.open(b.port, 'myclientid');
    for (let i = 1; i <= 3; i++) await pub.publish({ topic: TOPICS[0], payload: `message ${i}`, qos: 1 });
    const original = (await first.untilPublishes(3, 'three unacknowledged deliveries')).publishes
      .slice()
      .map((p) => [p.payload.toString(), true, p.packetId]);
    await first.disconnect();

    // The send quota is not session state: it starts again from the new Receive Maximum (section 4.9).
    await using again = await resume(b.port, 'myclientid2', [...sei, [RECEIVE_MAXIMUM, 1]]);
    expect(again.connack.sessionPresent).toBe(true);
    again.autoAck = false;
    for (let i = 1; i <= 3; i++) {
      await again.untilPublishes(i, `redelivery ${i}`);
      await again.quiet(300);
      // One resent PUBLISH (DUP 1, original Packet Identifier) at a time: never two unacknowledged.
      expect(again.seen.publishes.map((p) => [p.payload.toString(), p.dup, p.packetId])).toEqual(
        original.slice(0, i),
      );
      await again.raw.send(rawPuback(again.seen.publishes[i - 1]!.packetId!, 5));
    }
  });

  it('[MQTT-3.3.2-7] [MQTT-4.4.0-1] a PUBLISH resent on a new connection does not use a topic alias set on the old one', async () => {
    await using b = await broker();
    const props: RawProperty[] = [
      [SESSION_EXPIRY, 99_999],
      [TOPIC_ALIAS_MAXIMUM, 2],
    ];
    const first = await Peer.open(b.port, 'myclientid2', { properties: props });
    await first.subscribe([{ filter: TOPICS[0], qos: 1 }]);
    first.autoAck = false;
    await using pub = await Peer.open(b.port, 'myclientid');
    await pub.publish({ topic: TOPICS[0], payload: 'one', qos: 1 });
    await pub.publish({ topic: TOPICS[0], payload: 'two', qos: 1 });
    await first.untilPublishes(2, 'two deliveries');
    await first.disconnect();

    await using again = await resume(b.port, 'myclientid2', props);
    again.autoAck = false;
    await again.untilPublishes(2, 'two redeliveries');
    const mapping = new Map<number, string>();
    for (const p of again.seen.publishes) {
      const topic = topicThroughAlias(p, mapping, '<alias from the old connection>');
      expect([topic, p.dup]).toEqual([TOPICS[0], true]);
    }
  });
});

// ─── test_subscribe_failure ─────────────────────────────────────────────────────────────────────

describe('Paho test_subscribe_failure', () => {
  const acl: Hook = {
    id: 'nosubscribe',
    authorizeSubscribe: ({ topicFilter }) =>
      topicFilter === NOSUBSCRIBE
        ? { deny: 0x80 }
        : topicFilter === `${NOSUBSCRIBE}/denied`
          ? 'deny'
          : 'allow',
  };

  it('[MQTT-3.9.3-2] a filter the server does not allow gets a SUBACK failure code (0x80 as configured, any ≥ 0x80 for a plain deny) and receives nothing', async () => {
    await using b = await broker({ hooks: [acl] });
    await using a = await Peer.open(b.port, 'myclientid');
    const codes = await a.subscribe([
      { filter: NOSUBSCRIBE, qos: 2 },
      { filter: `${NOSUBSCRIBE}/denied`, qos: 2 },
      { filter: TOPICS[0], qos: 2 },
    ]);
    expect(codes[0]).toBe(0x80);
    expect(SUBACK_FAILURES).toContain(codes[1]);
    expect(codes[2]).toBe(2);
    await using pub = await Peer.open(b.port, 'myclientid2');
    await pub.publish({ topic: NOSUBSCRIBE, payload: 'no', qos: 1 });
    await pub.publish({ topic: `${NOSUBSCRIBE}/denied`, payload: 'no', qos: 1 });
    await expectNoPublishes(a);
  });
});

// ─── test_dollar_topics ─────────────────────────────────────────────────────────────────────────

describe('Paho test_dollar_topics', () => {
  it('[MQTT-4.7.2-1] a message on $TopicA/B does not match +/+ or # (a server may also refuse the publish)', async () => {
    await using b = await broker();
    await using a = await Peer.open(b.port, 'myclientid2', { keepAlive: 0 });
    await a.subscribe([
      { filter: WILDTOPICS[5], qos: 2 },
      { filter: WILDTOPICS[2], qos: 2 },
    ]);
    await using exact = await Peer.open(b.port, 'exact');
    await exact.subscribe([{ filter: `$${TOPICS[1]}`, qos: 1 }]);
    const code = await a.publish({ topic: `$${TOPICS[1]}`, payload: '', qos: 1 });
    await expectNoPublishes(a);
    // Positive control: if the server accepted the publish, an exact subscriber got it.
    if (code !== undefined && code < 0x80) {
      const seen = await exact.untilPublishes(1, 'the $ message');
      expect(seen.publishes[0]!.topic).toBe(`$${TOPICS[1]}`);
    }
  });
});

// ─── test_unsubscribe ───────────────────────────────────────────────────────────────────────────

describe('Paho test_unsubscribe', () => {
  it('[MQTT-3.10.4-1] [MQTT-3.10.4-2] [MQTT-3.10.4-4] after UNSUBSCRIBE TopicA only TopicA/B and Topic/C are delivered', async () => {
    await using b = await broker();
    await using sub = await Peer.open(b.port, 'myclientid2');
    for (const topic of [TOPICS[0], TOPICS[1], TOPICS[2]]) await sub.subscribe([{ filter: topic, qos: 2 }]);
    expect(await sub.unsubscribe([TOPICS[0]])).toEqual([0x00]);
    await using pub = await Peer.open(b.port, 'myclientid');
    await pub.publish({ topic: TOPICS[0], payload: 'topic 0 - unsubscribed', qos: 1 });
    await pub.publish({ topic: TOPICS[1], payload: 'topic 1', qos: 1 });
    await pub.publish({ topic: TOPICS[2], payload: 'topic 2', qos: 1 });
    await sub.untilPublishes(2, 'two messages');
    const seen = await sub.quiet(300);
    expect(seen.publishes.map((p) => p.payload.toString())).toEqual(['topic 1', 'topic 2']);
  });
});

// ─── test_session_expiry ────────────────────────────────────────────────────────────────────────

describe('Paho test_session_expiry', () => {
  const sei1: RawProperty[] = [[SESSION_EXPIRY, 1]];

  /**
   * `myclientid` with Session Expiry 1 s subscribes to TopicA and disconnects (with `disconnectProperties`);
   * after `ms` it reconnects with Clean Start 0, and its session must still be there.
   */
  async function returnAfter(port: number, ms: number, disconnectProperties?: readonly RawProperty[]) {
    const a = await subscribedPeer(port, 'myclientid', TOPICS[0], { properties: sei1 });
    await a.disconnect(disconnectProperties);
    await delay(ms);
    const back = await resume(port, 'myclientid', sei1);
    expect(back.connack.sessionPresent).toBe(true);
    return back;
  }

  /** Reconnects `myclientid` with Clean Start 0: its session must be gone (Session Present 0). */
  async function expectSessionGone(port: number, properties: readonly RawProperty[]): Promise<void> {
    await using gone = await resume(port, 'myclientid', properties);
    expect(gone.connack.sessionPresent).toBe(false);
  }

  it('[MQTT-3.1.2-23] [MQTT-3.2.2-3] Session Expiry Interval 0: the session ends with the connection (Session Present 0 on return)', async () => {
    await using b = await broker();
    const sei0: RawProperty[] = [[SESSION_EXPIRY, 0]];
    const a = await subscribedPeer(b.port, 'myclientid', TOPICS[0], { properties: sei0 });
    expect(a.connack.sessionPresent).toBe(false);
    await a.disconnect();
    await expectSessionGone(b.port, sei0);
  });

  it('[MQTT-3.1.2-23] [MQTT-3.2.2-2] [MQTT-3.2.2-3] Session Expiry Interval 1 s: the session (and its subscription) is there before it expires and gone after', async () => {
    await using b = await broker();
    const back = await returnAfter(b.port, 400);
    // The subscription came back with the session.
    await back.publish({ topic: TOPICS[0], payload: 'still subscribed', qos: 1 });
    await back.untilPublishes(1, 'a message on the resumed subscription');
    await back.disconnect();
    await delay(1400);
    await expectSessionGone(b.port, sei1);
  });

  it('3.14.2.2.2 a Session Expiry Interval on DISCONNECT replaces the CONNECT one (1 s → 3 s keeps it; → 0 ends it at once)', async () => {
    await using b = await broker();
    const back = await returnAfter(b.port, 1400, [[SESSION_EXPIRY, 3]]);
    await back.disconnect([[SESSION_EXPIRY, 0]]);
    await expectSessionGone(b.port, sei1);
  });
});

// ─── test_user_properties / test_payload_format ─────────────────────────────────────────────────

describe('Paho test_user_properties and test_payload_format', () => {
  it('[MQTT-3.3.2-17] [MQTT-3.3.2-18] User Properties are forwarded unaltered and in order at QoS 0, 1 and 2', async () => {
    await using b = await broker();
    await using a = await subscribedPeer(b.port, 'myclientid', TOPICS[0]);
    // Paho's two pairs plus a repeated name: the same name may appear more than once (3.3.2.3.7).
    const props: RawProperty[] = [...USER_PROPS, [USER_PROPERTY, ['a', '1']]];
    const seen = await roundTripAtEachQos(a, '', props);
    expect(seen.publishes.map((p) => p.qos).sort()).toEqual([0, 1, 2]);
    for (const p of seen.publishes) {
      expect(propertyValues(p.properties, USER_PROPERTY)).toEqual([
        ['a', '2'],
        ['c', '3'],
        ['a', '1'],
      ]);
    }
  });

  it('[MQTT-3.3.2-4] [MQTT-3.3.2-20] Payload Format Indicator 1 and Content Type are forwarded unaltered at QoS 0, 1 and 2 (empty payload)', async () => {
    await using b = await broker();
    await using a = await subscribedPeer(b.port, 'myclientid', TOPICS[0]);
    const props: RawProperty[] = [
      [PAYLOAD_FORMAT, 1],
      [CONTENT_TYPE, 'My name'],
    ];
    const seen = await roundTripAtEachQos(a, '', props);
    expect(seen.publishes.map((p) => p.qos).sort()).toEqual([0, 1, 2]);
    for (const p of seen.publishes) {
      expect(propertyOf(p.properties, PAYLOAD_FORMAT)).toBe(1);
      expect(propertyOf(p.properties, CONTENT_TYPE)).toBe('My name');
    }
  });
});

// ─── test_publication_expiry ────────────────────────────────────────────────────────────────────

describe('Paho test_publication_expiry', () => {
  it('[MQTT-3.3.2-5] [MQTT-3.3.2-6] messages queued for an offline session: expired ones are dropped, the others carry the interval minus the wait', async () => {
    await using b = await broker();
    const sub = await subscribedPeer(b.port, 'myclientid2', TOPICS[0], {
      properties: [[SESSION_EXPIRY, 99_999]],
    });
    await sub.disconnect([[SESSION_EXPIRY, 999_999_999]]);

    await using pub = await Peer.open(b.port, 'myclientid');
    for (const [payload, qos, expiry] of [
      ['qos 1 - expire', 1, 1],
      ['qos 2 - expire', 2, 1],
      ["qos 1 - don't expire", 1, 4],
      ["qos 2 - don't expire", 2, 4],
    ] as const) {
      await pub.publish({ topic: TOPICS[0], payload, qos, properties: [[MESSAGE_EXPIRY, expiry]] });
    }
    await delay(1400);

    await using back = await resume(b.port, 'myclientid2');
    expect(back.connack.sessionPresent).toBe(true);
    await back.untilPublishes(2, 'the unexpired messages');
    const seen = await back.quiet(400);
    expect(seen.publishes.map((p) => p.payload.toString())).toEqual([
      "qos 1 - don't expire",
      "qos 2 - don't expire",
    ]);
    for (const p of seen.publishes) expectInRange(propertyOf(p.properties, MESSAGE_EXPIRY) as number, 1, 4);
  });
});

// ─── test_subscribe_options ─────────────────────────────────────────────────────────────────────

describe('Paho test_subscribe_options', () => {
  it('[MQTT-3.8.3-3] No Local: the publisher does not get its own message, the other No Local subscriber does', async () => {
    await using b = await broker();
    await using a = await Peer.open(b.port, 'myclientid');
    await using c = await Peer.open(b.port, 'myclientid2');
    await a.subscribe([{ filter: TOPICS[0], qos: 2, noLocal: true }]);
    await c.subscribe([{ filter: TOPICS[0], qos: 2, noLocal: true }]);
    await a.publish({ topic: TOPICS[0], payload: 'noLocal test', qos: 1 });
    const got = await c.untilPublishes(1, 'the message');
    expect(got.publishes.map((p) => p.payload.toString())).toEqual(['noLocal test']);
    await expectNoPublishes(a);
  });

  it('[MQTT-3.3.1-12] Retain As Published: RETAIN is 0 for a non-retained and 1 for a retained publication', async () => {
    await using b = await broker();
    await using a = await Peer.open(b.port, 'myclientid');
    await a.subscribe([{ filter: TOPICS[0], qos: 2, retainAsPublished: true }]);
    await a.publish({ topic: TOPICS[0], payload: 'retain as published false', qos: 1, retain: false });
    await a.publish({ topic: TOPICS[0], payload: 'retain as published true', qos: 1, retain: true });
    await a.untilPublishes(2, 'two messages');
    const seen = await a.quiet(200);
    expect(seen.publishes.map((p) => [p.payload.toString(), p.retain])).toEqual([
      ['retain as published false', false],
      ['retain as published true', true],
    ]);
  });

  /** SUBSCRIBE to +/+ at QoS 2 with Retain Handling `retainHandling`. */
  function subscribePlusPlus(peer: Peer, retainHandling: number): Promise<number[]> {
    return peer.subscribe([{ filter: WILDTOPICS[5], qos: 2, retainHandling }]);
  }

  it('[MQTT-3.3.1-10] Retain Handling 1: retained messages on the first SUBSCRIBE +/+ (QoS 0, 1, 2), none when it is repeated', async () => {
    await using b = await broker();
    await using a = await Peer.open(b.port, 'myclientid');
    await publishQos012(a, { retain: true });
    await subscribePlusPlus(a, 1);
    await a.untilPublishes(3, 'retained messages');
    expect((await a.quiet(200)).publishes.map((p) => p.qos).sort()).toEqual([0, 1, 2]);
    a.clear();
    await subscribePlusPlus(a, 1);
    await expectNoPublishes(a);
  });

  /** Has `publisher` leave Paho's three retained messages, then opens `myclientid` (not subscribed yet). */
  async function openAfterRetained(port: number): Promise<Peer> {
    await using pub = await Peer.open(port, 'publisher');
    await publishQos012(pub, { retain: true });
    return await Peer.open(port, 'myclientid');
  }

  it('[MQTT-3.3.1-11] Retain Handling 2: no retained messages on SUBSCRIBE, first or repeated', async () => {
    await using b = await broker();
    await using a = await openAfterRetained(b.port);
    await subscribePlusPlus(a, 2);
    await expectNoPublishes(a);
    await subscribePlusPlus(a, 2);
    await expectNoPublishes(a);
  });

  it('[MQTT-3.3.1-9] Retain Handling 0: the retained messages (QoS 0, 1, 2) on every SUBSCRIBE', async () => {
    await using b = await broker();
    await using a = await openAfterRetained(b.port);
    for (let round = 0; round < 2; round++) {
      a.clear();
      await subscribePlusPlus(a, 0);
      await a.untilPublishes(3, `retained messages, round ${round + 1}`);
      const seen = await a.quiet(200);
      expect(seen.publishes.map((p) => p.qos).sort()).toEqual([0, 1, 2]);
      expect(seen.publishes.every((p) => p.retain)).toBe(true);
    }
  });
});

// ─── test_subscribe_identifiers ─────────────────────────────────────────────────────────────────

describe('Paho test_subscribe_identifiers', () => {
  it('[MQTT-3.3.4-3] [MQTT-3.3.4-4] [MQTT-3.3.4-5] Subscription Identifiers come back: 456789 for one client; 2 and 3 for overlapping TopicA and TopicA/#', async () => {
    await using b = await broker();
    await using a = await Peer.open(b.port, 'myclientid');
    await a.subscribe([{ filter: TOPICS[0], qos: 2 }], [[SUBSCRIPTION_ID, 456_789]]);
    await using c = await Peer.open(b.port, 'myclientid2');
    await c.subscribe([{ filter: TOPICS[0], qos: 2 }], [[SUBSCRIPTION_ID, 2]]);
    await c.subscribe([{ filter: `${TOPICS[0]}/#`, qos: 2 }], [[SUBSCRIPTION_ID, 3]]);
    await c.publish({ topic: TOPICS[0], payload: 'sub identifier test', qos: 1 });

    await a.untilPublishes(1, 'the message');
    const forA = (await a.quiet(200)).publishes;
    expect(forA).toHaveLength(1);
    expect(propertyValues(forA[0]!.properties, SUBSCRIPTION_ID)).toEqual([456_789]);

    await c.untilPublishes(1, 'the message');
    const forC = (await c.quiet(300)).publishes;
    const idSets = forC.map((p) =>
      (propertyValues(p.properties, SUBSCRIPTION_ID) as number[]).slice().sort(),
    );
    // One copy with both identifiers (order not significant), or one copy per subscription with its own.
    if (forC.length === 1) expect(idSets[0]).toEqual([2, 3]);
    else expect(idSets.sort()).toEqual([[2], [3]]);
  });
});

// ─── test_request_response ──────────────────────────────────────────────────────────────────────

describe('Paho test_request_response', () => {
  it('[MQTT-3.3.2-15] [MQTT-3.3.2-16] Response Topic and Correlation Data reach the responder unaltered; the response reaches the requester (MQTT.js)', async () => {
    await using b = await broker();
    const requester = await mqttjs(b.url, 'myclientid');
    const responder = await mqttjs(b.url, 'myclientid2');
    try {
      await requester.client.subscribeAsync(TOPICS[0], { qos: 2, nl: true });
      await responder.client.subscribeAsync(TOPICS[0], { qos: 2, nl: true });
      const request = mqttjsMessages(responder.client, 1);
      await requester.client.publishAsync(TOPICS[0], 'request', {
        qos: 1,
        properties: { responseTopic: TOPICS[0], correlationData: Buffer.from('334') },
      });
      const [got] = await request;
      expect(got!.payload.toString()).toBe('request');
      expect(got!.properties?.responseTopic).toBe(TOPICS[0]);
      expect(Buffer.from(got!.properties!.correlationData!).toString()).toBe('334');

      const response = mqttjsMessages(requester.client, 1);
      await responder.client.publishAsync(got!.properties!.responseTopic!, 'response', {
        qos: 1,
        properties: { correlationData: got!.properties!.correlationData! },
      });
      const [answer] = await response;
      expect(answer!.payload.toString()).toBe('response');
      expect(Buffer.from(answer!.properties!.correlationData!).toString()).toBe('334');
    } finally {
      await requester.client.endAsync();
      await responder.client.endAsync();
    }
  });
});

// ─── test_client_topic_alias ────────────────────────────────────────────────────────────────────

describe('Paho test_client_topic_alias', () => {
  it('[MQTT-3.3.2-8] a PUBLISH with Topic Alias 0 gets DISCONNECT 0x94 Topic Alias invalid', async () => {
    await using b = await broker();
    await using a = await Peer.open(b.port, 'myclientid');
    await a.raw.send(
      rawPublish(
        { topic: TOPICS[0], payload: 'topic alias 0', qos: 1, packetId: 1, properties: [[TOPIC_ALIAS, 0]] },
        5,
      ),
    );
    const seen = await a.until((s) => s.disconnect !== undefined, 'DISCONNECT');
    expect(seen.disconnect!.reasonCode).toBe(0x94);
    await a.raw.expectClose(1000);
  });

  it('[MQTT-3.3.2-12] [MQTT-3.3.2-7] [MQTT-3.1.2-27] an alias set with the topic then used alone delivers to the topic; it does not survive a reconnect', async () => {
    await using b = await broker();
    const sei: RawProperty[] = [
      [TOPIC_ALIAS_MAXIMUM, 0],
      [SESSION_EXPIRY, 99_999],
    ];
    const a = await subscribedPeer(b.port, 'myclientid', TOPICS[0], { properties: sei });
    const serverMaximum = propertyOf(a.connack.properties, TOPIC_ALIAS_MAXIMUM) as number | undefined;
    expect(serverMaximum ?? 0).toBeGreaterThan(0); // the default broker allows client aliases
    await a.publish({ topic: TOPICS[0], payload: 'topic alias 1', qos: 1, properties: [[TOPIC_ALIAS, 1]] });
    await a.publish({ topic: '', payload: 'topic alias 2', qos: 1, properties: [[TOPIC_ALIAS, 1]] });
    await a.untilPublishes(2, 'two messages');
    expect(a.seen.publishes.map((p) => [p.topic, p.payload.toString()])).toEqual([
      [TOPICS[0], 'topic alias 1'],
      [TOPICS[0], 'topic alias 2'],
    ]);
    // This client sent Topic Alias Maximum 0: it must never get an alias.
    for (const p of a.seen.publishes) expect(propertyOf(p.properties, TOPIC_ALIAS)).toBeUndefined();
    await a.disconnect();

    await using again = await resume(b.port, 'myclientid', sei);
    expect(again.connack.sessionPresent).toBe(true);
    await again.publish({ topic: TOPICS[0], payload: 'topic alias 3', qos: 1 });
    await again.untilPublishes(1, 'the message on the kept subscription');
    await again.raw.send(
      rawPublish(
        { topic: '', payload: 'topic alias 4', qos: 1, packetId: 99, properties: [[TOPIC_ALIAS, 1]] },
        5,
      ),
    );
    const seen = await again.untilDisconnectOrClose('DISCONNECT for the unknown alias');
    // An alias with no mapping on this connection is a Protocol Error (3.3.2.3.4).
    expect(seen.disconnect?.reasonCode).toBe(0x82);
    expect(seen.publishes.map((p) => p.payload.toString())).toEqual(['topic alias 3']);
  });
});

// ─── test_server_topic_alias ────────────────────────────────────────────────────────────────────

describe('Paho test_server_topic_alias', () => {
  it('[MQTT-3.1.2-26] [MQTT-3.3.2-12] with Topic Alias Maximum 1, any alias the server sends is 1, first with the topic, and every PUBLISH resolves to TopicA', async () => {
    await using b = await broker();
    await using a = await subscribedPeer(b.port, 'myclientid', TOPICS[0], {
      properties: [[TOPIC_ALIAS_MAXIMUM, 1]],
    });
    await roundTripAtEachQos(a, 'topic alias 1');
    const mapping = new Map<number, string>();
    for (const p of (await a.quiet(200)).publishes) {
      const alias = propertyOf(p.properties, TOPIC_ALIAS) as number | undefined;
      if (alias !== undefined) {
        expect(alias).toBeGreaterThanOrEqual(1);
        expect(alias).toBeLessThanOrEqual(1);
      }
      expect(topicThroughAlias(p, mapping, '<unmapped alias>')).toBe(TOPICS[0]);
    }
  });

  for (const [label, properties] of [
    ['absent', []],
    ['0', [[TOPIC_ALIAS_MAXIMUM, 0]]],
  ] as const) {
    it(`[MQTT-3.1.2-27] with Topic Alias Maximum ${label} the server sends no Topic Alias`, async () => {
      await using b = await broker();
      await using a = await subscribedPeer(b.port, 'myclientid', TOPICS[0], { properties });
      await roundTripAtEachQos(a, 'topic alias 1');
      for (const p of a.seen.publishes) {
        expect(p.topic).toBe(TOPICS[0]);
        expect(propertyOf(p.properties, TOPIC_ALIAS)).toBeUndefined();
      }
    });
  }
});

// ─── test_maximum_packet_size ───────────────────────────────────────────────────────────────────

describe('Paho test_maximum_packet_size', () => {
  it('3.2.2.3.6 [MQTT-3.2.2-15] a PUBLISH larger than the advertised server Maximum Packet Size gets DISCONNECT 0x95 Packet too large', async () => {
    await using b = await broker({ limits: { maximumPacketSize: 1024 } });
    await using a = await Peer.open(b.port, 'myclientid');
    const serverMaximum = propertyOf(a.connack.properties, MAXIMUM_PACKET_SIZE) as number;
    expect(serverMaximum).toBe(1024);
    await a.raw.send(rawPublish({ topic: TOPICS[0], payload: Buffer.alloc(serverMaximum, 0x2e) }, 5));
    const seen = await a.untilDisconnectOrClose();
    expect(seen.disconnect?.reasonCode).toBe(0x95);
  });

  it('[MQTT-3.1.2-24] [MQTT-3.1.2-25] with client Maximum Packet Size 64 a small message arrives, a larger one is discarded and the connection goes on', async () => {
    await using b = await broker();
    await using a = await subscribedPeer(b.port, 'myclientid', TOPICS[0], {
      properties: [[MAXIMUM_PACKET_SIZE, 64]],
    });
    await a.publish({ topic: TOPICS[0], payload: Buffer.alloc(32, 0x2e), qos: 0 });
    await a.untilPublishes(1, 'the small message');
    await a.publish({ topic: TOPICS[0], payload: Buffer.alloc(64, 0x2e), qos: 1 });
    await a.quiet(300);
    expect(a.seen.publishes).toHaveLength(1);
    expect(a.seen.disconnect).toBeUndefined();
    // Still connected and served.
    await a.publish({ topic: TOPICS[0], payload: 'small again', qos: 1 });
    await a.untilPublishes(2, 'the next small message');
    expect(a.seen.publishes[1]!.payload.toString()).toBe('small again');
  });
});

// ─── test_flow_control1 / test_flow_control2 ────────────────────────────────────────────────────

describe('Paho test_flow_control1 and test_flow_control2', () => {
  it('[MQTT-3.3.4-9] with client Receive Maximum 2 the server has at most 2 unacknowledged QoS 1 PUBLISHes; a PUBACK lets the third through', async () => {
    await using b = await broker();
    await using a = await subscribedPeer(b.port, 'myclientid', TOPICS[0], {
      properties: [
        [RECEIVE_MAXIMUM, 2],
        [SESSION_EXPIRY, 0],
      ],
    });
    a.autoAck = false;
    for (let i = 1; i <= 3; i++) await a.publish({ topic: TOPICS[0], payload: `message ${i}`, qos: 1 });
    await a.untilPublishes(2, 'two deliveries');
    await a.quiet(400);
    expect(a.seen.publishes).toHaveLength(2);
    expect(a.seen.publishes.every((p) => p.qos === 1)).toBe(true);
    await a.raw.send(rawPuback(a.seen.publishes[0]!.packetId!, 5));
    await a.untilPublishes(3, 'the third delivery');
    expect(a.seen.publishes[2]!.qos).toBe(1);
    await a.raw.send(rawPuback(a.seen.publishes[1]!.packetId!, 5));
    await a.raw.send(rawPuback(a.seen.publishes[2]!.packetId!, 5));
    expect(a.seen.publishes.map((p) => p.payload.toString())).toEqual([
      'message 1',
      'message 2',
      'message 3',
    ]);
  });

  it('[MQTT-3.3.4-7] 4.9 more QoS 2 PUBLISHes than the server Receive Maximum (3, configured), none released, gets DISCONNECT 0x93', async () => {
    await using b = await broker({ limits: { receiveMaximum: 3 } });
    await using a = await Peer.open(b.port, 'myclientid', { properties: [[SESSION_EXPIRY, 0]] });
    const serverMaximum = propertyOf(a.connack.properties, RECEIVE_MAXIMUM) as number;
    expect(serverMaximum).toBe(3);
    a.autoRelease = false; // never PUBREL, so none of them completes
    for (let i = 1; i <= serverMaximum + 1; i++) {
      await a.raw.send(rawPublish({ topic: TOPICS[0], payload: `message ${i}`, qos: 2, packetId: i }, 5));
    }
    const seen = await a.untilDisconnectOrClose();
    expect(seen.disconnect?.reasonCode).toBe(0x93);
  });
});

// ─── test_will_delay ────────────────────────────────────────────────────────────────────────────

describe('Paho test_will_delay', () => {
  /** Drops `myclientid` with a will delayed by `willDelay` s and checks the will; returns when it arrived (ms). */
  async function willAfterDrop(willDelay: number, sessionExpiry: number, timeoutMs: number): Promise<number> {
    await using b = await broker();
    const payload = 'test_will_delay will message';
    const properties: RawProperty[] = [[WILL_DELAY, willDelay]];
    const will: RawWill = { topic: TOPICS[0], payload, qos: 0, retain: false, properties };
    const { dropped, published, elapsed } = await dropAndAwaitWill(b.port, sessionExpiry, will, timeoutMs);
    expect(dropped.connack.sessionPresent).toBe(false);
    expect([published.topic, published.payload.toString()]).toEqual([TOPICS[0], payload]);
    return elapsed;
  }

  it('[MQTT-3.1.3-9] Will Delay 1 s, Session Expiry 2 s: the will is published after the delay', async () => {
    expectInRange(await willAfterDrop(1, 2, 3000), 900, 1900);
  });

  it('[MQTT-3.1.3-9] Will Delay 5 s, Session Expiry 0: the session ends with the connection, so the will is published at once', async () => {
    const elapsed = await willAfterDrop(5, 0, 3000);
    expect(elapsed).toBeLessThan(700);
  });

  it('[MQTT-3.1.3-9] Will Delay 3 s, Session Expiry 1 s: the will is published when the session ends, before the delay', async () => {
    expectInRange(await willAfterDrop(3, 1, 3000), 900, 1900);
  });
});

describe('Paho will properties (test_will_message with a Will Delay)', () => {
  it('[MQTT-3.1.3-10] 3.1.3.2 a delayed will keeps its properties; its Message Expiry Interval counts from publication, not from the drop', async () => {
    await using b = await broker();
    const properties: RawProperty[] = [
      [WILL_DELAY, 1],
      [PAYLOAD_FORMAT, 1],
      [MESSAGE_EXPIRY, 2],
      [CONTENT_TYPE, 'text/plain'],
      [RESPONSE_TOPIC, TOPICS[0]],
      [CORRELATION_DATA, Buffer.from('334')],
      ...USER_PROPS,
    ];
    const { published: will } = await dropAndAwaitWill(
      b.port,
      10,
      { topic: TOPICS[2], payload: 'will message', qos: 1, retain: false, properties },
      3000,
    );
    expect([will.topic, will.payload.toString(), will.qos]).toEqual([TOPICS[2], 'will message', 1]);
    expect(propertyOf(will.properties, PAYLOAD_FORMAT)).toBe(1);
    expect(propertyOf(will.properties, CONTENT_TYPE)).toBe('text/plain');
    expect(propertyOf(will.properties, RESPONSE_TOPIC)).toBe(TOPICS[0]);
    expect((propertyOf(will.properties, CORRELATION_DATA) as Buffer).toString()).toBe('334');
    expectPahoUserProperties(will.properties);
    // Published about 1 s after the drop with a 2 s lifetime: still 2 (or 1 after rounding down), never expired.
    expect([1, 2]).toContain(propertyOf(will.properties, MESSAGE_EXPIRY));
    expect(propertyOf(will.properties, WILL_DELAY)).toBeUndefined();
  });
});

// ─── test_shared_subscriptions ──────────────────────────────────────────────────────────────────

describe('Paho test_shared_subscriptions', () => {
  /** Opens `clientId` subscribed at QoS 2 to $share/sharename/x and to TopicA, both granted. */
  async function openSharing(port: number, clientId: string): Promise<Peer> {
    const peer = await Peer.open(port, clientId);
    expect(
      await peer.subscribe([
        { filter: '$share/sharename/x', qos: 2 },
        { filter: TOPICS[0], qos: 2 },
      ]),
    ).toEqual([2, 2]);
    return peer;
  }

  it('4.8.2 two clients share $share/sharename/x: each message on x goes to exactly one of them; TopicA (non-shared) to both', async () => {
    await using b = await broker();
    await using a = await openSharing(b.port, 'myclientid');
    await using c = await openSharing(b.port, 'myclientid2');

    await c.publish({ topic: TOPICS[0], payload: 'message 0', qos: 0 });
    await a.untilPublishes(1, 'the non-shared message');
    await c.untilPublishes(1, 'the non-shared message');
    a.clear();
    c.clear();

    const count = 6;
    for (let i = 0; i < count; i++)
      await c.publish({ topic: 'x', payload: `shared ${i}`, qos: (i % 2) as 0 | 1 });
    await Promise.all([a.quiet(500), c.quiet(500)]);
    const all = [...a.seen.publishes, ...c.seen.publishes];
    expect(all.every((p) => p.topic === 'x')).toBe(true);
    expect(all.map((p) => p.payload.toString()).sort()).toEqual(
      Array.from({ length: count }, (_, i) => `shared ${i}`).sort(),
    );
  });
});
