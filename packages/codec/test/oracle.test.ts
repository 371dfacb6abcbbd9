import { MqttError } from '@mqttkit/types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decoder, encode } from '../src/index.js';
import { packetFor, type Restrictions, VERSIONS } from './arbitraries.js';
import { fromMqttPacket, generateWithMqttPacket, parseWithMqttPacket } from './mqtt-packet-map.js';

/**
 * Cross-check against mqtt-packet 9.0.2, both directions, every packet type, versions 3, 4 and 5.
 * The generated packets are restricted only where mqtt-packet itself cannot represent a valid packet:
 *
 * - User properties: mqtt-packet keeps them in an object keyed by name, so repeated names are grouped
 *   (interleaving order is lost), integer-like names are reordered by the JavaScript engine, and a
 *   repeated name whose first value is "" is overwritten (a truthiness test in its parser). We send
 *   distinct names starting with a letter. Repeated names are covered by our own round-trip tests.
 * - CONNECT: `generate` refuses an empty client id in 3.1, or with clean session 0, and a password
 *   without a user name even in 5.0 (where the spec allows it), so client ids are non-empty and
 *   passwords come with user names.
 * - AUTH (ours to theirs only): its parser reads a reason code even at Remaining Length 0, the short
 *   Success form 3.15.2.1 allows, and fails; we do not send that form to it.
 *
 * Our own assertions are unchanged: every frame is decoded by our Decoder with all its checks.
 */
const TO_THEM: Restrictions = { plainUserProperties: true, mqttPacketConnect: true, noEmptyAuth: true };
const FROM_THEM: Restrictions = { plainUserProperties: true, mqttPacketConnect: true };
const RUNS = { numRuns: 400, plugins: [fc.interruptAfterTimeLimit(8000)] };

describe('oracle: mqtt-packet', () => {
  for (const version of VERSIONS) {
    for (const side of ['server', 'client'] as const) {
      it(`parses what we encode (version ${version}, to the ${side})`, () => {
        fc.assert(
          fc.property(packetFor(version, side, TO_THEM), (packet) => {
            const parsed = parseWithMqttPacket(encode(packet, version), version);
            expect(parsed).toHaveLength(1);
            expect(fromMqttPacket(parsed[0]!, version)).toStrictEqual(packet);
          }),
          RUNS,
        );
      });

      it(`is decoded by us identically (version ${version}, to the ${side})`, () => {
        fc.assert(
          fc.property(packetFor(version, side, FROM_THEM), (packet) => {
            const frame = generateWithMqttPacket(packet, version);
            const decoder = new Decoder({ side, protocolVersion: version });
            // `frame` is a Buffer; the payloads we return are plain Uint8Array views all the same.
            decoder.push(frame);
            const decoded = decoder.next();
            if (MqttError.isInstance(decoded)) throw decoded;
            expect(decoded).toStrictEqual(packet);
            expect(decoder.next()).toBeUndefined();
            // And mqtt-packet reads its own frame back the same way.
            expect(fromMqttPacket(parseWithMqttPacket(frame, version)[0]!, version)).toStrictEqual(packet);
          }),
          RUNS,
        );
      });
    }
  }
});
