import type {
  OutboundRecord,
  SessionRecord,
  StoredMessage,
  StoredSession,
  StoreSnapshot,
  StoreStats,
  SubscriptionRecord,
  WillRecord,
} from './records.js';
import type { SessionStore } from './session-store.js';
import type { StoreOp } from './store-op.js';

/** One client's state: its session record and the records that belong to it. */
interface MemorySession {
  record: SessionRecord;
  /** Keyed by topic filter, `$share/{group}/…` included. */
  subscriptions: Map<string, SubscriptionRecord>;
  /** Keyed by `seq`; kept in insertion order and sorted only when read (reads are rare). */
  outbound: Map<number, OutboundRecord>;
  inbound: Set<number>;
}

/** A message body with the number of outbound entries that reference it (store-once). */
interface MessageSlot {
  message: StoredMessage;
  refs: number;
}

/**
 * The embedded default `SessionStore`: plain maps in the broker's process. Nothing survives a restart,
 * so `durable` is false and the broker never waits for it before PUBACK/PUBREC.
 *
 * Every method answers synchronously (a value, never a promise): the broker's hot path checks for a
 * promise and pays nothing here (design decision 7).
 *
 * Where the interface is silent, this store (and the conformance suite) decides:
 * - a delete of something absent is a no-op;
 * - `session.put` of a known client replaces the record and keeps its subscriptions, queue and ids;
 * - `message.put` of a known id replaces the body and keeps its reference count; a body that no entry
 *   references yet is kept (an entry may reference it in a later batch) and counts in `stats()`;
 * - an op that can only come from a broker bug throws a `TypeError` naming what is missing:
 *   `subscription.put`, `outbound.put` or `inbound.put` for a client with no session, or an
 *   `outbound.put` whose message is not stored. The ops before it in the batch stay applied, the ops
 *   from it on are not (this store is not transactional; durable stores roll the batch back).
 */
export class MemoryStore implements SessionStore {
  /** Always false: the content lives in the process and dies with it. */
  readonly durable = false;

  readonly #sessions = new Map<string, MemorySession>();
  readonly #messages = new Map<number, MessageSlot>();
  readonly #retained = new Map<string, StoredMessage>();
  readonly #wills = new Map<string, WillRecord>();
  // Counted as they change, so `stats()` is O(1) however many sessions there are.
  #subscriptionCount = 0;
  #outboundCount = 0;
  #inboundCount = 0;

