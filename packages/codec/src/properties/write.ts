import type { ByteWriter } from '../byte-writer.js';
import { fail } from '../errors.js';
import { UTF8_HAS_NULL, utf8Length, writeUtf8 } from '../utf8.js';
import { varintSize } from '../varint.js';
import { ORDER, PROPERTY_SET_NAME, type PropertyDescriptor, type PropertySet, Wire } from './table.js';

/**
 * The byte length of a property block's properties (without its Property Length prefix), checking
 * every value. `properties` may be undefined (length 0). Keys `set` does not allow are not written.
 *
 * Throws TypeError for a value of the wrong JavaScript type or outside its wire type, and `MqttError`
 * for a value the spec forbids (Receive Maximum 0, Topic Alias 0, a string with U+0000 ...).
 */
export function propertiesLength(properties: object | undefined, set: PropertySet): number {
  if (properties === undefined) return 0;
  const values = properties as Record<string, unknown>;
  const order = ORDER[set]!;
  let length = 0;
  for (let i = 0; i < order.length; i++) {
    const d = order[i]!;
    const value = values[d.key];
    if (value === undefined) continue;
    if (d.repeated) {
      if (!Array.isArray(value)) throw new TypeError(`${d.key} must be an array`);
      for (let j = 0; j < value.length; j++) length += 1 + valueLength(d, value[j], set);
    } else {
      length += 1 + valueLength(d, value, set);
    }
  }
  return length;
}

function valueLength(d: PropertyDescriptor, value: unknown, set: PropertySet): number {
  switch (d.wire) {
    case Wire.Pair: {
      if (!Array.isArray(value) || value.length !== 2)
        throw new TypeError('a user property must be a [name, value] pair');
      return stringLength(value[0], d) + stringLength(value[1], d);
    }
    case Wire.String:
      return stringLength(value, d);
    case Wire.Binary:
      if (!(value instanceof Uint8Array)) throw new TypeError(`${d.key} must be a Uint8Array`);
      if (value.length > 0xffff) fail('MALFORMED_PACKET', `${d.label} is longer than 65,535 bytes`);
      return 2 + value.length;
    case Wire.Bool:
      if (typeof value !== 'boolean') throw new TypeError(`${d.key} must be a boolean`);
      return 1;
    default: {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > maxOfWire(d.wire)) {
        throw new TypeError(
          `${d.key} must be an integer from 0 to ${maxOfWire(d.wire)}, got ${String(value)}`,
        );
      }
      if (value < d.min || value > d.max) {
        fail(d.rangeCode, `${d.label} ${value} is not allowed in ${PROPERTY_SET_NAME[set]}`, d.rangeRef);
      }
      return d.wire === Wire.U32
        ? 4
        : d.wire === Wire.U16
          ? 2
          : d.wire === Wire.Varint
            ? varintSize(value)
            : 1;
    }
  }
}

function maxOfWire(wire: Wire): number {
  return wire === Wire.U32
    ? 0xffff_ffff
    : wire === Wire.U16
      ? 0xffff
      : wire === Wire.Varint
        ? 268_435_455
        : 0xff;
}

function stringLength(value: unknown, d: PropertyDescriptor): number {
  if (typeof value !== 'string') throw new TypeError(`${d.key} must be a string`);
  const length = utf8Length(value);
  if (length < 0) {
    fail(
      'MALFORMED_PACKET',
      `${d.label} ${length === UTF8_HAS_NULL ? 'contains U+0000' : 'contains a lone surrogate'}`,
      length === UTF8_HAS_NULL ? 'MQTT-1.5.4-2' : 'MQTT-1.5.4-1',
    );
  }
  if (length > 0xffff) fail('MALFORMED_PACKET', `${d.label} is longer than 65,535 bytes`);
  return 2 + length;
}

/** Writes Property Length `length` (from `propertiesLength`) and then the properties. */
export function writeProperties(
  w: ByteWriter,
  properties: object | undefined,
  set: PropertySet,
  length: number,
): void {
  w.varint(length);
  if (length === 0 || properties === undefined) return;
  const values = properties as Record<string, unknown>;
  const order = ORDER[set]!;
  for (let i = 0; i < order.length; i++) {
    const d = order[i]!;
    const value = values[d.key];
    if (value === undefined) continue;
    if (d.repeated) {
      const list = value as readonly unknown[];
      for (let j = 0; j < list.length; j++) writeValue(w, d, list[j]);
    } else {
      writeValue(w, d, value);
    }
  }
}

function writeValue(w: ByteWriter, d: PropertyDescriptor, value: unknown): void {
  w.u8(d.id);
  switch (d.wire) {
    case Wire.Pair: {
      const pair = value as readonly [string, string];
      writeString(w, pair[0]);
      writeString(w, pair[1]);
      return;
    }
    case Wire.String:
      writeString(w, value as string);
      return;
    case Wire.Binary:
      w.binary(value as Uint8Array);
      return;
    case Wire.Bool:
      w.u8(value === true ? 1 : 0);
      return;
    case Wire.U32:
      w.u32(value as number);
      return;
    case Wire.U16:
      w.u16(value as number);
      return;
    case Wire.Varint:
      w.varint(value as number);
      return;
    default:
      w.u8(value as number);
  }
}

/** Writes a length-prefixed string measured in the first pass: the length is back-filled. */
function writeString(w: ByteWriter, text: string): void {
  const start = w.pos;
  const end = writeUtf8(w.buf, start + 2, text);
  const length = end - start - 2;
  w.buf[start] = length >>> 8;
  w.buf[start + 1] = length;
  w.pos = end;
}
