import { describe, expect, it } from 'vitest';
import { describeSessionStoreConformance } from './conformance/index.js';
import { MemoryStore } from './memory-store.js';
import type { OutboundRecord, StoredMessage, StoreSnapshot } from './records.js';
import type { SessionStore } from './session-store.js';
import type { StoreOp } from './store-op.js';

describeSessionStoreConformance('MemoryStore', () => new MemoryStore());

/** A fresh `MemoryStore` holding what `snapshot` holds, written back through `apply`. */
function rebuild(snapshot: StoreSnapshot): MemoryStore {
  const ops: StoreOp[] = [];
  for (const { session, subscriptions, outbound, inboundPacketIds } of snapshot.sessions) {
    const clientId = session.clientId;
    ops.push({ type: 'session.put', session });
    for (const subscription of subscriptions) ops.push({ type: 'subscription.put', clientId, subscription });
    for (const { entry, message } of outbound) {
      ops.push({ type: 'message.put', message }, { type: 'outbound.put', clientId, entry });
    }
    for (const packetId of inboundPacketIds) ops.push({ type: 'inbound.put', clientId, packetId });
  }
  for (const message of snapshot.retained) ops.push({ type: 'retained.put', message });
  for (const will of snapshot.wills) ops.push({ type: 'will.put', will });
  const store = new MemoryStore();
  store.apply(ops);
  return store;
}

/**
 * A stand-in for a durable backend, so the suite's durable-only tests run here too: async answers,
 * all-or-nothing batches, and a reopen that keeps only what `load()` returned.
 */
class DurableDouble implements SessionStore {
  readonly durable = true;
  #inner: MemoryStore;
  constructor(inner = new MemoryStore()) {
    this.#inner = inner;
  }
  async load() {
    return this.#inner.load();
  }
  async loadSession(clientId: string) {
    return this.#inner.loadSession(clientId);
  }
  async apply(ops: readonly StoreOp[]) {
    const before = this.#inner.load();
    try {
      this.#inner.apply(ops);
    } catch (error) {
      this.#inner = rebuild(before);
      throw error;
    }
  }
  async stats() {
    return this.#inner.stats();
  }
  async close() {}
  /** The same data, replayed into a new store. */
  reopened(): DurableDouble {
    return new DurableDouble(rebuild(this.#inner.load()));
  }
}

describeSessionStoreConformance('durable double over MemoryStore', () => new DurableDouble(), {
  durable: true,
  reopen: (store) => {
    if (!(store instanceof DurableDouble)) throw new TypeError('not a DurableDouble');
    return store.reopened();
  },
});

const msg = (id: number): StoredMessage => ({
  id,
  topic: 't',
  payload: new Uint8Array([1]),
  qos: 1,
  retain: false,
});
const out = (seq: number, messageId: number): OutboundRecord => ({
  seq,
  messageId,
  qos: 1,
  retain: false,
  state: 'queued',
});

describe('MemoryStore specifics', () => {
  it('is not durable', () => {
    expect(new MemoryStore().durable).toBe(false);
  });

  it('answers every method synchronously, never with a promise', () => {
    const store = new MemoryStore();
    const applied = store.apply([
      { type: 'session.put', session: { clientId: 'c', protocolVersion: 5, expiryInterval: 0 } },
    ]);
    expect(applied).toBeUndefined();
    for (const answer of [store.load(), store.loadSession('c'), store.stats()]) {
      expect(answer).not.toBeInstanceOf(Promise);
    }
    expect(store.loadSession('c')?.session.clientId).toBe('c');
    expect(store.close()).toBeUndefined();
  });

  it('throws the TypeError synchronously and keeps the ops before the bad one', () => {
    const store = new MemoryStore();
    expect(() =>
      store.apply([
        { type: 'session.put', session: { clientId: 'c', protocolVersion: 5, expiryInterval: 0 } },
        { type: 'message.put', message: msg(1) },
        { type: 'outbound.put', clientId: 'c', entry: out(1, 1) },
        { type: 'outbound.put', clientId: 'c', entry: out(2, 404) },
        { type: 'inbound.put', clientId: 'c', packetId: 9 },
      ]),
    ).toThrow(new TypeError('outbound.put for client "c" references message 404, which is not stored'));
    expect(store.stats()).toMatchObject({ sessions: 1, messages: 1, outbound: 1, inbound: 0 });
  });

  it('names the op and the client when the session is missing', () => {
    const store = new MemoryStore();
    expect(() => store.apply([{ type: 'inbound.put', clientId: 'ghost', packetId: 1 }])).toThrow(
      new TypeError('inbound.put for client "ghost", which has no session'),
    );
  });

  it('keeps the stored records themselves, without copying them', () => {
    const store = new MemoryStore();
    const message = msg(1);
    store.apply([
      { type: 'session.put', session: { clientId: 'c', protocolVersion: 5, expiryInterval: 0 } },
      { type: 'message.put', message },
      { type: 'outbound.put', clientId: 'c', entry: out(1, 1) },
    ]);
    expect(store.loadSession('c')?.outbound[0]?.message).toBe(message);
  });

  it('is empty after close', () => {
    const store = new MemoryStore();
    store.apply([
      { type: 'session.put', session: { clientId: 'c', protocolVersion: 5, expiryInterval: 0 } },
      { type: 'retained.put', message: msg(1) },
    ]);
    store.close();
    expect(store.load()).toStrictEqual({ sessions: [], retained: [], wills: [] });
    expect(store.stats().sessions).toBe(0);
  });
});
