import { describe, expectTypeOf, it } from 'vitest';
import type { ConnackPacket, Packet, PacketOf, PublishPacket, SubackPacket } from './packets.js';
import type { PublishProperties } from './properties.js';

describe('Packet union', () => {
  it('narrows on type', () => {
    const handle = (packet: Packet) => {
      if (packet.type === 'publish') expectTypeOf(packet).toEqualTypeOf<PublishPacket>();
      if (packet.type === 'connack') expectTypeOf(packet.sessionPresent).toEqualTypeOf<boolean>();
    };
    expectTypeOf(handle).toBeFunction();
  });

  it('maps a type name to its packet with PacketOf', () => {
    expectTypeOf<PacketOf<'suback'>>().toEqualTypeOf<SubackPacket>();
    expectTypeOf<PacketOf<'connack'>>().toEqualTypeOf<ConnackPacket>();
  });

  it('lists only the properties the spec allows on each packet', () => {
    // @ts-expect-error Session Expiry Interval is not a PUBLISH property.
    const wrong: PublishProperties = { sessionExpiryInterval: 1 };
    expectTypeOf(wrong).toEqualTypeOf<PublishProperties>();
  });

  it('rejects reason codes the packet may not carry', () => {
    // @ts-expect-error 0x8E Session taken over is DISCONNECT-only, never a CONNACK code.
    const connack: ConnackPacket = { type: 'connack', sessionPresent: false, reasonCode: 0x8e };
    expectTypeOf(connack).toEqualTypeOf<ConnackPacket>();
  });
});
