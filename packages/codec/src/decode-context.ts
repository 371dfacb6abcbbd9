import type { ProtocolVersion } from '@mqttkit/types';

/**
 * What a packet decoder needs to know beyond the bytes: the negotiated protocol version, which side
 * of the connection is receiving, and where to report the level byte of a CONNECT. One instance lives
 * in each `Decoder`, so decoding allocates no context per packet.
 */
export class DecodeContext {
  /** The version packets other than CONNECT are decoded with; 0 until the server learns it. */
  version: ProtocolVersion | 0 = 0;
  /** True when the receiver is the server (it receives CONNECT, SUBSCRIBE, ...). */
  isServer: boolean;
  /** The raw protocol level byte of the last CONNECT seen, recorded before any check can fail. */
  requestedProtocolLevel: number | undefined = undefined;

  constructor(isServer: boolean) {
    this.isServer = isServer;
  }
}
