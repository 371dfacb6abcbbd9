import { describe, expect, it } from 'vitest';
import { SESSION_NEVER_EXPIRES } from '../records.js';
import {
  applyAll,
  type ConformanceContext,
  canonicalSession,
  entry,
  loadExisting,
  message,
  plain,
  session,
  subscription,
  will,
} from './fixtures.js';

/** Sessions, their cascade on delete, and inbound QoS 2 packet ids. */
export function describeSessions(ctx: ConformanceContext): void {
  describe('sessions', () => {
    it('is as durable as the suite was told', () => {
      expect(ctx.store.durable).toBe(ctx.durable);
    });

    it('starts empty', async () => {
      expect(await ctx.store.load()).toStrictEqual({ sessions: [], retained: [], wills: [] });
      expect(await ctx.store.stats()).toStrictEqual({
        sessions: 0,
        subscriptions: 0,
        messages: 0,
        outbound: 0,
        inbound: 0,
        retained: 0,
        wills: 0,
      });
    });

    it('loads undefined for an unknown client', async () => {
      await applyAll(ctx.store, [{ type: 'session.put', session: session('known') }]);
      expect(await ctx.store.loadSession('unknown')).toBeUndefined();
    });

    it('stores a session and loads it back with empty lists', async () => {
      const record = session('c1', { protocolVersion: 4, expiryInterval: SESSION_NEVER_EXPIRES });
      await applyAll(ctx.store, [{ type: 'session.put', session: record }]);
      expect(plain(await ctx.store.loadSession('c1'))).toStrictEqual(
        plain({ session: record, subscriptions: [], outbound: [], inboundPacketIds: [] }),
      );
      expect((await ctx.store.stats()).sessions).toBe(1);
    });

    it('keeps disconnectedAt absent until it is set', async () => {
      await applyAll(ctx.store, [{ type: 'session.put', session: session('c1') }]);
      expect((await loadExisting(ctx.store, 'c1')).session).not.toHaveProperty('disconnectedAt');
      const disconnected = session('c1', { disconnectedAt: 1_700_000_123_456 });
      await applyAll(ctx.store, [{ type: 'session.put', session: disconnected }]);
      expect(plain((await loadExisting(ctx.store, 'c1')).session)).toStrictEqual(plain(disconnected));
    });

    it('replaces a session record and keeps its subscriptions, queue and inbound ids', async () => {
      await applyAll(ctx.store, [
        { type: 'session.put', session: session('c1', { expiryInterval: 10 }) },
        { type: 'subscription.put', clientId: 'c1', subscription: subscription('a/b') },
        { type: 'message.put', message: message(1) },
        { type: 'outbound.put', clientId: 'c1', entry: entry(1, 1) },
        { type: 'inbound.put', clientId: 'c1', packetId: 7 },
      ]);
      const replacement = session('c1', { protocolVersion: 3, expiryInterval: 99 });
      await applyAll(ctx.store, [{ type: 'session.put', session: replacement }]);
      const stored = await loadExisting(ctx.store, 'c1');
      expect(plain(stored.session)).toStrictEqual(plain(replacement));
      expect(stored.subscriptions.map((s) => s.topicFilter)).toStrictEqual(['a/b']);
      expect(stored.outbound.map((o) => o.entry.seq)).toStrictEqual([1]);
      expect(stored.inboundPacketIds).toStrictEqual([7]);
      expect((await ctx.store.stats()).sessions).toBe(1);
    });

    it('deletes a session with its subscriptions, outbound entries and inbound ids', async () => {
      await applyAll(ctx.store, [
        { type: 'session.put', session: session('c1') },
        { type: 'subscription.put', clientId: 'c1', subscription: subscription('a/#') },
        { type: 'message.put', message: message(1) },
        { type: 'outbound.put', clientId: 'c1', entry: entry(1, 1) },
        { type: 'inbound.put', clientId: 'c1', packetId: 3 },
      ]);
      await applyAll(ctx.store, [{ type: 'session.delete', clientId: 'c1' }]);
      expect(await ctx.store.loadSession('c1')).toBeUndefined();
      expect((await ctx.store.load()).sessions).toStrictEqual([]);
      expect(await ctx.store.stats()).toMatchObject({
        sessions: 0,
        subscriptions: 0,
        outbound: 0,
        inbound: 0,
      });
    });

    it('starts a deleted then recreated session with nothing of the old one', async () => {
      await applyAll(ctx.store, [
        { type: 'session.put', session: session('c1') },
        { type: 'subscription.put', clientId: 'c1', subscription: subscription('a') },
        { type: 'inbound.put', clientId: 'c1', packetId: 1 },
      ]);
      await applyAll(ctx.store, [
        { type: 'session.delete', clientId: 'c1' },
        { type: 'session.put', session: session('c1') },
      ]);
      const stored = await loadExisting(ctx.store, 'c1');
      expect(stored.subscriptions).toStrictEqual([]);
      expect(stored.inboundPacketIds).toStrictEqual([]);
    });

    it('keeps other sessions when one is deleted', async () => {
      await applyAll(ctx.store, [
        { type: 'session.put', session: session('c1') },
        { type: 'session.put', session: session('c2') },
        { type: 'subscription.put', clientId: 'c2', subscription: subscription('x') },
        { type: 'inbound.put', clientId: 'c2', packetId: 5 },
      ]);
      await applyAll(ctx.store, [{ type: 'session.delete', clientId: 'c1' }]);
      const stored = await loadExisting(ctx.store, 'c2');
      expect(stored.subscriptions).toHaveLength(1);
      expect(stored.inboundPacketIds).toStrictEqual([5]);
      expect(await ctx.store.stats()).toMatchObject({ sessions: 1, subscriptions: 1, inbound: 1 });
    });

    it('keeps the will of a deleted session', async () => {
      await applyAll(ctx.store, [
        { type: 'session.put', session: session('c1') },
        { type: 'will.put', will: will('c1') },
      ]);
      await applyAll(ctx.store, [{ type: 'session.delete', clientId: 'c1' }]);
      expect((await ctx.store.load()).wills.map((w) => w.clientId)).toStrictEqual(['c1']);
    });

    it('lists every session in load(), the same as loadSession returns them', async () => {
      await applyAll(ctx.store, [
        { type: 'session.put', session: session('c1') },
        { type: 'session.put', session: session('c2', { protocolVersion: 4 }) },
        { type: 'subscription.put', clientId: 'c2', subscription: subscription('s') },
      ]);
      const sessions = (await ctx.store.load()).sessions;
      expect(sessions.map((s) => s.session.clientId).sort()).toStrictEqual(['c1', 'c2']);
      for (const stored of sessions) {
        const alone = await loadExisting(ctx.store, stored.session.clientId);
        expect(canonicalSession(stored)).toStrictEqual(canonicalSession(alone));
      }
    });

    it('treats deleting an unknown session as a no-op', async () => {
      await applyAll(ctx.store, [{ type: 'session.put', session: session('c1') }]);
      await applyAll(ctx.store, [{ type: 'session.delete', clientId: 'nobody' }]);
      expect((await ctx.store.stats()).sessions).toBe(1);
    });
  });

  describe('inbound QoS 2 packet ids', () => {
    it('remembers and releases inbound packet ids', async () => {
      await applyAll(ctx.store, [
        { type: 'session.put', session: session('c1') },
        { type: 'inbound.put', clientId: 'c1', packetId: 1 },
        { type: 'inbound.put', clientId: 'c1', packetId: 65535 },
        { type: 'inbound.put', clientId: 'c1', packetId: 300 },
      ]);
      const ids = (await loadExisting(ctx.store, 'c1')).inboundPacketIds;
      expect([...ids].sort((a, b) => a - b)).toStrictEqual([1, 300, 65535]);
      expect((await ctx.store.stats()).inbound).toBe(3);
      await applyAll(ctx.store, [{ type: 'inbound.delete', clientId: 'c1', packetId: 300 }]);
      const after = (await loadExisting(ctx.store, 'c1')).inboundPacketIds;
      expect([...after].sort((a, b) => a - b)).toStrictEqual([1, 65535]);
      expect((await ctx.store.stats()).inbound).toBe(2);
    });

    it('keeps a packet id once however often it is put', async () => {
      await applyAll(ctx.store, [
        { type: 'session.put', session: session('c1') },
        { type: 'inbound.put', clientId: 'c1', packetId: 9 },
        { type: 'inbound.put', clientId: 'c1', packetId: 9 },
      ]);
      expect((await loadExisting(ctx.store, 'c1')).inboundPacketIds).toStrictEqual([9]);
      expect((await ctx.store.stats()).inbound).toBe(1);
    });

    it('keeps the packet ids of two sessions apart', async () => {
      await applyAll(ctx.store, [
        { type: 'session.put', session: session('c1') },
        { type: 'session.put', session: session('c2') },
        { type: 'inbound.put', clientId: 'c1', packetId: 4 },
        { type: 'inbound.put', clientId: 'c2', packetId: 4 },
        { type: 'inbound.delete', clientId: 'c1', packetId: 4 },
      ]);
      expect((await loadExisting(ctx.store, 'c1')).inboundPacketIds).toStrictEqual([]);
      expect((await loadExisting(ctx.store, 'c2')).inboundPacketIds).toStrictEqual([4]);
    });

    it('treats deleting an unknown packet id as a no-op', async () => {
      await applyAll(ctx.store, [
        { type: 'session.put', session: session('c1') },
        { type: 'inbound.put', clientId: 'c1', packetId: 2 },
        { type: 'inbound.delete', clientId: 'c1', packetId: 3 },
        { type: 'inbound.delete', clientId: 'nobody', packetId: 2 },
      ]);
      expect((await loadExisting(ctx.store, 'c1')).inboundPacketIds).toStrictEqual([2]);
      expect((await ctx.store.stats()).inbound).toBe(1);
    });
  });
}
