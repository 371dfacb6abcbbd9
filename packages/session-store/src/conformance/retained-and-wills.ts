import { describe, expect, it } from 'vitest';
import { applyAll, type ConformanceContext, message, plain, will } from './fixtures.js';

/** Retained messages (one per topic) and delayed wills (one per client). */
export function describeRetainedAndWills(ctx: ConformanceContext): void {
  async function retainedByTopic(): Promise<unknown> {
    const retained = (await ctx.store.load()).retained;
    return plain([...retained].sort((a, b) => (a.topic < b.topic ? -1 : 1)));
  }

  async function willsByClient(): Promise<unknown> {
    const wills = (await ctx.store.load()).wills;
    return plain([...wills].sort((a, b) => (a.clientId < b.clientId ? -1 : 1)));
  }

  describe('retained messages', () => {
    it('lists retained messages in load()', async () => {
      const a = message(1, { topic: 'a', retain: true });
      const b = message(2, { topic: 'b/c', retain: true, qos: 0 });
      await applyAll(ctx.store, [
        { type: 'retained.put', message: a },
        { type: 'retained.put', message: b },
      ]);
      expect(await retainedByTopic()).toStrictEqual(plain([a, b]));
      expect((await ctx.store.stats()).retained).toBe(2);
    });

    it('replaces the retained message of a topic', async () => {
      const replacement = message(2, { topic: 'a', retain: true, payload: new Uint8Array([2]) });
      await applyAll(
        ctx.store,
        [{ type: 'retained.put', message: message(1, { topic: 'a', retain: true }) }],
        [{ type: 'retained.put', message: replacement }],
      );
      expect(await retainedByTopic()).toStrictEqual(plain([replacement]));
      expect((await ctx.store.stats()).retained).toBe(1);
    });

    it('deletes the retained message of a topic and keeps the others', async () => {
      await applyAll(ctx.store, [
        { type: 'retained.put', message: message(1, { topic: 'a' }) },
        { type: 'retained.put', message: message(2, { topic: 'b' }) },
      ]);
      await applyAll(ctx.store, [{ type: 'retained.delete', topic: 'a' }]);
      expect(await retainedByTopic()).toStrictEqual(plain([message(2, { topic: 'b' })]));
      expect((await ctx.store.stats()).retained).toBe(1);
    });

    it('treats deleting an unknown retained topic as a no-op', async () => {
      await applyAll(ctx.store, [
        { type: 'retained.put', message: message(1, { topic: 'a' }) },
        { type: 'retained.delete', topic: 'a/b' },
      ]);
      expect((await ctx.store.stats()).retained).toBe(1);
    });
  });

  describe('wills', () => {
    it('lists delayed wills in load()', async () => {
      const w1 = will('c1');
      const w2 = will('c2', { publishAt: 1_800_000_000_000, message: message(4, { topic: 'gone', qos: 2 }) });
      await applyAll(ctx.store, [
        { type: 'will.put', will: w1 },
        { type: 'will.put', will: w2 },
      ]);
      expect(await willsByClient()).toStrictEqual(plain([w1, w2]));
      expect((await ctx.store.stats()).wills).toBe(2);
    });

    it('replaces the will of a client', async () => {
      const replacement = will('c1', { publishAt: 99, message: message(8, { topic: 'new' }) });
      await applyAll(
        ctx.store,
        [{ type: 'will.put', will: will('c1') }],
        [{ type: 'will.put', will: replacement }],
      );
      expect(await willsByClient()).toStrictEqual(plain([replacement]));
      expect((await ctx.store.stats()).wills).toBe(1);
    });

    it('deletes the will of a client and keeps the others', async () => {
      await applyAll(ctx.store, [
        { type: 'will.put', will: will('c1') },
        { type: 'will.put', will: will('c2') },
      ]);
      await applyAll(ctx.store, [{ type: 'will.delete', clientId: 'c1' }]);
      expect(await willsByClient()).toStrictEqual(plain([will('c2')]));
    });

    it('keeps a will without a session', async () => {
      await applyAll(ctx.store, [{ type: 'will.put', will: will('no-session') }]);
      expect(await ctx.store.loadSession('no-session')).toBeUndefined();
      expect(await willsByClient()).toStrictEqual(plain([will('no-session')]));
    });

    it('treats deleting an unknown will as a no-op', async () => {
      await applyAll(ctx.store, [
        { type: 'will.put', will: will('c1') },
        { type: 'will.delete', clientId: 'c2' },
      ]);
      expect((await ctx.store.stats()).wills).toBe(1);
    });
  });
}
