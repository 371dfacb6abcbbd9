import type { MqttErrorCode, Packet, ProtocolVersion } from '@mqttkit/types';

/** The side of the connection that receives a case's bytes. */
export type CaseSide = 'server' | 'client';

/** Fields every catalogue case has. */
interface CaseBase {
  /** Unique; starts with the normative id in brackets when the spec has one, e.g. `[MQTT-3.8.3-3] ...`. */
  readonly name: string;
  /** The protocol version the bytes are read with (3 = 3.1, 4 = 3.1.1, 5 = 5.0). */
  readonly version: ProtocolVersion;
  /** The side that receives the bytes, which decides the direction rules. */
  readonly side: CaseSide;
  /** The frame, written out by hand from the spec text (never produced by the encoder). */
  readonly bytes: Uint8Array;
  /**
   * A new server connection that has not read CONNECT yet (decoder without `protocolVersion`).
   * Defaults to true for CONNECT cases on the server side, false otherwise.
   */
  readonly awaitingConnect?: boolean;
  /** A packet size limit other than the default 1 MiB. */
  readonly maximumPacketSize?: number;
}

/** Bytes that decode to `packet`, and that `encode(packet, version)` reproduces exactly. */
export interface ValidCase extends CaseBase {
  readonly packet: Packet;
  /** Decoding gives `packet`, but the encoder writes another valid form (shorter, or a first attempt where these bytes are a 3.1 retry with DUP). */
  readonly decodeOnly?: boolean;
}

/** Bytes the decoder must refuse with `error`. */
export interface ErrorCase extends CaseBase {
  readonly error: { readonly code: MqttErrorCode; readonly specRef?: string };
  /** For CONNECT cases: the level byte the decoder must report in `requestedProtocolLevel`. */
  readonly requestedProtocolLevel?: number;
}

/** One entry of the golden catalogue. */
export type CatalogueCase = ValidCase | ErrorCase;
