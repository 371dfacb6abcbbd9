import type { PublishProperties, QoS } from '@mqttkit/types';

/**
 * An application message received from the server, as the 'message' event and `messages()` give it.
 * It is the decoded PUBLISH itself (no copy is made): `payload` may be a view into the received bytes,
 * so copy it (`payload.slice()`) to keep it beyond the current message handling if memory matters.
 */
export interface MqttMessage {
  /** The topic name (a topic alias already resolved). */
  readonly topic: string;
  readonly payload: Uint8Array;
  readonly qos: QoS;
  /** True for a retained message sent because of a subscription (or kept as published, v5). */
  readonly retain: boolean;
  /** True when the server says it may have sent this message before. */
  readonly dup: boolean;
  /** The Packet Identifier (QoS 1 and 2). */
  readonly packetId?: number;
  /** The v5 properties: user properties in order, response topic, correlation data, content type, ... */
  readonly properties?: PublishProperties;
}
