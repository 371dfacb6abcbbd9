import { describe, expect, it } from 'vitest';
import type { StoreOp } from '../store-op.js';
import {
  applyAll,
  type ConformanceContext,
  canonicalSnapshot,
  entry,
  message,
  session,
  subscription,
  will,
} from './fixtures.js';

/** A store with one of everything, written over several batches. */
const EVERYTHING: StoreOp[][] = [
  [
    { type: 'session.put', session: session('c1', { disconnectedAt: 1_700_000_000_000 }) },
    { type: 'session.put', session: session('c2', { protocolVersion: 4 }) },
    {
      type: 'subscription.put',
      clientId: 'c1',
      subscription: subscription('a/+', { subscriptionIdentifier: 4 }),
    },
    { type: 'subscription.put', clientId: 'c1', subscription: subscription('$share/g/a/+', { qos: 2 }) },
    { type: 'message.put', message: message(1, { payload: new Uint8Array([0, 0xff, 0x80]) }) },
    {
      type: 'message.put',
      message: message(2, {
        properties: {
          userProperties: [
            ['k', 'v'],
            ['k', 'w'],
          ],
        },
      }),
    },
    { type: 'outbound.put', clientId: 'c1', entry: entry(3, 2) },
    { type: 'outbound.put', clientId: 'c1', entry: entry(1, 1, { state: 'sent', packetId: 10, qos: 2 }) },
    { type: 'outbound.put', clientId: 'c2', entry: entry(1, 1) },
  ],
  [
    { type: 'inbound.put', clientId: 'c2', packetId: 5 },
    { type: 'outbound.put', clientId: 'c1', entry: entry(1, 1, { state: 'released', packetId: 10, qos: 2 }) },
    { type: 'retained.put', message: message(3, { topic: 'r/1', retain: true }) },
    { type: 'retained.put', message: message(4, { topic: 'r/2', payload: new Uint8Array(0) }) },
    { type: 'will.put', will: will('c3') },
  ],
];

/** What a durable backend keeps across a close and reopen; registered for durable backends only. */
export function describeDurability(ctx: ConformanceContext): void {
  if (!ctx.durable) return;
  describe('reopen', () => {
    it('keeps every record across a reopen', async () => {
      await applyAll(ctx.store, ...EVERYTHING);
      const before = canonicalSnapshot(await ctx.store.load());
      const statsBefore = await ctx.store.stats();
      await ctx.reopen();
      expect(canonicalSnapshot(await ctx.store.load())).toStrictEqual(before);
      expect(await ctx.store.stats()).toStrictEqual(statsBefore);
    });

    it('keeps message reference counts across a reopen', async () => {
      await applyAll(ctx.store, ...EVERYTHING);
      await ctx.reopen();
      await applyAll(ctx.store, [{ type: 'outbound.delete', clientId: 'c1', seq: 1 }]);
      expect((await ctx.store.stats()).messages).toBe(2);
      await applyAll(ctx.store, [{ type: 'session.delete', clientId: 'c2' }]);
      expect((await ctx.store.stats()).messages).toBe(1);
      await applyAll(ctx.store, [{ type: 'outbound.delete', clientId: 'c1', seq: 3 }]);
      expect((await ctx.store.stats()).messages).toBe(0);
    });

    it('keeps deletions across a reopen', async () => {
      await applyAll(ctx.store, ...EVERYTHING, [
        { type: 'session.delete', clientId: 'c1' },
        { type: 'retained.delete', topic: 'r/1' },
        { type: 'will.delete', clientId: 'c3' },
      ]);
      await ctx.reopen();
      expect(await ctx.store.loadSession('c1')).toBeUndefined();
      expect(await ctx.store.stats()).toStrictEqual({
        sessions: 1,
        subscriptions: 0,
        messages: 1,
        outbound: 1,
        inbound: 1,
        retained: 1,
        wills: 0,
      });
    });
  });
}
