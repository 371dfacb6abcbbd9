import { describe, expect, it } from 'vitest';
import type { OutboundRecord } from '../records.js';
import {
  applyAll,
  type ConformanceContext,
  entry,
  loadExisting,
  message,
  outboundSeqs,
  plain,
  session,
} from './fixtures.js';

/** Outbound entries: order by seq, the queued → sent → released flow, replacement and deletion. */
export function describeOutbound(ctx: ConformanceContext): void {
  describe('outbound entries', () => {
    it('loads outbound entries in seq order whatever the insertion order', async () => {
      const seqs = [5, 1, 40, 3, 2, 1000, 17];
      await applyAll(ctx.store, [
        { type: 'session.put', session: session('c1') },
        { type: 'message.put', message: message(1) },
        ...seqs
          .slice(0, 4)
          .map((seq) => ({ type: 'outbound.put' as const, clientId: 'c1', entry: entry(seq, 1) })),
      ]);
      await applyAll(
        ctx.store,
        seqs.slice(4).map((seq) => ({ type: 'outbound.put' as const, clientId: 'c1', entry: entry(seq, 1) })),
      );
      expect(await outboundSeqs(ctx.store, 'c1')).toStrictEqual([1, 2, 3, 5, 17, 40, 1000]);
      const fromLoad = (await ctx.store.load()).sessions[0]?.outbound.map((item) => item.entry.seq);
      expect(fromLoad).toStrictEqual([1, 2, 3, 5, 17, 40, 1000]);
    });

    it('joins each outbound entry with its message', async () => {
      await applyAll(ctx.store, [
        { type: 'session.put', session: session('c1') },
        { type: 'message.put', message: message(10) },
        { type: 'message.put', message: message(20) },
        { type: 'outbound.put', clientId: 'c1', entry: entry(2, 10) },
        { type: 'outbound.put', clientId: 'c1', entry: entry(1, 20) },
      ]);
      const stored = await loadExisting(ctx.store, 'c1');
      expect(plain(stored.outbound)).toStrictEqual(
        plain([
          { entry: entry(1, 20), message: message(20) },
          { entry: entry(2, 10), message: message(10) },
        ]),
      );
    });

    it('moves an entry from queued to sent to released', async () => {
      const queued = entry(1, 1, { qos: 2 });
      const sent: OutboundRecord = { ...queued, state: 'sent', packetId: 42 };
      const released: OutboundRecord = { ...queued, state: 'released', packetId: 42 };
      await applyAll(ctx.store, [
        { type: 'session.put', session: session('c1') },
        { type: 'message.put', message: message(1, { qos: 2 }) },
        { type: 'outbound.put', clientId: 'c1', entry: queued },
      ]);
      const first = (await loadExisting(ctx.store, 'c1')).outbound[0]?.entry;
      expect(first).not.toHaveProperty('packetId');
      expect(plain(first)).toStrictEqual(plain(queued));
      for (const next of [sent, released]) {
        await applyAll(ctx.store, [{ type: 'outbound.put', clientId: 'c1', entry: next }]);
        const stored = await loadExisting(ctx.store, 'c1');
        expect(stored.outbound).toHaveLength(1);
        expect(plain(stored.outbound[0]?.entry)).toStrictEqual(plain(next));
      }
      expect((await ctx.store.stats()).outbound).toBe(1);
    });

    it('replaces an entry by seq without adding one', async () => {
      await applyAll(ctx.store, [
        { type: 'session.put', session: session('c1') },
        { type: 'message.put', message: message(1) },
        { type: 'outbound.put', clientId: 'c1', entry: entry(1, 1) },
        { type: 'outbound.put', clientId: 'c1', entry: entry(2, 1) },
        { type: 'outbound.put', clientId: 'c1', entry: entry(1, 1, { qos: 0, retain: true }) },
      ]);
      const stored = await loadExisting(ctx.store, 'c1');
      expect(stored.outbound.map((item) => plain(item.entry))).toStrictEqual([
        plain(entry(1, 1, { qos: 0, retain: true })),
        plain(entry(2, 1)),
      ]);
      expect((await ctx.store.stats()).outbound).toBe(2);
    });

    it('stores the subscription identifiers and retain flag of a delivery', async () => {
      const delivery = entry(1, 1, { retain: true, subscriptionIdentifiers: [1, 268_435_455, 7] });
      await applyAll(ctx.store, [
        { type: 'session.put', session: session('c1') },
        { type: 'message.put', message: message(1) },
        { type: 'outbound.put', clientId: 'c1', entry: delivery },
        { type: 'outbound.put', clientId: 'c1', entry: entry(2, 1) },
      ]);
      const stored = await loadExisting(ctx.store, 'c1');
      expect(plain(stored.outbound[0]?.entry)).toStrictEqual(plain(delivery));
      expect(stored.outbound[1]?.entry).not.toHaveProperty('subscriptionIdentifiers');
    });

    it('deletes one entry by seq and keeps the others in order', async () => {
      await applyAll(ctx.store, [
        { type: 'session.put', session: session('c1') },
        { type: 'message.put', message: message(1) },
        { type: 'outbound.put', clientId: 'c1', entry: entry(1, 1) },
        { type: 'outbound.put', clientId: 'c1', entry: entry(2, 1) },
        { type: 'outbound.put', clientId: 'c1', entry: entry(3, 1) },
      ]);
      await applyAll(ctx.store, [{ type: 'outbound.delete', clientId: 'c1', seq: 2 }]);
      expect(await outboundSeqs(ctx.store, 'c1')).toStrictEqual([1, 3]);
      expect((await ctx.store.stats()).outbound).toBe(2);
    });

    it('keeps the seq spaces of two sessions apart', async () => {
      await applyAll(ctx.store, [
        { type: 'session.put', session: session('c1') },
        { type: 'session.put', session: session('c2') },
        { type: 'message.put', message: message(1) },
        { type: 'message.put', message: message(2) },
        { type: 'outbound.put', clientId: 'c1', entry: entry(1, 1) },
        { type: 'outbound.put', clientId: 'c2', entry: entry(1, 2) },
        { type: 'outbound.delete', clientId: 'c1', seq: 1 },
      ]);
      expect(await outboundSeqs(ctx.store, 'c1')).toStrictEqual([]);
      const other = await loadExisting(ctx.store, 'c2');
      expect(other.outbound.map((item) => item.message.id)).toStrictEqual([2]);
      expect(await ctx.store.stats()).toMatchObject({ outbound: 1, messages: 1 });
    });

    it('treats deleting an unknown entry as a no-op', async () => {
      await applyAll(ctx.store, [
        { type: 'session.put', session: session('c1') },
        { type: 'message.put', message: message(1) },
        { type: 'outbound.put', clientId: 'c1', entry: entry(1, 1) },
        { type: 'outbound.delete', clientId: 'c1', seq: 2 },
        { type: 'outbound.delete', clientId: 'nobody', seq: 1 },
      ]);
      expect(await outboundSeqs(ctx.store, 'c1')).toStrictEqual([1]);
      expect(await ctx.store.stats()).toMatchObject({ outbound: 1, messages: 1 });
    });
  });
}
