import { describe, expect, it } from 'vitest';
import { SESSION_NEVER_EXPIRES, type StoredMessage } from '../records.js';
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

/** Every byte value 0..255, so a store that decodes payloads as text cannot pass. */
const ALL_BYTES = Uint8Array.from({ length: 256 }, (_, i) => i);
/** Invalid UTF-8: a lone continuation byte, an overlong NUL and a truncated 4-byte sequence. */
const NOT_UTF8 = new Uint8Array([0x80, 0xc0, 0x80, 0xf0, 0x9f, 0x98, 0x00, 0xff]);

/** Records come back exactly as they went in, and are never aliased to the store's own lists. */
export function describeFidelity(ctx: ConformanceContext): void {
  /** Queue `queued` for a fresh session `c1` and return what the store gives back. */
  async function roundTrip(queued: StoredMessage): Promise<StoredMessage | undefined> {
    await applyAll(ctx.store, [
      { type: 'session.put', session: session('c1') },
      { type: 'message.put', message: queued },
      { type: 'outbound.put', clientId: 'c1', entry: entry(1, queued.id) },
    ]);
    return (await loadExisting(ctx.store, 'c1')).outbound[0]?.message;
  }

  describe('fidelity', () => {
    it('round-trips every byte value of a payload exactly', async () => {
      const stored = await roundTrip(message(1, { payload: ALL_BYTES }));
      expect(stored?.payload).toBeInstanceOf(Uint8Array);
      expect(plain(stored?.payload)).toStrictEqual(ALL_BYTES);
    });

    it('round-trips payloads that are not UTF-8', async () => {
      const stored = await roundTrip(message(1, { payload: NOT_UTF8 }));
      expect(plain(stored?.payload)).toStrictEqual(NOT_UTF8);
    });

    it('round-trips an empty payload as an empty byte array', async () => {
      const empty = message(1, { payload: new Uint8Array(0) });
      const stored = await roundTrip(empty);
      expect(stored?.payload).toBeInstanceOf(Uint8Array);
      expect(stored?.payload.byteLength).toBe(0);
      await applyAll(ctx.store, [
        { type: 'retained.put', message: message(2, { topic: 'r', payload: new Uint8Array(0) }) },
      ]);
      const [retained] = (await ctx.store.load()).retained;
      expect(retained?.payload).toBeInstanceOf(Uint8Array);
      expect(retained?.payload.byteLength).toBe(0);
    });

    it('round-trips a message with every field and property set', async () => {
      const full: StoredMessage = {
        id: 2 ** 40,
        topic: 'req/🚀',
        payload: NOT_UTF8,
        qos: 2,
        retain: true,
        properties: {
          payloadFormatIndicator: false,
          contentType: 'application/octet-stream',
          responseTopic: 'resp/ü',
          correlationData: ALL_BYTES,
          userProperties: [
            ['k', 'v1'],
            ['a', 'x'],
            ['k', 'v2'],
            ['', ''],
          ],
        },
        expiresAt: 1_700_000_000_123,
        publisherId: 'pub-ñ',
      };
      expect(plain(await roundTrip(full))).toStrictEqual(plain(full));
    });

    it('keeps a message without optional fields free of them', async () => {
      const stored = await roundTrip(message(1));
      for (const field of ['properties', 'expiresAt', 'publisherId'])
        expect(stored).not.toHaveProperty(field);
    });

    it('keeps user properties in order with duplicate names', async () => {
      const userProperties = [
        ['z', '1'],
        ['a', '2'],
        ['z', '3'],
        ['z', '1'],
      ] as const;
      const stored = await roundTrip(message(1, { properties: { userProperties } }));
      expect(stored?.properties?.userProperties?.map((pair) => [...pair])).toStrictEqual(
        userProperties.map((pair) => [...pair]),
      );
    });

    it('round-trips unicode client ids, topics and filters', async () => {
      const clientId = 'клиент-客户-🙂';
      const topic = 'дом/温度/🌡️/\u00e9';
      await applyAll(ctx.store, [
        { type: 'session.put', session: session(clientId) },
        { type: 'subscription.put', clientId, subscription: subscription('дом/+/🌡️/#') },
        { type: 'message.put', message: message(1, { topic }) },
        { type: 'outbound.put', clientId, entry: entry(1, 1) },
        { type: 'retained.put', message: message(2, { topic }) },
        { type: 'will.put', will: will(clientId) },
      ]);
      const stored = await loadExisting(ctx.store, clientId);
      expect(stored.session.clientId).toBe(clientId);
      expect(stored.subscriptions[0]?.topicFilter).toBe('дом/+/🌡️/#');
      expect(stored.outbound[0]?.message.topic).toBe(topic);
      const snapshot = await ctx.store.load();
      expect(snapshot.retained[0]?.topic).toBe(topic);
      expect(snapshot.wills[0]?.clientId).toBe(clientId);
      await applyAll(ctx.store, [{ type: 'retained.delete', topic }]);
      expect((await ctx.store.stats()).retained).toBe(0);
    });

    it('round-trips large numbers exactly', async () => {
      const record = session('c1', {
        expiryInterval: SESSION_NEVER_EXPIRES,
        disconnectedAt: 4_102_444_800_000,
      });
      await applyAll(ctx.store, [
        { type: 'session.put', session: record },
        { type: 'message.put', message: message(Number.MAX_SAFE_INTEGER) },
        {
          type: 'outbound.put',
          clientId: 'c1',
          entry: entry(2 ** 52, Number.MAX_SAFE_INTEGER, { packetId: 65535 }),
        },
      ]);
      const stored = await loadExisting(ctx.store, 'c1');
      expect(plain(stored.session)).toStrictEqual(plain(record));
      expect(stored.outbound[0]?.entry.seq).toBe(2 ** 52);
      expect(stored.outbound[0]?.entry.packetId).toBe(65535);
      expect(stored.outbound[0]?.message.id).toBe(Number.MAX_SAFE_INTEGER);
    });

    it('returns lists the caller may change without changing the store', async () => {
      await applyAll(ctx.store, [
        { type: 'session.put', session: session('c1') },
        { type: 'subscription.put', clientId: 'c1', subscription: subscription('a') },
        { type: 'message.put', message: message(1) },
        { type: 'outbound.put', clientId: 'c1', entry: entry(1, 1) },
        { type: 'inbound.put', clientId: 'c1', packetId: 1 },
        { type: 'retained.put', message: message(2, { topic: 'r' }) },
        { type: 'will.put', will: will('c1') },
      ]);
      const before = plain(await ctx.store.load());
      const snapshot = await ctx.store.load();
      const first = snapshot.sessions[0]!;
      first.subscriptions.length = 0;
      first.outbound.length = 0;
      first.inboundPacketIds.push(99);
      snapshot.sessions.length = 0;
      snapshot.retained.length = 0;
      snapshot.wills.length = 0;
      const alone = await loadExisting(ctx.store, 'c1');
      alone.subscriptions.push(subscription('b'));
      alone.outbound.pop();
      alone.inboundPacketIds.length = 0;
      expect(plain(await ctx.store.load())).toStrictEqual(before);
      expect(await ctx.store.stats()).toMatchObject({
        sessions: 1,
        subscriptions: 1,
        outbound: 1,
        inbound: 1,
      });
    });
  });
}
