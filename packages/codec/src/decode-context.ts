import type { ProtocolVersion } from '@mqttkit/types';

/**
 * What a packet decoder needs to know beyond the bytes: the negotiated protocol version and which side
 * of the connection is receiving. There are only eight of them, shared by every `Decoder`, so neither a
 * decoder nor a packet allocates one (an idle connection's decoder is part of its memory bill).
 */
export interface DecodeContext {
  /** The version packets other than CONNECT are decoded with; 0 until the server learns it. */
  readonly version: ProtocolVersion | 0;
  /** True when the receiver is the server (it receives CONNECT, SUBSCRIBE, ...). */
  readonly isServer: boolean;
}

const VERSIONS = [0, 3, 4, 5] as const;
const SERVER_CONTEXTS = VERSIONS.map((version) => Object.freeze({ version, isServer: true }));
const CLIENT_CONTEXTS = VERSIONS.map((version) => Object.freeze({ version, isServer: false }));

/** The shared context for `version` (0: not known yet) on one side. */
export function decodeContext(version: ProtocolVersion | 0, isServer: boolean): DecodeContext {
  const index = version === 0 ? 0 : version - 2;
  return (isServer ? SERVER_CONTEXTS : CLIENT_CONTEXTS)[index]!;
}
