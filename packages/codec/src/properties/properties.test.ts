import { MqttError } from '@mqttkit/types';
import { describe, expect, it } from 'vitest';
import { ByteReader } from '../byte-reader.js';
import { ByteWriter } from '../byte-writer.js';
import { varintSize } from '../varint.js';
import { readProperties } from './read.js';
import { PropertySet } from './table.js';
import { propertiesLength, writeProperties } from './write.js';

function roundTrip(properties: object, set: PropertySet): Record<string, unknown> | undefined {
  const length = propertiesLength(properties, set);
  const w = new ByteWriter();
  const frame = w.start(varintSize(length) + length);
  writeProperties(w, properties, set, length);
  expect(w.pos).toBe(frame.length);
  const r = new ByteReader();
  r.reset(frame, 0, frame.length, true);
  const result = readProperties(r, set);
  expect(r.pos).toBe(frame.length);
  return result;
}

function readError(bytes: number[], set: PropertySet): MqttError {
  const r = new ByteReader();
  r.reset(Uint8Array.from(bytes), 0, bytes.length, true);
  try {
    readProperties(r, set);
  } catch (error) {
    if (MqttError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a throw');
}

describe('properties', () => {
  it('round-trip each value type at its limits', () => {
    const connack = {
      sessionExpiryInterval: 0xffff_ffff,
      receiveMaximum: 1,
      maximumQoS: 0,
      retainAvailable: true,
      maximumPacketSize: 1,
      assignedClientIdentifier: '',
      topicAliasMaximum: 0xffff,
      reasonString: '\u{1f600}',
      authenticationData: new Uint8Array(0),
      userProperties: [
        ['', ''],
        ['n', 'v1'],
        ['n', 'v2'],
      ],
    };
    expect(roundTrip(connack, PropertySet.Connack)).toStrictEqual(connack);
    const publish = {
      subscriptionIdentifiers: [1, 127, 128, 268_435_455],
      topicAlias: 0xffff,
      payloadFormatIndicator: true,
    };
    expect(roundTrip(publish, PropertySet.Publish)).toStrictEqual(publish);
  });

  it('return undefined for an empty block, never {}', () => {
    expect(roundTrip({}, PropertySet.Ack)).toBeUndefined();
    expect(roundTrip({ userProperties: [] }, PropertySet.Ack)).toBeUndefined();
  });

  it('do not write keys the packet may not carry', () => {
    expect(roundTrip({ reasonString: 'r', topicAlias: 3 }, PropertySet.Ack)).toStrictEqual({
      reasonString: 'r',
    });
  });

  it('refuse an unknown or misplaced identifier as malformed', () => {
    expect(readError([0x02, 0x7f, 0x00], PropertySet.Publish).code).toBe('MALFORMED_PACKET');
    expect(readError([0x03, 0x21, 0x00, 0x01], PropertySet.Publish).code).toBe('MALFORMED_PACKET');
    expect(readError([0x02, 0x00, 0x00], PropertySet.Publish).code).toBe('MALFORMED_PACKET');
  });

  it('refuse duplicates and out-of-range values as protocol errors', () => {
    expect(readError([0x04, 0x24, 0x00, 0x24, 0x01], PropertySet.Connack).code).toBe('PROTOCOL_ERROR');
    expect(readError([0x02, 0x28, 0x05], PropertySet.Connack).code).toBe('PROTOCOL_ERROR');
    expect(readError([0x02, 0x0b, 0x00], PropertySet.Subscribe).code).toBe('PROTOCOL_ERROR');
    const alias = readError([0x03, 0x23, 0x00, 0x00], PropertySet.Publish);
    expect([alias.code, alias.specRef]).toEqual(['TOPIC_ALIAS_INVALID', 'MQTT-3.3.2-8']);
  });

  it('refuse a block longer than the packet', () => {
    expect(readError([0x05, 0x01, 0x01], PropertySet.Publish).code).toBe('MALFORMED_PACKET');
  });
});
