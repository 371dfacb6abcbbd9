import { describe, expect, it } from 'vitest';
import type { SubscriptionRecord } from '../records.js';
import { applyAll, type ConformanceContext, loadExisting, plain, session, subscription } from './fixtures.js';

/** Subscriptions: every option, replacement by filter, shared filters, deletion. */
export function describeSubscriptions(ctx: ConformanceContext): void {
  async function subscriptionsOf(clientId: string): Promise<unknown> {
    const stored = await loadExisting(ctx.store, clientId);
    return plain([...stored.subscriptions].sort((a, b) => (a.topicFilter < b.topicFilter ? -1 : 1)));
  }

  describe('subscriptions', () => {
    it('stores a subscription with all its options', async () => {
      const full: SubscriptionRecord = {
        topicFilter: 'sensors/+/temp',
        qos: 2,
        noLocal: true,
        retainAsPublished: true,
        retainHandling: 2,
        subscriptionIdentifier: 268_435_455,
      };
      await applyAll(ctx.store, [
        { type: 'session.put', session: session('c1') },
        { type: 'subscription.put', clientId: 'c1', subscription: full },
      ]);
      expect(await subscriptionsOf('c1')).toStrictEqual(plain([full]));
    });

    it('keeps subscriptionIdentifier absent when it was absent', async () => {
      const bare = subscription('a/b', { qos: 0, retainHandling: 1 });
      await applyAll(ctx.store, [
        { type: 'session.put', session: session('c1') },
        { type: 'subscription.put', clientId: 'c1', subscription: bare },
      ]);
      const [stored] = (await loadExisting(ctx.store, 'c1')).subscriptions;
      expect(stored).not.toHaveProperty('subscriptionIdentifier');
      expect(plain(stored)).toStrictEqual(plain(bare));
    });

    it('replaces a subscription by topic filter', async () => {
      const replacement = subscription('a/b', { qos: 0, noLocal: true, subscriptionIdentifier: 7 });
      await applyAll(
        ctx.store,
        [
          { type: 'session.put', session: session('c1') },
          { type: 'subscription.put', clientId: 'c1', subscription: subscription('a/b', { qos: 2 }) },
        ],
        [{ type: 'subscription.put', clientId: 'c1', subscription: replacement }],
      );
      expect(await subscriptionsOf('c1')).toStrictEqual(plain([replacement]));
      expect((await ctx.store.stats()).subscriptions).toBe(1);
    });

    it('drops a subscription identifier when the replacement has none', async () => {
      await applyAll(
        ctx.store,
        [
          { type: 'session.put', session: session('c1') },
          {
            type: 'subscription.put',
            clientId: 'c1',
            subscription: subscription('a', { subscriptionIdentifier: 3 }),
          },
        ],
        [{ type: 'subscription.put', clientId: 'c1', subscription: subscription('a') }],
      );
      const [stored] = (await loadExisting(ctx.store, 'c1')).subscriptions;
      expect(stored).not.toHaveProperty('subscriptionIdentifier');
    });

    it('keeps shared and plain subscriptions on the same filter apart', async () => {
      const shared = subscription('$share/g/a/+', { qos: 2 });
      const otherGroup = subscription('$share/h/a/+', { qos: 0 });
      const own = subscription('a/+', { qos: 1 });
      await applyAll(ctx.store, [
        { type: 'session.put', session: session('c1') },
        { type: 'subscription.put', clientId: 'c1', subscription: shared },
        { type: 'subscription.put', clientId: 'c1', subscription: otherGroup },
        { type: 'subscription.put', clientId: 'c1', subscription: own },
      ]);
      expect(await subscriptionsOf('c1')).toStrictEqual(plain([shared, otherGroup, own]));
      await applyAll(ctx.store, [
        { type: 'subscription.delete', clientId: 'c1', topicFilter: '$share/g/a/+' },
      ]);
      expect(await subscriptionsOf('c1')).toStrictEqual(plain([otherGroup, own]));
    });

    it('deletes one subscription by filter and keeps the others', async () => {
      await applyAll(ctx.store, [
        { type: 'session.put', session: session('c1') },
        { type: 'subscription.put', clientId: 'c1', subscription: subscription('a') },
        { type: 'subscription.put', clientId: 'c1', subscription: subscription('b/#') },
      ]);
      await applyAll(ctx.store, [{ type: 'subscription.delete', clientId: 'c1', topicFilter: 'a' }]);
      expect(await subscriptionsOf('c1')).toStrictEqual(plain([subscription('b/#')]));
      expect((await ctx.store.stats()).subscriptions).toBe(1);
    });

    it('keeps the subscriptions of two sessions apart', async () => {
      await applyAll(ctx.store, [
        { type: 'session.put', session: session('c1') },
        { type: 'session.put', session: session('c2') },
        { type: 'subscription.put', clientId: 'c1', subscription: subscription('x', { qos: 0 }) },
        { type: 'subscription.put', clientId: 'c2', subscription: subscription('x', { qos: 2 }) },
        { type: 'subscription.delete', clientId: 'c1', topicFilter: 'x' },
      ]);
      expect(await subscriptionsOf('c1')).toStrictEqual([]);
      expect(await subscriptionsOf('c2')).toStrictEqual(plain([subscription('x', { qos: 2 })]));
      expect((await ctx.store.stats()).subscriptions).toBe(1);
    });

    it('treats deleting an unknown subscription as a no-op', async () => {
      await applyAll(ctx.store, [
        { type: 'session.put', session: session('c1') },
        { type: 'subscription.put', clientId: 'c1', subscription: subscription('a') },
        { type: 'subscription.delete', clientId: 'c1', topicFilter: 'b' },
        { type: 'subscription.delete', clientId: 'nobody', topicFilter: 'a' },
      ]);
      expect(await subscriptionsOf('c1')).toStrictEqual(plain([subscription('a')]));
      expect((await ctx.store.stats()).subscriptions).toBe(1);
    });
  });
}
