import { describe, expect, it } from 'vitest';
import type { StoreOp } from '../store-op.js';
import {
  applyAll,
  type ConformanceContext,
  entry,
  loadExisting,
  message,
  plain,
  session,
} from './fixtures.js';

/** Store-once message bodies and their reference counting through outbound entries. */
export function describeMessages(ctx: ConformanceContext): void {
  async function messageCount(): Promise<number> {
    return (await ctx.store.stats()).messages;
  }

  describe('store-once messages', () => {
    it('stores a message body once for ten outbound entries', async () => {
      const ops: StoreOp[] = [
        { type: 'session.put', session: session('c1') },
        { type: 'message.put', message: message(1) },
      ];
      for (let seq = 1; seq <= 10; seq++)
        ops.push({ type: 'outbound.put', clientId: 'c1', entry: entry(seq, 1) });
      await applyAll(ctx.store, ops);
      expect(await ctx.store.stats()).toMatchObject({ messages: 1, outbound: 10 });
      const stored = await loadExisting(ctx.store, 'c1');
      for (const item of stored.outbound) expect(plain(item.message)).toStrictEqual(plain(message(1)));
    });

    it('deletes a message body with its last outbound entry', async () => {
      const ops: StoreOp[] = [
        { type: 'session.put', session: session('c1') },
        { type: 'message.put', message: message(1) },
      ];
      for (let seq = 1; seq <= 10; seq++)
        ops.push({ type: 'outbound.put', clientId: 'c1', entry: entry(seq, 1) });
      await applyAll(ctx.store, ops);
      for (let seq = 1; seq <= 9; seq++) {
        await applyAll(ctx.store, [{ type: 'outbound.delete', clientId: 'c1', seq }]);
        expect(await messageCount()).toBe(1);
      }
      await applyAll(ctx.store, [{ type: 'outbound.delete', clientId: 'c1', seq: 10 }]);
      expect(await ctx.store.stats()).toMatchObject({ messages: 0, outbound: 0 });
    });

    it('keeps a body shared by two sessions until both entries are gone', async () => {
      await applyAll(ctx.store, [
        { type: 'session.put', session: session('c1') },
        { type: 'session.put', session: session('c2') },
        { type: 'message.put', message: message(5) },
        { type: 'outbound.put', clientId: 'c1', entry: entry(1, 5) },
        { type: 'outbound.put', clientId: 'c2', entry: entry(1, 5) },
      ]);
      await applyAll(ctx.store, [{ type: 'outbound.delete', clientId: 'c1', seq: 1 }]);
      expect(await messageCount()).toBe(1);
      expect(plain((await loadExisting(ctx.store, 'c2')).outbound[0]?.message)).toStrictEqual(
        plain(message(5)),
      );
      await applyAll(ctx.store, [{ type: 'outbound.delete', clientId: 'c2', seq: 1 }]);
      expect(await messageCount()).toBe(0);
    });

    it('releases the old message when an entry is replaced with another message id', async () => {
      await applyAll(ctx.store, [
        { type: 'session.put', session: session('c1') },
        { type: 'message.put', message: message(1) },
        { type: 'message.put', message: message(2) },
        { type: 'outbound.put', clientId: 'c1', entry: entry(1, 1) },
        { type: 'outbound.put', clientId: 'c1', entry: entry(2, 2) },
      ]);
      await applyAll(ctx.store, [{ type: 'outbound.put', clientId: 'c1', entry: entry(1, 2) }]);
      expect(await ctx.store.stats()).toMatchObject({ messages: 1, outbound: 2 });
      const stored = await loadExisting(ctx.store, 'c1');
      expect(stored.outbound.map((item) => item.message.id)).toStrictEqual([2, 2]);
      await applyAll(ctx.store, [
        { type: 'outbound.delete', clientId: 'c1', seq: 1 },
        { type: 'outbound.delete', clientId: 'c1', seq: 2 },
      ]);
      expect(await messageCount()).toBe(0);
    });

    it('keeps the message when an entry is replaced with the same message id', async () => {
      await applyAll(ctx.store, [
        { type: 'session.put', session: session('c1') },
        { type: 'message.put', message: message(1) },
        { type: 'outbound.put', clientId: 'c1', entry: entry(1, 1) },
      ]);
      await applyAll(ctx.store, [
        { type: 'outbound.put', clientId: 'c1', entry: entry(1, 1, { state: 'sent', packetId: 1 }) },
      ]);
      expect(await ctx.store.stats()).toMatchObject({ messages: 1, outbound: 1 });
      await applyAll(ctx.store, [{ type: 'outbound.delete', clientId: 'c1', seq: 1 }]);
      expect(await messageCount()).toBe(0);
    });

    it('releases the messages of a deleted session', async () => {
      await applyAll(ctx.store, [
        { type: 'session.put', session: session('c1') },
        { type: 'session.put', session: session('c2') },
        { type: 'message.put', message: message(1) },
        { type: 'message.put', message: message(2) },
        { type: 'outbound.put', clientId: 'c1', entry: entry(1, 1) },
        { type: 'outbound.put', clientId: 'c1', entry: entry(2, 2) },
        { type: 'outbound.put', clientId: 'c2', entry: entry(1, 2) },
      ]);
      await applyAll(ctx.store, [{ type: 'session.delete', clientId: 'c1' }]);
      expect(await ctx.store.stats()).toMatchObject({ messages: 1, outbound: 1 });
      await applyAll(ctx.store, [{ type: 'session.delete', clientId: 'c2' }]);
      expect(await ctx.store.stats()).toMatchObject({ messages: 0, outbound: 0 });
    });

    it('lets an entry reference a message put in an earlier batch', async () => {
      await applyAll(ctx.store, [
        { type: 'session.put', session: session('c1') },
        { type: 'message.put', message: message(3) },
      ]);
      // A body waiting for its first entry is stored and counted.
      expect(await messageCount()).toBe(1);
      await applyAll(ctx.store, [{ type: 'outbound.put', clientId: 'c1', entry: entry(1, 3) }]);
      expect(plain((await loadExisting(ctx.store, 'c1')).outbound[0]?.message)).toStrictEqual(
        plain(message(3)),
      );
      expect(await messageCount()).toBe(1);
    });

    it('replaces a body put again under the same id and keeps its references', async () => {
      const second = message(1, { topic: 'other', payload: new Uint8Array([9]) });
      await applyAll(
        ctx.store,
        [
          { type: 'session.put', session: session('c1') },
          { type: 'message.put', message: message(1) },
          { type: 'outbound.put', clientId: 'c1', entry: entry(1, 1) },
          { type: 'outbound.put', clientId: 'c1', entry: entry(2, 1) },
        ],
        [{ type: 'message.put', message: second }],
      );
      const stored = await loadExisting(ctx.store, 'c1');
      expect(stored.outbound.map((item) => plain(item.message))).toStrictEqual([
        plain(second),
        plain(second),
      ]);
      await applyAll(ctx.store, [{ type: 'outbound.delete', clientId: 'c1', seq: 1 }]);
      expect(await messageCount()).toBe(1);
      await applyAll(ctx.store, [{ type: 'outbound.delete', clientId: 'c1', seq: 2 }]);
      expect(await messageCount()).toBe(0);
    });

    it('counts retained messages and wills apart from queued bodies', async () => {
      await applyAll(ctx.store, [
        { type: 'session.put', session: session('c1') },
        { type: 'message.put', message: message(1) },
        { type: 'outbound.put', clientId: 'c1', entry: entry(1, 1) },
        // The same id as the queued body: retained messages and wills are separate records.
        { type: 'retained.put', message: message(1, { topic: 'r' }) },
        { type: 'will.put', will: { clientId: 'c1', message: message(1, { topic: 'w' }), publishAt: 5 } },
      ]);
      expect(await ctx.store.stats()).toMatchObject({ messages: 1, retained: 1, wills: 1 });
      await applyAll(ctx.store, [{ type: 'outbound.delete', clientId: 'c1', seq: 1 }]);
      expect(await ctx.store.stats()).toMatchObject({ messages: 0, retained: 1, wills: 1 });
      const snapshot = await ctx.store.load();
      expect(snapshot.retained.map((m) => m.topic)).toStrictEqual(['r']);
      expect(snapshot.wills.map((w) => w.message.topic)).toStrictEqual(['w']);
    });
  });
}
