import { PropertyId } from '@mqttkit/types';
import { describe, expect, it } from 'vitest';
import { LOOKUP, ORDER, PropertySet, Wire } from './table.js';

const S = PropertySet;

// 5.0 Table 2-4 (Properties): identifier, wire type and the packets that may carry it, restated
// independently of table.ts.
const SPEC: [number, Wire, PropertySet[]][] = [
  [0x01, Wire.Bool, [S.Publish, S.Will]],
  [0x02, Wire.U32, [S.Publish, S.Will]],
  [0x03, Wire.String, [S.Publish, S.Will]],
  [0x08, Wire.String, [S.Publish, S.Will]],
  [0x09, Wire.Binary, [S.Publish, S.Will]],
  [0x0b, Wire.Varint, [S.Publish, S.Subscribe]],
  [0x11, Wire.U32, [S.Connect, S.Connack, S.Disconnect]],
  [0x12, Wire.String, [S.Connack]],
  [0x13, Wire.U16, [S.Connack]],
  [0x15, Wire.String, [S.Connect, S.Connack, S.Auth]],
  [0x16, Wire.Binary, [S.Connect, S.Connack, S.Auth]],
  [0x17, Wire.Bool, [S.Connect]],
  [0x18, Wire.U32, [S.Will]],
  [0x19, Wire.Bool, [S.Connect]],
  [0x1a, Wire.String, [S.Connack]],
  [0x1c, Wire.String, [S.Connack, S.Disconnect]],
  [0x1f, Wire.String, [S.Connack, S.Ack, S.Suback, S.Unsuback, S.Disconnect, S.Auth]],
  [0x21, Wire.U16, [S.Connect, S.Connack]],
  [0x22, Wire.U16, [S.Connect, S.Connack]],
  [0x23, Wire.U16, [S.Publish]],
  [0x24, Wire.Byte, [S.Connack]],
  [0x25, Wire.Bool, [S.Connack]],
  [0x26, Wire.Pair, Object.values(S)],
  [0x27, Wire.U32, [S.Connect, S.Connack]],
  [0x28, Wire.Bool, [S.Connack]],
  [0x29, Wire.Bool, [S.Connack]],
  [0x2a, Wire.Bool, [S.Connack]],
];

describe('property table', () => {
  it('matches the spec table for every identifier and packet', () => {
    for (const set of Object.values(S)) {
      for (let id = 0; id < 0x80; id++) {
        const row = SPEC.find(([specId]) => specId === id);
        const allowed = row?.[2].includes(set) === true;
        const d = LOOKUP[set]![id];
        expect(d !== undefined, `id 0x${id.toString(16)} in set ${set}`).toBe(allowed);
        if (d !== undefined) expect(d.wire).toBe(row![1]);
      }
    }
  });

  it('knows every PropertyId of @mqttkit/types', () => {
    for (const id of Object.values(PropertyId)) expect(SPEC.some(([specId]) => specId === id)).toBe(true);
    expect(SPEC).toHaveLength(Object.keys(PropertyId).length);
  });

  it('writes in ascending identifier order with User Properties last', () => {
    for (const order of ORDER) {
      const ids = order.map((d) => d.id);
      expect(ids.at(-1)).toBe(0x26);
      const rest = ids.slice(0, -1);
      expect(rest).toEqual([...rest].sort((a, b) => a - b));
    }
  });

  it('repeats only User Property, and Subscription Identifier in PUBLISH', () => {
    for (const set of Object.values(S)) {
      for (const d of ORDER[set]!) {
        expect(d.repeated, `${d.key} in ${set}`).toBe(d.id === 0x26 || (d.id === 0x0b && set === S.Publish));
      }
    }
  });
});
