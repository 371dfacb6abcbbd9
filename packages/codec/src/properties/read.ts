import type { ByteReader } from '../byte-reader.js';
import { fail, malformed, protocolError } from '../errors.js';
import { LOOKUP, PROPERTY_SET_NAME, type PropertySet, propertyLabel, Wire } from './table.js';

/**
 * Reads a property block (Property Length, then properties) at the reader's position and returns the
 * properties object, or `undefined` when the length is 0 (decoded packets never carry `{}`).
 *
 * Throws MALFORMED_PACKET for an identifier that is unknown or not allowed in `set`, a value of the
 * wrong type or a block running past the packet (2.2.2.2: "A Control Packet which contains an
 * Identifier which is not valid for its packet type, or contains a value not of the specified data
 * type, is a Malformed Packet"); PROTOCOL_ERROR for a repeated property the spec allows only once, or a
 * value outside its range.
 */
export function readProperties(r: ByteReader, set: PropertySet): Record<string, unknown> | undefined {
  const length = r.varint();
  if (length === 0) return undefined;
  const end = r.pos + length;
  if (end > r.end)
    return malformed(`${PROPERTY_SET_NAME[set]} Property Length runs past the end of the packet`);
  const packetEnd = r.end;
  // Narrow the reader to the block, so a property value cannot run into the fields after it.
  r.end = end;
  const lookup = LOOKUP[set]!;
  const properties: Record<string, unknown> = {};
  // Identifiers seen so far, as bits (all ids are below 64): cheaper than probing the object.
  let seenLow = 0;
  let seenHigh = 0;
  while (r.pos < end) {
    // Identifiers are Variable Byte Integers, but all defined ones are below 0x80: a first byte with
    // the continuation bit set can only start an unknown (or non-minimal) identifier.
    const id = r.u8();
    const d = id < 0x80 ? lookup[id] : undefined;
    if (d === undefined) {
      const label = propertyLabel(id);
      return malformed(
        label === undefined
          ? `unknown property identifier 0x${id.toString(16)}`
          : `${label} is not allowed in ${PROPERTY_SET_NAME[set]}`,
      );
    }
    let value: unknown;
    switch (d.wire) {
      case Wire.Pair: {
        const name = r.utf8();
        const pair = [name, r.utf8()] as const;
        const list = properties.userProperties as (readonly [string, string])[] | undefined;
        if (list === undefined) properties.userProperties = [pair];
        else list.push(pair);
        continue;
      }
      case Wire.String:
        value = r.utf8();
        break;
      case Wire.Binary:
        value = r.binary();
        break;
      default: {
        const n =
          d.wire === Wire.U32
            ? r.u32()
            : d.wire === Wire.U16
              ? r.u16()
              : d.wire === Wire.Varint
                ? r.varint()
                : r.u8();
        if (n < d.min || n > d.max) {
          fail(d.rangeCode, `${d.label} has the value ${n}, outside ${d.min}..${d.max}`, d.rangeRef);
        }
        value = d.wire === Wire.Bool ? n === 1 : n;
      }
    }
    if (d.repeated) {
      const list = properties[d.key] as unknown[] | undefined;
      if (list === undefined) properties[d.key] = [value];
      else list.push(value);
      continue;
    }
    const bit = 1 << (id & 31);
    const seen = id < 32 ? seenLow : seenHigh;
    if ((seen & bit) !== 0) protocolError(`${d.label} appears more than once in ${PROPERTY_SET_NAME[set]}`);
    if (id < 32) seenLow |= bit;
    else seenHigh |= bit;
    properties[d.key] = value;
  }
  r.end = packetEnd;
  return properties;
}
