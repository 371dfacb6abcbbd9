import { MqttError, type MqttErrorCode } from '@mqttkit/types';

/**
 * Throws an `MqttError` carrying `code` and, when the spec names the broken statement, `specRef`.
 * Packet decoders throw it; `Decoder.next()` catches it and returns it as a value.
 */
export function fail(code: MqttErrorCode, message: string, specRef?: string): never {
  // exactOptionalPropertyTypes: an absent specRef must stay absent, not `undefined`.
  throw specRef === undefined ? new MqttError(code, message) : new MqttError(code, message, { specRef });
}

/** Throws a MALFORMED_PACKET (0x81) error: the bytes cannot be parsed as the spec defines them. */
export function malformed(message: string, specRef?: string): never {
  return fail('MALFORMED_PACKET', message, specRef);
}

/** Throws a PROTOCOL_ERROR (0x82) error: the packet parsed, but carries data the spec forbids there. */
export function protocolError(message: string, specRef?: string): never {
  return fail('PROTOCOL_ERROR', message, specRef);
}

/** Picks the 3.x or the 5.0 spelling of a normative id, since the two specs number them differently. */
export function specRef(isV5: boolean, v3: string, v5: string): string {
  return isV5 ? v5 : v3;
}
