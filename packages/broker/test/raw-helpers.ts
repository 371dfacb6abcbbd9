/**
 * Small helpers over `@mqttkit/testkit` for the PUBLISH / SUBSCRIBE flow tests: connect a raw client
 * and read its CONNACK, subscribe and read the SUBACK, take the next PUBLISH. Every wait is bounded by
 * testkit's default timeout, and everything here builds bytes with testkit, never with the codec.
 * At the end, two helpers the Paho scenario files share: a window assertion for timings, and Paho's
 * QoS 0/1/2 publications through MQTT.js.
 */
import {
  type ParsedAck,
  type ParsedConnack,
  type ParsedPublish,
  parseAck,
  parseConnack,
  parseDisconnect,
  parsePublish,
  parseSuback,
  RawClient,
  type RawProperty,
  type RawSubscription,
  type RawVersion,
  rawConnect,
  rawPingreq,
  rawPuback,
  rawPubcomp,
  rawPubrec,
  rawSubscribe,
} from '@mqttkit/testkit';
import type { MqttClient } from 'mqtt';
import { expect } from 'vitest';
import type { Hook, MessageDroppedEvent } from '../src/index.js';

/** PUBLISH, PUBACK, ... packet type numbers, for `expectFrame({ type })`. */
export const T = {
  CONNACK: 2,
  PUBLISH: 3,
  PUBACK: 4,
  PUBREC: 5,
  PUBREL: 6,
  PUBCOMP: 7,
  SUBACK: 9,
  UNSUBACK: 11,
  PINGRESP: 13,
  DISCONNECT: 14,
} as const;

/** Options of `connect`. */
export interface ConnectOptions {
  clean?: boolean;
  properties?: readonly RawProperty[];
}

/** A raw client connected with CONNACK 0; `connack` is what the broker answered. */
export async function connect(
  port: number,
  version: RawVersion,
  clientId: string,
  options: ConnectOptions = {},
): Promise<RawClient & { connack: ParsedConnack }> {
  const client = await RawClient.connect(port, { label: `${clientId} (v${version})` });
  await client.send(
    rawConnect({
      protocolVersion: version,
      clientId,
      clean: options.clean ?? true,
      ...(options.properties === undefined ? {} : { properties: options.properties }),
    }),
  );
  const connack = parseConnack(await client.expectFrame({ type: T.CONNACK }), version);
  if (connack.code !== 0) throw new Error(`${clientId}: CONNACK refused with 0x${connack.code.toString(16)}`);
  return Object.assign(client, { connack });
}

/** Send SUBSCRIBE and return the SUBACK codes (checking the packet id comes back). */
export async function subscribe(
  client: RawClient,
  version: RawVersion,
  subscriptions: readonly RawSubscription[],
  properties?: readonly RawProperty[],
  packetId = 1,
): Promise<number[]> {
  await client.send(rawSubscribe(packetId, subscriptions, version, properties));
  const suback = parseSuback(await client.expectFrame({ type: T.SUBACK }), version);
  if (suback.packetId !== packetId) throw new Error(`SUBACK for ${suback.packetId}, expected ${packetId}`);
  return suback.codes;
}

/** The next frame, which must be a PUBLISH. */
export async function nextPublish(
  client: RawClient,
  version: RawVersion,
  timeoutMs?: number,
): Promise<ParsedPublish> {
  const frame = await client.expectFrame(
    timeoutMs === undefined ? { type: T.PUBLISH } : { type: T.PUBLISH, timeoutMs },
  );
  return parsePublish(frame, version);
}

/** The next frame, which must be of `type` (PUBACK, PUBREC, PUBREL or PUBCOMP). */
export async function nextAck(client: RawClient, version: RawVersion, type: number): Promise<ParsedAck> {
  return parseAck(await client.expectFrame({ type }), version);
}

