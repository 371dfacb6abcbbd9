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
  subscription,
  will,
} from './fixtures.js';

/** Ops applied in array order within a batch, and batches in call order. */
export function describeOrdering(ctx: ConformanceContext): void {
  describe('ordering', () => {
    it('leaves nothing after a put then a delete in one batch', async () => {
      await applyAll(ctx.store, [
        { type: 'session.put', session: session('c1') },
        { type: 'subscription.put', clientId: 'c1', subscription: subscription('a') },
        { type: 'subscription.delete', clientId: 'c1', topicFilter: 'a' },
        { type: 'inbound.put', clientId: 'c1', packetId: 1 },
        { type: 'inbound.delete', clientId: 'c1', packetId: 1 },
        { type: 'message.put', message: message(1) },
        { type: 'outbound.put', clientId: 'c1', entry: entry(1, 1) },
        { type: 'outbound.delete', clientId: 'c1', seq: 1 },
        { type: 'retained.put', message: message(2, { topic: 'r' }) },
        { type: 'retained.delete', topic: 'r' },
        { type: 'will.put', will: will('c1') },
        { type: 'will.delete', clientId: 'c1' },
        { type: 'session.put', session: session('c2') },
        { type: 'session.delete', clientId: 'c2' },
      ]);
      expect(await ctx.store.stats()).toStrictEqual({
        sessions: 1,
        subscriptions: 0,
        messages: 0,
        outbound: 0,
        inbound: 0,
        retained: 0,
        wills: 0,
      });
      expect(await ctx.store.loadSession('c2')).toBeUndefined();
    });

    it('keeps the record after a delete then a put in one batch', async () => {
      await applyAll(ctx.store, [
        { type: 'session.put', session: session('c1') },
        { type: 'message.put', message: message(1) },
      ]);
      await applyAll(ctx.store, [
        { type: 'subscription.delete', clientId: 'c1', topicFilter: 'a' },
        { type: 'subscription.put', clientId: 'c1', subscription: subscription('a') },
        { type: 'inbound.delete', clientId: 'c1', packetId: 1 },
        { type: 'inbound.put', clientId: 'c1', packetId: 1 },
        { type: 'outbound.delete', clientId: 'c1', seq: 1 },
        { type: 'outbound.put', clientId: 'c1', entry: entry(1, 1) },
        { type: 'retained.delete', topic: 'r' },
        { type: 'retained.put', message: message(2, { topic: 'r' }) },
        { type: 'will.delete', clientId: 'c1' },
        { type: 'will.put', will: will('c1') },
        { type: 'session.delete', clientId: 'c2' },
        { type: 'session.put', session: session('c2') },
      ]);
      expect(await ctx.store.stats()).toStrictEqual({
        sessions: 2,
        subscriptions: 1,
        messages: 1,
        outbound: 1,
        inbound: 1,
        retained: 1,
        wills: 1,
      });
    });

    it('applies the last of several puts of one record in a batch', async () => {
      await applyAll(ctx.store, [
        { type: 'session.put', session: session('c1', { expiryInterval: 1 }) },
        { type: 'session.put', session: session('c1', { expiryInterval: 2 }) },
        { type: 'subscription.put', clientId: 'c1', subscription: subscription('a', { qos: 0 }) },
        { type: 'subscription.put', clientId: 'c1', subscription: subscription('a', { qos: 2 }) },
      ]);
      const stored = await loadExisting(ctx.store, 'c1');
      expect(stored.session.expiryInterval).toBe(2);
      expect(plain(stored.subscriptions)).toStrictEqual(plain([subscription('a', { qos: 2 })]));
    });

    it('applies batches in call order without awaiting between calls', async () => {
      const batches: StoreOp[][] = [
        [
          { type: 'session.put', session: session('c1', { expiryInterval: 1 }) },
          { type: 'message.put', message: message(1) },
          { type: 'outbound.put', clientId: 'c1', entry: entry(1, 1) },
        ],
        [
          { type: 'session.put', session: session('c1', { expiryInterval: 2 }) },
          { type: 'outbound.delete', clientId: 'c1', seq: 1 },
          { type: 'retained.put', message: message(5, { topic: 'r' }) },
        ],
        [{ type: 'retained.delete', topic: 'r' }],
        [
          { type: 'session.put', session: session('c1', { expiryInterval: 3 }) },
          { type: 'retained.put', message: message(6, { topic: 'r' }) },
        ],
      ];
      // All calls are made before any result is awaited: an async backend must queue them in order.
      const pending = batches.map((batch) => ctx.store.apply(batch));
      await Promise.all(pending);
      expect((await loadExisting(ctx.store, 'c1')).session.expiryInterval).toBe(3);
      expect((await ctx.store.load()).retained.map((m) => m.id)).toStrictEqual([6]);
      expect(await ctx.store.stats()).toMatchObject({ messages: 0, outbound: 0, retained: 1 });
    });

    it('accepts an empty batch', async () => {
      await applyAll(ctx.store, [{ type: 'session.put', session: session('c1') }], []);
      expect((await ctx.store.stats()).sessions).toBe(1);
    });
  });
}
