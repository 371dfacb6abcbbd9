/**
 * `@mqttkit/codec/testing`: the golden catalogue. Every case holds bytes written out by hand from the
 * spec text and the packet (or the reason-coded error) they must decode to; valid cases must also be
 * what the encoder writes. Other packages reuse it to test against the same bytes.
 */

import type { ProtocolVersion } from '@mqttkit/types';
import { CONNECT_ERRORS } from './errors-connect.js';
import { FRAMING_ERRORS } from './errors-framing.js';
import { PACKET_ERRORS } from './errors-packets.js';
import { PUBLISH_ERRORS } from './errors-publish.js';
import type { CaseSide, CatalogueCase, ErrorCase, ValidCase } from './types.js';
import { VALID_MQTT3 } from './valid-mqtt3.js';
import { VALID_MQTT5_CONNECT_PUBLISH } from './valid-mqtt5.js';
import { VALID_MQTT5_OTHERS } from './valid-mqtt5-others.js';

export { ascii, bytes, repeat, u8 } from './bytes.js';
export type { CaseSide, CatalogueCase, ErrorCase, ValidCase } from './types.js';

/** Every case whose bytes are a well-formed packet. */
export const VALID_CASES: readonly ValidCase[] = [
  ...VALID_MQTT3,
  ...VALID_MQTT5_CONNECT_PUBLISH,
  ...VALID_MQTT5_OTHERS,
];

/** Every case whose bytes the decoder must refuse. */
export const ERROR_CASES: readonly ErrorCase[] = [
  ...FRAMING_ERRORS,
  ...CONNECT_ERRORS,
  ...PUBLISH_ERRORS,
  ...PACKET_ERRORS,
];

/** The whole catalogue. */
export const CATALOGUE: readonly CatalogueCase[] = [...VALID_CASES, ...ERROR_CASES];

/** True for a case whose bytes must be refused. */
export function isErrorCase(c: CatalogueCase): c is ErrorCase {
  return 'error' in c;
}

/** Options for a `Decoder` in the state a case assumes (same shape as `DecoderOptions`). */
export interface CaseDecoderOptions {
  side: CaseSide;
  protocolVersion?: ProtocolVersion;
  maximumPacketSize?: number;
}

/**
 * The decoder options a case is read with: a server that has not seen CONNECT has no protocol
 * version yet; otherwise the case's version.
 */
export function decoderOptionsFor(c: CatalogueCase): CaseDecoderOptions {
  const awaitingConnect = c.awaitingConnect ?? (c.side === 'server' && c.bytes[0]! >>> 4 === 1);
  const options: CaseDecoderOptions = { side: c.side };
  if (!awaitingConnect) options.protocolVersion = c.version;
  if (c.maximumPacketSize !== undefined) options.maximumPacketSize = c.maximumPacketSize;
  return options;
}