/** Waits for a v5 DISCONNECT from the broker and the close that follows; returns its reason code. */
export async function expectDisconnect(client: RawClient): Promise<number> {
  const frame = await client.expectFrame({ type: T.DISCONNECT });
  await client.expectClose();
  return parseDisconnect(frame, 5).reasonCode;
}

/**
 * Receive one PUBLISH and complete its flow as a well-behaved client: PUBACK for QoS 1, PUBREC then
 * (after the broker's PUBREL) PUBCOMP for QoS 2.
 */
export async function receiveAndAck(client: RawClient, version: RawVersion): Promise<ParsedPublish> {
  const publish = await nextPublish(client, version);
  if (publish.qos === 1) await client.send(rawPuback(publish.packetId!, version));
  if (publish.qos === 2) {
    await client.send(rawPubrec(publish.packetId!, version));
    const pubrel = await nextAck(client, version, T.PUBREL);
    await client.send(rawPubcomp(pubrel.packetId, version));
  }
  return publish;
}

/**
 * Receive `count` PUBLISHes, acknowledging each as it arrives (PUBACK, or PUBREC and later PUBCOMP for
 * the broker's PUBREL), even when several are in flight at once. Returns them in arrival order.
 */
export async function collect(
  client: RawClient,
  version: RawVersion,
  count: number,
): Promise<ParsedPublish[]> {
  const got: ParsedPublish[] = [];
  let releasing = 0;
  while (got.length < count || releasing > 0) {
    const frame = await client.expectFrame();
    if (frame.type === T.PUBLISH) {
      const publish = parsePublish(frame, version);
      got.push(publish);
      if (publish.qos === 1) await client.send(rawPuback(publish.packetId!, version));
      if (publish.qos === 2) {
        releasing++;
        await client.send(rawPubrec(publish.packetId!, version));
      }
    } else if (frame.type === T.PUBREL) {
      releasing--;
      await client.send(rawPubcomp(parseAck(frame, version).packetId, version));
    } else {
      throw new Error(`expected PUBLISH or PUBREL, got packet type ${frame.type}`);
    }
  }
  return got;
}

/**
 * Round trip a PINGREQ: once PINGRESP is back, the broker has handled everything this client sent
 * before it (packets are processed in order).
 */
export async function sync(client: RawClient, skipOthers = false): Promise<void> {
  await client.send(rawPingreq());
  if (!skipOthers) {
    await client.expectFrame({ type: T.PINGRESP });
    return;
  }
  while ((await client.expectFrame()).type !== T.PINGRESP);
}

/** The payload as text. */
export function text(publish: ParsedPublish): string {
  return publish.payload.toString('utf8');
}

/** A hook recording every `onMessageDropped` event. */
export function dropRecorder(): Hook & { readonly drops: MessageDroppedEvent[] } {
  const drops: MessageDroppedEvent[] = [];
  return {
    id: 'drop-recorder',
    drops,
    onMessageDropped(event) {
      drops.push(event);
    },
  };
}

/** Resolves once `condition()` is true, polling each event-loop turn; rejects after `timeoutMs`. */
export async function until(condition: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Asserts `atLeast <= value < below`: timings are checked as a window, never as an exact instant. */
export function expectInRange(value: number, atLeast: number, below: number): void {
  expect(value).toBeGreaterThanOrEqual(atLeast);
  expect(value).toBeLessThan(below);
}

/**
 * Paho's three publications through MQTT.js: "qos 0", "qos 1" and "qos 2" at that QoS, all on `topics`
 * or each on `topics[qos]`; with `retain` given, each carries that RETAIN flag.
 */
export async function mqttjsPublishQos012(
  client: MqttClient,
  topics: string | readonly [string, string, string],
  retain?: boolean,
): Promise<void> {
  for (const qos of [0, 1, 2] as const) {
    const topic = typeof topics === 'string' ? topics : topics[qos];
    await client.publishAsync(topic, `qos ${qos}`, retain === undefined ? { qos } : { qos, retain });
  }
}
