/**
 * Helpers for the connection-lifecycle tests (CONNECT, sessions, keepalive, wills, AUTH, hooks,
 * limits): raw clients that return their CONNACK, MQTT.js clients that never reconnect by themselves,
 * and a hook that records the broker's notifications so tests await events instead of sleeping.
 */
import {
  type ParsedConnack,
  parseConnack,
  RawClient,
  type RawConnectOptions,
  rawConnect,
} from '@mqttkit/testkit';
import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import type {
  ConnectedEvent,
  DisconnectedEvent,
  Hook,
  MessageDroppedEvent,
  PublishedEvent,
  SessionExpiredEvent,
} from '../src/index.js';

/** Every wait in these tests is bounded by this (ms). */
export const WAIT_MS = 5000;

/** A raw client that sent `connect` and read the CONNACK that answered it (whatever its code). */
export async function rawConnectWithAck(
  port: number,
  connect: RawConnectOptions,
): Promise<{ client: RawClient; connack: ParsedConnack }> {
  const client = await RawClient.connect(port);
  await client.send(rawConnect(connect));
  const connack = parseConnack(await client.expectFrame({ type: 2 }), connect.protocolVersion);
  return { client, connack };
}

/** The value of the first property `id` in a parsed property list. */
export function propertyOf(properties: readonly (readonly [number, unknown])[], id: number): unknown {
  return properties.find(([pid]) => pid === id)?.[1];
}

/**
 * An MQTT.js client that does not reconnect by itself (a reconnect would hide what the broker did)
 * and uses the protocol name its version needs (MQTT 3.1 is `MQIsdp`). `onMessage` is attached before
 * CONNECT is sent, so messages that follow CONNACK at once (a resumed session's queue) are not missed.
 */
export function mqttConnect(
  url: string,
  options: IClientOptions & { protocolVersion: 3 | 4 | 5 },
  onMessage?: (topic: string, payload: Buffer, packet: IPublishPacket) => void,
): Promise<MqttClient> {
  const client = mqtt.connect(url, {
    reconnectPeriod: 0,
    connectTimeout: WAIT_MS,
    protocolId: options.protocolVersion === 3 ? 'MQIsdp' : 'MQTT',
    ...options,
  });
  if (onMessage !== undefined) client.on('message', onMessage);
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      client.end(true);
      reject(error);
    };
    client.once('error', onError);
    client.once('connect', () => {
      client.off('error', onError);
      resolve(client);
    });
  });
}

/** Resolves with the next message `client` receives, or rejects after `timeoutMs`. */
export function nextMessage(
  client: MqttClient,
  timeoutMs = WAIT_MS,
): Promise<{ topic: string; payload: Buffer; packet: IPublishPacket }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('message', onMessage);
      reject(new Error(`no message arrived within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (topic: string, payload: Buffer, packet: IPublishPacket) => {
      clearTimeout(timer);
      client.off('message', onMessage);
      resolve({ topic, payload, packet });
    };
    client.on('message', onMessage);
  });
}

/** Resolves when `client` has seen no message for `ms`; rejects naming the message if one came. */
export function noMessage(client: MqttClient, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onMessage = (topic: string, payload: Buffer) => {
      clearTimeout(timer);
      reject(new Error(`expected no message for ${ms} ms, got ${topic}: ${payload.toString()}`));
    };
    const timer = setTimeout(() => {
      client.off('message', onMessage);
      resolve();
    }, ms);
    client.on('message', onMessage);
  });
}

/** Resolves once an MQTT.js client's socket has closed (for whatever reason). */
export function clientClosed(client: MqttClient, timeoutMs = WAIT_MS): Promise<void> {
  if (client.stream?.destroyed === true && client.stream.closed) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`client still open after ${timeoutMs} ms`)), timeoutMs);
    client.stream.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** The notifications the recorder keeps, by kind. */
export interface RecordedEvents {
  connected: ConnectedEvent;
  disconnected: DisconnectedEvent;
  sessionExpired: SessionExpiredEvent;
  dropped: MessageDroppedEvent;
  published: PublishedEvent;
}

type Kind = keyof RecordedEvents;

/**
 * A hook that records every notification and lets a test await one: `await events.next('disconnected',
 * (e) => e.client.id === 'a')` resolves with the first matching event not yet taken, past or future.
 */
export class EventRecorder implements Hook {
  readonly id: string;
  readonly log: { kind: Kind; event: RecordedEvents[Kind]; at: number }[] = [];
  private readonly taken = new Set<number>();
  private readonly waiters = new Set<() => void>();

  constructor(id = 'recorder') {
    this.id = id;
  }

  onConnected(event: ConnectedEvent): void {
    this.record('connected', event);
  }

  onDisconnected(event: DisconnectedEvent): void {
    this.record('disconnected', event);
  }

  onSessionExpired(event: SessionExpiredEvent): void {
    this.record('sessionExpired', event);
  }

  onMessageDropped(event: MessageDroppedEvent): void {
    this.record('dropped', event);
  }

  onPublished(event: PublishedEvent): void {
    this.record('published', event);
  }

  /** Every event of one kind recorded so far, taken or not. */
  all<K extends Kind>(kind: K): RecordedEvents[K][] {
    return this.log.filter((entry) => entry.kind === kind).map((entry) => entry.event as RecordedEvents[K]);
  }

  /** The first event of `kind` matching `predicate` not yet taken, waiting up to `timeoutMs`. */
  next<K extends Kind>(
    kind: K,
    predicate: (event: RecordedEvents[K]) => boolean = () => true,
    timeoutMs = WAIT_MS,
  ): Promise<RecordedEvents[K] & { at: number }> {
    return new Promise((resolve, reject) => {
      const poll = () => {
        for (let i = 0; i < this.log.length; i++) {
          const entry = this.log[i]!;
          if (this.taken.has(i) || entry.kind !== kind) continue;
          if (!predicate(entry.event as RecordedEvents[K])) continue;
          this.taken.add(i);
          clearTimeout(timer);
          this.waiters.delete(poll);
          resolve({ ...(entry.event as RecordedEvents[K]), at: entry.at });
          return;
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(poll);
        reject(new Error(`no ${kind} event within ${timeoutMs} ms; recorded: ${this.describe()}`));
      }, timeoutMs);
      this.waiters.add(poll);
      poll();
    });
  }

  private describe(): string {
    return this.log.map((entry) => entry.kind).join(', ') || 'nothing';
  }

  private record<K extends Kind>(kind: K, event: RecordedEvents[K]): void {
    this.log.push({ kind, event, at: Date.now() });
    for (const waiter of [...this.waiters]) waiter();
  }
}

/** `promise`, or a rejection naming `what` if it has not settled within `ms`. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A promise that settles after `ms` (only for letting a broker pass a deadline it must honour). */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
