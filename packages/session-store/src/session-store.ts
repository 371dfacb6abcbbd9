import type { StoredSession, StoreSnapshot, StoreStats } from './records.js';
import type { StoreOp } from './store-op.js';

/** A value, or a promise of it: sync stores answer at once so the broker's hot path never awaits. */
export type MaybePromise<T> = T | Promise<T>;

/**
 * Where the broker keeps what must outlive a connection (design decision 6). The broker's memory is
 * authoritative while it runs; the store is the record it writes behind and reads back:
 * - at start, `load()` returns every session, retained message and pending will;
 * - while running, every change goes through `apply(ops)` in batches, one per event-loop turn;
 * - when a client connects and the broker has no session for it in memory, `loadSession` asks the
 *   store (a store shared by several brokers may hold one written elsewhere).
 *
 * Contract (checked by `@mqttkit/session-store/conformance`):
 * - batches are applied in call order, and the ops of one batch in array order;
 * - a durable store (`durable: true`) resolves `apply` only once the whole batch is committed, and
 *   commits a batch all or nothing: the broker sends PUBACK/PUBREC only after that;
 * - a message body is stored once and deleted when the last outbound entry referencing it goes;
 * - records handed to `apply` may be retained by the store as they are: the broker never mutates a
 *   record after handing it over, and never mutates a record a store returned.
 */
export interface SessionStore {
  /** True when an applied batch survives a crash of the process (not true of `MemoryStore`). */
  readonly durable: boolean;
  /** Everything stored, read once when the broker starts. */
  load(): MaybePromise<StoreSnapshot>;
  /** One session with its subscriptions, queue and inbound QoS 2 ids; undefined if unknown. */
  loadSession(clientId: string): MaybePromise<StoredSession | undefined>;
  /** Apply a batch of changes. */
  apply(ops: readonly StoreOp[]): MaybePromise<void>;
  /** Record counts, for metrics. */
  stats(): MaybePromise<StoreStats>;
  /** Release resources; the store is not used afterwards. */
  close(): MaybePromise<void>;
}
