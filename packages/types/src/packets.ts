/**
 * Every MQTT control packet as a plain object, discriminated on `type` (design decision 2).
 * The same shapes serve 3.1, 3.1.1 and 5.0: fields that exist only in 5.0 (`properties`, reason codes
 * on acknowledgements, subscription options) are optional and absent when a 3.x packet is decoded.
 */

import type {
  AckProperties,
  AuthProperties,
  ConnackProperties,
  ConnectProperties,
  DisconnectProperties,
  PublishProperties,
  SubackProperties,
  SubscribeProperties,
  UnsubackProperties,
  UnsubscribeProperties,
  WillProperties,
} from './properties.js';
import type { ProtocolVersion } from './protocol-version.js';
import type { QoS } from './qos.js';
import type {
  AuthReasonCode,
  ConnackReasonCode,
  ConnectReturnCode,
  DisconnectReasonCode,
  PubackReasonCode,
  PubcompReasonCode,
  PubrecReasonCode,
  PubrelReasonCode,
  SubackReasonCode,
  SubackReturnCode,
  UnsubackReasonCode,
} from './reason-codes.js';

/** The will message a client leaves with the server in CONNECT. */
export interface Will {
  topic: string;
  payload: Uint8Array;
  qos: QoS;
  retain: boolean;
  /** 5.0 only. */
  properties?: WillProperties;
}

/** CONNECT: the first packet from client to server (section 3.1). */
export interface ConnectPacket {
  type: 'connect';
  /** 3 for MQTT 3.1 (`MQIsdp`), 4 for 3.1.1, 5 for 5.0; the protocol name follows from it. */
  protocolVersion: ProtocolVersion;
  /** Clean Session (3.x) or Clean Start (5.0). */
  clean: boolean;
  /** Seconds; 0 turns keepalive off. */
  keepAlive: number;
  clientId: string;
  will?: Will;
  username?: string;
  password?: Uint8Array;
  /** 5.0 only. */
  properties?: ConnectProperties;
}

/** CONNACK: the server's answer to CONNECT (section 3.2). */
export interface ConnackPacket {
  type: 'connack';
  sessionPresent: boolean;
  /** A 5.0 CONNACK reason code, or for 3.x a CONNACK return code (0..5). */
  reasonCode: ConnackReasonCode | ConnectReturnCode;
  /** 5.0 only. */
  properties?: ConnackProperties;
}

/** PUBLISH: an application message, in either direction (section 3.3). */
export interface PublishPacket {
  type: 'publish';
  /** May be empty in 5.0 when `properties.topicAlias` stands for the topic. */
  topic: string;
  /** For decoded packets, a view into the received bytes: copy it to keep it (see the codec README). */
  payload: Uint8Array;
  qos: QoS;
  retain: boolean;
  dup: boolean;
  /** Present exactly when qos > 0 [MQTT-2.2.1-2]. */
  packetId?: number;
  /** 5.0 only. */
  properties?: PublishProperties;
}

/** PUBACK: acknowledges a QoS 1 PUBLISH (section 3.4). */
export interface PubackPacket {
  type: 'puback';
  packetId: number;
  /** 5.0 only; absent or 0 means Success. */
  reasonCode?: PubackReasonCode;
  properties?: AckProperties;
}

/** PUBREC: first acknowledgement of a QoS 2 PUBLISH (section 3.5). */
export interface PubrecPacket {
  type: 'pubrec';
  packetId: number;
  /** 5.0 only; absent or 0 means Success. */
  reasonCode?: PubrecReasonCode;
  properties?: AckProperties;
}

/** PUBREL: releases a QoS 2 message after PUBREC (section 3.6). */
export interface PubrelPacket {
  type: 'pubrel';
  packetId: number;
  /** 5.0 only; absent or 0 means Success. */
  reasonCode?: PubrelReasonCode;
  properties?: AckProperties;
}

/** PUBCOMP: completes the QoS 2 flow (section 3.7). */
export interface PubcompPacket {
  type: 'pubcomp';
  packetId: number;
  /** 5.0 only; absent or 0 means Success. */
  reasonCode?: PubcompReasonCode;
  properties?: AckProperties;
}

/** One topic filter of a SUBSCRIBE with its options (section 3.8.3.1). */
export interface Subscription {
  topicFilter: string;
  /** Maximum QoS the subscriber accepts. */
  qos: QoS;
  /** 5.0: do not send this client the messages it published itself. */
  noLocal?: boolean;
  /** 5.0: keep the RETAIN flag as published instead of clearing it on forwarding. */
  retainAsPublished?: boolean;
  /** 5.0: 0 send retained on subscribe, 1 only if the subscription is new, 2 never. */
  retainHandling?: 0 | 1 | 2;
}

/** SUBSCRIBE: one or more topic filters (section 3.8). */
export interface SubscribePacket {
  type: 'subscribe';
  packetId: number;
  /** At least one [MQTT-3.8.3-3]. */
  subscriptions: readonly Subscription[];
  /** 5.0 only. */
  properties?: SubscribeProperties;
}

/** SUBACK: one return/reason code per filter, in order (section 3.9). */
export interface SubackPacket {
  type: 'suback';
  packetId: number;
  reasonCodes: readonly (SubackReasonCode | SubackReturnCode)[];
  /** 5.0 only. */
  properties?: SubackProperties;
}

/** UNSUBSCRIBE: one or more topic filters to remove (section 3.10). */
export interface UnsubscribePacket {
  type: 'unsubscribe';
  packetId: number;
  /** At least one [MQTT-3.10.3-2]. */
  topicFilters: readonly string[];
  /** 5.0 only. */
  properties?: UnsubscribeProperties;
}

/** UNSUBACK: acknowledges UNSUBSCRIBE (section 3.11). */
export interface UnsubackPacket {
  type: 'unsuback';
  packetId: number;
  /** 5.0 only: one reason code per filter. 3.x UNSUBACK has no payload. */
  reasonCodes?: readonly UnsubackReasonCode[];
  properties?: UnsubackProperties;
}

/** PINGREQ: keepalive probe from the client (section 3.12). */
export interface PingreqPacket {
  type: 'pingreq';
}

/** PINGRESP: the server's answer to PINGREQ (section 3.13). */
export interface PingrespPacket {
  type: 'pingresp';
}

/** DISCONNECT: orderly end of a connection; in 5.0 either side may send it (section 3.14). */
export interface DisconnectPacket {
  type: 'disconnect';
  /** 5.0 only; absent or 0 means Normal disconnection. */
  reasonCode?: DisconnectReasonCode;
  properties?: DisconnectProperties;
}

/** AUTH: enhanced authentication exchange, 5.0 only (section 3.15). */
export interface AuthPacket {
  type: 'auth';
  /** Absent or 0 means Success. */
  reasonCode?: AuthReasonCode;
  properties?: AuthProperties;
}

/** Any MQTT control packet. Narrow it with `packet.type`. */
export type Packet =
  | ConnectPacket
  | ConnackPacket
  | PublishPacket
  | PubackPacket
  | PubrecPacket
  | PubrelPacket
  | PubcompPacket
  | SubscribePacket
  | SubackPacket
  | UnsubscribePacket
  | UnsubackPacket
  | PingreqPacket
  | PingrespPacket
  | DisconnectPacket
  | AuthPacket;

/** The packet interface for a packet type name: `PacketOf<'publish'>` is `PublishPacket`. */
export type PacketOf<T extends Packet['type']> = Extract<Packet, { type: T }>;