  /** Everything stored, in fresh arrays; the records themselves are shared, never copied. */
  load(): StoreSnapshot {
    const sessions: StoredSession[] = [];
    for (const state of this.#sessions.values()) sessions.push(this.#toStoredSession(state));
    return {
      sessions,
      retained: Array.from(this.#retained.values()),
      wills: Array.from(this.#wills.values()),
    };
  }

  /** One session with its subscriptions, queue (in `seq` order) and inbound QoS 2 ids. */
  loadSession(clientId: string): StoredSession | undefined {
    const state = this.#sessions.get(clientId);
    return state === undefined ? undefined : this.#toStoredSession(state);
  }

  /** Apply the ops in array order, synchronously; throws a `TypeError` on an op only a bug can send. */
  apply(ops: readonly StoreOp[]): void {
    // An indexed loop, not for-of: no iterator object per batch on the hot path.
    for (let i = 0; i < ops.length; i++) this.#applyOp(ops[i]!);
  }

  /** Record counts. */
  stats(): StoreStats {
    return {
      sessions: this.#sessions.size,
      subscriptions: this.#subscriptionCount,
      messages: this.#messages.size,
      outbound: this.#outboundCount,
      inbound: this.#inboundCount,
      retained: this.#retained.size,
      wills: this.#wills.size,
    };
  }

  /** Drop everything: a closed memory store is empty. */
  close(): void {
    this.#sessions.clear();
    this.#messages.clear();
    this.#retained.clear();
    this.#wills.clear();
    this.#subscriptionCount = 0;
    this.#outboundCount = 0;
    this.#inboundCount = 0;
  }

  #applyOp(op: StoreOp): void {
    switch (op.type) {
      case 'session.put': {
        const state = this.#sessions.get(op.session.clientId);
        if (state === undefined) {
          this.#sessions.set(op.session.clientId, {
            record: op.session,
            subscriptions: new Map(),
            outbound: new Map(),
            inbound: new Set(),
          });
        } else {
          state.record = op.session;
        }
        return;
      }
      case 'session.delete':
        this.#deleteSession(op.clientId);
        return;
      case 'subscription.put': {
        const subscriptions = this.#requireSession(op.type, op.clientId).subscriptions;
        const before = subscriptions.size;
        subscriptions.set(op.subscription.topicFilter, op.subscription);
        this.#subscriptionCount += subscriptions.size - before;
        return;
      }
      case 'subscription.delete':
        if (this.#sessions.get(op.clientId)?.subscriptions.delete(op.topicFilter)) {
          this.#subscriptionCount--;
        }
        return;
      case 'message.put': {
        const slot = this.#messages.get(op.message.id);
        if (slot === undefined) this.#messages.set(op.message.id, { message: op.message, refs: 0 });
        else slot.message = op.message;
        return;
      }
      case 'outbound.put':
        this.#putOutbound(op.clientId, op.entry);
        return;
      case 'outbound.delete': {
        const outbound = this.#sessions.get(op.clientId)?.outbound;
        const entry = outbound?.get(op.seq);
        if (outbound === undefined || entry === undefined) return;
        outbound.delete(op.seq);
        this.#outboundCount--;
        this.#release(entry.messageId);
        return;
      }
      case 'inbound.put': {
        const inbound = this.#requireSession(op.type, op.clientId).inbound;
        const before = inbound.size;
        inbound.add(op.packetId);
        this.#inboundCount += inbound.size - before;
        return;
      }
      case 'inbound.delete':
        if (this.#sessions.get(op.clientId)?.inbound.delete(op.packetId)) this.#inboundCount--;
        return;
      case 'retained.put':
        this.#retained.set(op.message.topic, op.message);
        return;
      case 'retained.delete':
        this.#retained.delete(op.topic);
        return;
      case 'will.put':
        this.#wills.set(op.will.clientId, op.will);
        return;
      case 'will.delete':
        this.#wills.delete(op.clientId);
        return;
    }
  }

  #putOutbound(clientId: string, entry: OutboundRecord): void {
    const outbound = this.#requireSession('outbound.put', clientId).outbound;
    const slot = this.#messages.get(entry.messageId);
    if (slot === undefined) {
      throw new TypeError(
        `outbound.put for client ${JSON.stringify(clientId)} references message ${entry.messageId}, which is not stored`,
      );
    }
    const previous = outbound.get(entry.seq);
    // Take the new reference before releasing the old one: replacing an entry by one with the same
    // message must not drop the body in between.
    slot.refs++;
    outbound.set(entry.seq, entry);
    if (previous === undefined) this.#outboundCount++;
    else this.#release(previous.messageId);
  }

  #release(messageId: number): void {
    const slot = this.#messages.get(messageId);
    if (slot !== undefined && --slot.refs <= 0) this.#messages.delete(messageId);
  }

  #deleteSession(clientId: string): void {
    const state = this.#sessions.get(clientId);
    if (state === undefined) return;
    this.#sessions.delete(clientId);
    this.#subscriptionCount -= state.subscriptions.size;
    this.#inboundCount -= state.inbound.size;
    this.#outboundCount -= state.outbound.size;
    for (const entry of state.outbound.values()) this.#release(entry.messageId);
  }

  #requireSession(opType: StoreOp['type'], clientId: string): MemorySession {
    const state = this.#sessions.get(clientId);
    if (state === undefined) {
      throw new TypeError(`${opType} for client ${JSON.stringify(clientId)}, which has no session`);
    }
    return state;
  }

  #toStoredSession(state: MemorySession): StoredSession {
    const outbound: StoredSession['outbound'] = [];
    let isSorted = true;
    let previousSeq = Number.NEGATIVE_INFINITY;
    for (const entry of state.outbound.values()) {
      if (entry.seq < previousSeq) isSorted = false;
      previousSeq = entry.seq;
      // Every entry holds a reference, so its body is stored.
      outbound.push({ entry, message: this.#messages.get(entry.messageId)!.message });
    }
    if (!isSorted) outbound.sort((a, b) => a.entry.seq - b.entry.seq);
    return {
      session: state.record,
      subscriptions: Array.from(state.subscriptions.values()),
      outbound,
      inboundPacketIds: Array.from(state.inbound),
    };
  }
}
