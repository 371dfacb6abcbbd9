/**
 * Test helpers for the session: a recording `SessionOutput` and settle handles. Bytes the session
 * writes are compared with frames built by `@mqttkit/testkit`, which is written independently of
 * the codec (style guide R14). Lives in test/ so it is never built into dist.
 */
import { frame, rawConnack } from '@mqttkit/testkit';
import type { AuthPacket, ConnackPacket, DisconnectPacket, MqttError, PublishPacket } from '@mqttkit/types';
import { expect } from 'vitest';
import type { ConnectionRefusedError } from '../src/errors/connection-refused-error.js';
import {
  ClientSession,
  type ClientSessionOptions,
  type SessionOutput,
} from '../src/session/client-session.js';
import { MemoryInflightStore } from '../src/session/inflight-store.js';
import type { Settle } from '../src/session/results.js';

/** Everything a session produced, in order. */
export type Recorded =
  | { kind: 'connected'; connack: ConnackPacket }
  | { kind: 'refused'; error: ConnectionRefusedError }
  | { kind: 'message'; message: PublishPacket }
  | { kind: 'serverDisconnect'; packet: DisconnectPacket }
  | { kind: 'protocolError'; error: MqttError }
  | { kind: 'error'; error: Error }
  | { kind: 'authChallenge'; data: Uint8Array | undefined; step: number; round: number }
  | { kind: 'reauthenticated'; packet: AuthPacket };

/** A session wired to a recorder. */
export interface Harness {
  session: ClientSession;
  store: MemoryInflightStore;
  /** Hex of every frame written since the last call, then forgets them. */
  written(): string[];
  /** Events since the last call, then forgets them. */
  events(): Recorded[];
}

/** Creates a session (3.1.1, client id `c`, clean, keepalive 60 unless overridden) with a recorder. */
export function harness(options: Partial<ClientSessionOptions> = {}): Harness {
  let frames: string[] = [];
  let events: Recorded[] = [];
  const output: SessionOutput = {
    write: (frame) => frames.push(Buffer.from(frame).toString('hex')),
    connected: (connack) => events.push({ kind: 'connected', connack }),
    refused: (error) => events.push({ kind: 'refused', error }),
    message: (message) =>
      events.push({ kind: 'message', message: { ...message, payload: message.payload.slice() } }),
    serverDisconnect: (packet) => events.push({ kind: 'serverDisconnect', packet }),
    protocolError: (error) => events.push({ kind: 'protocolError', error }),
    error: (error) => events.push({ kind: 'error', error }),
    authChallenge: (data, context, round) =>
      events.push({ kind: 'authChallenge', data, step: context.step, round }),
    reauthenticated: (packet) => events.push({ kind: 'reauthenticated', packet }),
  };
  const store = new MemoryInflightStore();
  const session = new ClientSession(
    {
      protocolVersion: 4,
      clientId: 'c',
      clean: true,
      keepAlive: 60,
      maximumPacketSize: 1 << 20,
      topicAliases: true,
      resubscribe: true,
      queueLimit: 100,
      store,
      ...options,
    },
    output,
  );
  return {
    session,
    store,
    written() {
      const out = frames;
      frames = [];
      return out;
    },
    events() {
      const out = events;
      events = [];
      return out;
    },
  };
}

/** A settle handle that remembers how it was settled. */
export interface Recorder<V> extends Settle<V> {
  readonly value: V | undefined;
  readonly error: Error | undefined;
  readonly settled: boolean;
}

/** Creates a recording settle handle. */
export function recorder<V>(): Recorder<V> {
  const state: { value: V | undefined; error: Error | undefined; settled: boolean } = {
    value: undefined,
    error: undefined,
    settled: false,
  };
  return {
    resolve(value) {
      state.value = value;
      state.settled = true;
    },
    reject(error) {
      state.error = error;
      state.settled = true;
    },
    get value() {
      return state.value;
    },
    get error() {
      return state.error;
    },
    get settled() {
      return state.settled;
    },
  };
}

/** Hex of a frame built by testkit. */
export function hex(frame: Uint8Array): string {
  return Buffer.from(frame).toString('hex');
}

/** A PUBLISH packet for the session's `publish`. */
export function publishPacket(
  topic: string,
  payload: string,
  qos: 0 | 1 | 2 = 0,
  extra: Partial<PublishPacket> = {},
): PublishPacket {
  return {
    type: 'publish',
    topic,
    payload: new TextEncoder().encode(payload),
    qos,
    retain: false,
    dup: false,
    ...extra,
  };
}

/** Topic Alias Maximum (0x22), Receive Maximum (0x21), Maximum Packet Size (0x27), Maximum QoS (0x24). */
export const TOPIC_ALIAS_MAXIMUM = 0x22;
export const RECEIVE_MAXIMUM = 0x21;
export const MAXIMUM_PACKET_SIZE = 0x27;
export const MAXIMUM_QOS = 0x24;
export const TOPIC_ALIAS = 0x23;
export const USER_PROPERTY = 0x26;

/** The shortest v5 DISCONNECT with a reason code: Remaining Length 1, no property length (section 3.14.2.2.1). */
export function disconnect(reasonCode: number): Buffer {
  return frame(0xe0, Buffer.from([reasonCode]));
}

/** A session that has sent CONNECT and received an accepting CONNACK. */
export function online(version: 3 | 4 | 5 = 4, connack: Parameters<typeof rawConnack>[0] = {}, options = {}) {
  const h = harness({ protocolVersion: version, ...options });
  h.session.connect();
  h.session.receive(rawConnack(connack, version));
  h.written();
  expect(h.events().map((e) => e.kind)).toEqual(['connected']);
  return h;
}
