import { describe, expect, it } from 'vitest';
import {
  applyAll,
  type ConformanceContext,
  entry,
  expectApplyToReject,
  loadExisting,
  message,
  session,
  subscription,
} from './fixtures.js';

/**
 * Ops that only a broker bug can send: the store refuses them with a `TypeError` naming what is missing,
 * and stays usable.
 */
export function describeBrokerBugs(ctx: ConformanceContext): void {
  describe('ops that reference missing records', () => {
    it('rejects an outbound entry whose message is not stored, naming the message id', async () => {
      await applyAll(ctx.store, [{ type: 'session.put', session: session('c1') }]);
      await expectApplyToReject(
        ctx.store,
        [{ type: 'outbound.put', clientId: 'c1', entry: entry(1, 4242) }],
        '4242',
      );
    });

    it('rejects an outbound entry whose message was released with its last entry', async () => {
      await applyAll(ctx.store, [
        { type: 'session.put', session: session('c1') },
        { type: 'message.put', message: message(77) },
        { type: 'outbound.put', clientId: 'c1', entry: entry(1, 77) },
        { type: 'outbound.delete', clientId: 'c1', seq: 1 },
      ]);
      await expectApplyToReject(
        ctx.store,
        [{ type: 'outbound.put', clientId: 'c1', entry: entry(2, 77) }],
        '77',
      );
    });

    it('rejects a subscription for a client without a session, naming the client', async () => {
      await expectApplyToReject(
        ctx.store,
        [{ type: 'subscription.put', clientId: 'ghost-1', subscription: subscription('a') }],
        'ghost-1',
      );
    });

    it('rejects an outbound entry for a client without a session, naming the client', async () => {
      await applyAll(ctx.store, [{ type: 'message.put', message: message(1) }]);
      await expectApplyToReject(
        ctx.store,
        [{ type: 'outbound.put', clientId: 'ghost-2', entry: entry(1, 1) }],
        'ghost-2',
      );
    });

    it('rejects an inbound packet id for a client without a session, naming the client', async () => {
      await expectApplyToReject(
        ctx.store,
        [{ type: 'inbound.put', clientId: 'ghost-3', packetId: 1 }],
        'ghost-3',
      );
    });

    it('stays usable after a rejected batch', async () => {
      await expectApplyToReject(
        ctx.store,
        [{ type: 'inbound.put', clientId: 'ghost', packetId: 1 }],
        'ghost',
      );
      await applyAll(ctx.store, [
        { type: 'session.put', session: session('c1') },
        { type: 'inbound.put', clientId: 'c1', packetId: 1 },
      ]);
      expect((await loadExisting(ctx.store, 'c1')).inboundPacketIds).toStrictEqual([1]);
    });

    // All-or-nothing batches are promised by durable stores only: registered for them alone.
    if (!ctx.durable) return;
    it('applies nothing of a rejected batch (durable stores)', async () => {
      await applyAll(ctx.store, [{ type: 'session.put', session: session('c1') }]);
      await expectApplyToReject(
        ctx.store,
        [
          { type: 'session.put', session: session('c2') },
          { type: 'message.put', message: message(1) },
          { type: 'outbound.put', clientId: 'c1', entry: entry(1, 1) },
          { type: 'outbound.put', clientId: 'c1', entry: entry(2, 999) },
        ],
        '999',
      );
      expect(await ctx.store.loadSession('c2')).toBeUndefined();
      expect(await ctx.store.stats()).toMatchObject({ sessions: 1, messages: 0, outbound: 0 });
    });
  });
}
