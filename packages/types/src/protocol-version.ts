/**
 * MQTT protocol levels as they appear in the CONNECT variable header.
 * 3 is MQTT 3.1 (protocol name `MQIsdp`), 4 is MQTT 3.1.1 and 5 is MQTT 5.0 (both named `MQTT`).
 */
export const ProtocolVersion = {
  Mqtt31: 3,
  Mqtt311: 4,
  Mqtt5: 5,
} as const;

/** A protocol level mqttkit speaks: 3 (3.1), 4 (3.1.1) or 5 (5.0). */
export type ProtocolVersion = (typeof ProtocolVersion)[keyof typeof ProtocolVersion];

/** The protocol name each level puts in CONNECT [MQTT-3.1.2-1]. */
export const PROTOCOL_NAME = {
  3: 'MQIsdp',
  4: 'MQTT',
  5: 'MQTT',
} as const satisfies Record<ProtocolVersion, string>;
