/** MQTT control packet type numbers, the high nibble of the fixed header's first byte. */
export const PacketTypeCode = {
  connect: 1,
  connack: 2,
  publish: 3,
  puback: 4,
  pubrec: 5,
  pubrel: 6,
  pubcomp: 7,
  subscribe: 8,
  suback: 9,
  unsubscribe: 10,
  unsuback: 11,
  pingreq: 12,
  pingresp: 13,
  disconnect: 14,
  auth: 15,
} as const;

/** The name of a control packet type, used as the `type` discriminant of every packet. */
export type PacketType = keyof typeof PacketTypeCode;

/** The number of a control packet type (1..15). */
export type PacketTypeNumber = (typeof PacketTypeCode)[PacketType];
