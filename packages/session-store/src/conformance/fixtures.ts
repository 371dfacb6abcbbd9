/**
 * Record builders and assertions shared by the conformance tests. Every helper awaits what the store
 * returns, so sync and async backends run the same tests.
 */
import { expect } from 'vitest';
import type {
  OutboundRecord,
  SessionRecord,
  StoredMessage,
  StoredSession,
  StoreSnapshot,
  SubscriptionRecord,
  WillRecord,
} from '../records.js';
import type { SessionStore } from '../session-store.js';
import type { StoreOp } from '../store-op.js';

/** What each group of conformance tests sees: the store of the current test, and how to reopen it. */
export interface ConformanceContext {
  /** The store under test, fresh for every test. */
  readonly store: SessionStore;
  /** Close the store and open it again on the same data; only called for durable backends. */
  reopen(): Promise<void>;
  /** True for a durable backend: the durable-only tests are registered. */
  readonly durable: boolean;
}

/** A session record with defaults for everything but the client id. */
export function session(clientId: string, overrides: Partial<SessionRecord> = {}): SessionRecord {
  return { clientId, protocolVersion: 5, expiryInterval: 3600, ...overrides };
}

/** A subscription with every MQTT 5.0 option at its default, except those overridden. */
export function subscription(
  topicFilter: string,
  overrides: Partial<SubscriptionRecord> = {},
): SubscriptionRecord {
  return { topicFilter, qos: 1, noLocal: false, retainAsPublished: false, retainHandling: 0, ...overrides };
}

/** A QoS 1 message on `topic` with a small payload derived from its id. */
export function message(id: number, overrides: Partial<StoredMessage> = {}): StoredMessage {
  return {
    id,
    topic: `t/${id}`,
    payload: new Uint8Array([id & 0xff, 0, 0xff]),
    qos: 1,
    retain: false,
    ...overrides,
  };
}

/** A queued outbound entry delivering `messageId` at position `seq`. */
export function entry(
  seq: number,
  messageId: number,
  overrides: Partial<OutboundRecord> = {},
): OutboundRecord {
  return { seq, messageId, qos: 1, retain: false, state: 'queued', ...overrides };
}

/** A delayed will of `clientId`, due at a fixed time. */
export function will(clientId: string, overrides: Partial<WillRecord> = {}): WillRecord {
  return {
    clientId,
    message: message(900, { topic: `will/${clientId}` }),
    publishAt: 1_700_000_000_000,
    ...overrides,
  };
}

/** Apply each batch in turn, awaiting each. */
export async function applyAll(store: SessionStore, ...batches: readonly StoreOp[][]): Promise<void> {
  for (const batch of batches) await store.apply(batch);
}

/** Load a session that must exist. */
export async function loadExisting(store: SessionStore, clientId: string): Promise<StoredSession> {
  const stored = await store.loadSession(clientId);
  expect(stored, `session ${JSON.stringify(clientId)} should be stored`).toBeDefined();
  return stored!;
}

/** The `seq` of each outbound entry of a session, in the order the store returned them. */
export async function outboundSeqs(store: SessionStore, clientId: string): Promise<number[]> {
  return (await loadExisting(store, clientId)).outbound.map((item) => item.entry.seq);
}

/** Expect `apply(ops)` to fail with a `TypeError` whose message contains `named`, thrown or rejected. */
export async function expectApplyToReject(
  store: SessionStore,
  ops: readonly StoreOp[],
  named: string,
): Promise<void> {
  // `await` inside try catches a synchronous throw and a rejection alike; the batch is applied once.
  let failure: unknown;
  try {
    await store.apply(ops);
  } catch (error) {
    failure = error;
  }
  expect(failure).toBeInstanceOf(TypeError);
  expect(failure).toMatchObject({ message: expect.stringContaining(named) });
}

/**
 * A copy of `value` that compares the same however a backend represents bytes: every `Uint8Array`
 * (a Node `Buffer` included) becomes a plain `Uint8Array` of the same bytes. Explicit `undefined`
 * properties are kept, so `toStrictEqual` still tells "absent" from "undefined".
 */
export function plain(value: unknown): unknown {
  if (value instanceof Uint8Array) return new Uint8Array(value);
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'object' && value !== null) {
    const copy: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(value)) copy[key] = plain(field);
    return copy;
  }
  return value;
}

/** A session in a canonical form: subscriptions by filter and inbound ids ascending (their order is free). */
export function canonicalSession(stored: StoredSession): unknown {
  return plain({
    session: stored.session,
    subscriptions: [...stored.subscriptions].sort((a, b) => compare(a.topicFilter, b.topicFilter)),
    outbound: stored.outbound,
    inboundPacketIds: [...stored.inboundPacketIds].sort((a, b) => a - b),
  });
}

/** A snapshot in a canonical form, with every unordered list sorted by its key. */
export function canonicalSnapshot(snapshot: StoreSnapshot): unknown {
  return {
    sessions: [...snapshot.sessions]
      .sort((a, b) => compare(a.session.clientId, b.session.clientId))
      .map(canonicalSession),
    retained: plain([...snapshot.retained].sort((a, b) => compare(a.topic, b.topic))),
    wills: plain([...snapshot.wills].sort((a, b) => compare(a.clientId, b.clientId))),
  };
}

/** Code-unit order, independent of locale. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
