import type {
  ConnectPacket,
  ConnectProperties,
  ProtocolVersion,
  QoS,
  Will,
  WillProperties,
} from '@mqttkit/types';
import type { ByteReader } from '../byte-reader.js';
import { writer } from '../byte-writer.js';
import { fail, malformed, protocolError } from '../errors.js';
import { checkConnectFlagsNibble, FIRST_BYTE } from '../frame.js';
import { readProperties } from '../properties/read.js';
import { PropertySet } from '../properties/table.js';
import { propertiesLength, writeProperties } from '../properties/write.js';
import { varintSize } from '../varint.js';
import {
  checkRemainingLength,
  hasWildcard,
  measureBinary,
  measureString,
  requireInteger,
  requireQos,
} from './common.js';

/** CONNECT (5.0 section 3.1; 3.1.1 section 3.1; 3.1 uses the name "MQIsdp" and level 3). */

const USERNAME = 0x80;
const PASSWORD = 0x40;
const WILL_RETAIN = 0x20;
const WILL_FLAG = 0x04;
const CLEAN = 0x02;
const RESERVED = 0x01;

/** Decodes a CONNECT body (the `Decoder` records its protocol level byte before calling this). */
export function decodeConnect(r: ByteReader, firstByte: number): ConnectPacket {
  // The name is compared as bytes: an unknown name is an unsupported protocol, not a UTF-8 question.
  const nameLength = r.u16();
  const nameStart = r.pos;
  if (nameStart + nameLength > r.end) malformed('CONNECT ends inside its Protocol Name');
  r.pos = nameStart + nameLength;
  const level = r.u8();
  const b = r.buf;
  const isMqtt =
    nameLength === 4 &&
    b[nameStart] === 0x4d &&
    b[nameStart + 1] === 0x51 &&
    b[nameStart + 2] === 0x54 &&
    b[nameStart + 3] === 0x54;
  const isMqisdp =
    nameLength === 6 &&
    b[nameStart] === 0x4d &&
    b[nameStart + 1] === 0x51 &&
    b[nameStart + 2] === 0x49 &&
    b[nameStart + 3] === 0x73 &&
    b[nameStart + 4] === 0x64 &&
    b[nameStart + 5] === 0x70;
  if (!isMqtt && !isMqisdp) {
    // "MQTT" is case-sensitive: "mqtt" is some other protocol [MQTT-3.1.2-1].
    fail(
      'UNSUPPORTED_PROTOCOL_VERSION',
      'CONNECT Protocol Name is neither "MQTT" nor "MQIsdp"',
      'MQTT-3.1.2-1',
    );
  }
  if (isMqtt ? level !== 4 && level !== 5 : level !== 3) {
    fail(
      'UNSUPPORTED_PROTOCOL_VERSION',
      `protocol level ${level} is not supported with this Protocol Name`,
      'MQTT-3.1.2-2',
    );
  }
  const protocolVersion = level as ProtocolVersion;
  const isV5 = level === 5;
  r.isV5 = isV5;
  checkConnectFlagsNibble(firstByte, isV5);

  const flags = r.u8();
  if ((flags & RESERVED) !== 0) malformed('CONNECT reserved flag is set', 'MQTT-3.1.2-3');
  const hasWill = (flags & WILL_FLAG) !== 0;
  const willQos = (flags >>> 3) & 3;
  const willRetain = (flags & WILL_RETAIN) !== 0;
  if (!hasWill) {
    if (willQos !== 0)
      malformed('Will QoS is set without the Will Flag', isV5 ? 'MQTT-3.1.2-11' : 'MQTT-3.1.2-13');
    if (willRetain)
      malformed('Will Retain is set without the Will Flag', isV5 ? 'MQTT-3.1.2-13' : 'MQTT-3.1.2-15');
  } else if (willQos === 3) {
    malformed('Will QoS is 3', isV5 ? 'MQTT-3.1.2-12' : 'MQTT-3.1.2-14');
  }
  const hasUsername = (flags & USERNAME) !== 0;
  const hasPassword = (flags & PASSWORD) !== 0;
  // 5.0 allows a password alone (3.1.2.9); 3.1.1 does not.
  if (!isV5 && hasPassword && !hasUsername)
    malformed('Password Flag is set without User Name Flag', 'MQTT-3.1.2-22');

  const keepAlive = r.u16();
  const properties = isV5 ? readProperties(r, PropertySet.Connect) : undefined;
  if (
    properties !== undefined &&
    properties.authenticationData !== undefined &&
    properties.authenticationMethod === undefined
  ) {
    // 3.1.2.11.10: "It is a Protocol Error to include Authentication Data if there is no Authentication Method".
    protocolError('CONNECT has Authentication Data without an Authentication Method');
  }
  const clientId = r.utf8();
  const packet: ConnectPacket = {
    type: 'connect',
    protocolVersion,
    clean: (flags & CLEAN) !== 0,
    keepAlive,
    clientId,
  };
  if (hasWill) {
    const willProperties = isV5 ? readProperties(r, PropertySet.Will) : undefined;
    const topic = r.utf8();
    checkWillTopic(topic);
    const will: Will = { topic, payload: r.binary(), qos: willQos as QoS, retain: willRetain };
    if (willProperties !== undefined) will.properties = willProperties as WillProperties;
    packet.will = will;
  }
  if (hasUsername) packet.username = r.utf8();
  if (hasPassword) packet.password = r.binary();
  r.expectEnd('CONNECT');
  if (properties !== undefined) packet.properties = properties as ConnectProperties;
  return packet;
}

/** The Will Topic is a Topic Name: at least one character [MQTT-4.7.3-1], no wildcards. */
function checkWillTopic(topic: string): void {
  if (topic.length === 0) fail('TOPIC_NAME_INVALID', 'Will Topic is empty', 'MQTT-4.7.3-1');
  if (hasWildcard(topic)) fail('TOPIC_NAME_INVALID', 'Will Topic contains a wildcard character');
}

// Lengths measured by measureConnect for the write pass that follows it.
let clientIdLength = 0;
let propertiesBytes = 0;
let willPropertiesBytes = 0;
let willTopicLength = 0;
let usernameLength = 0;

/** The Remaining Length of a CONNECT, checking every field. */
export function measureConnect(p: ConnectPacket, version: ProtocolVersion): number {
  if (p.protocolVersion !== version) {
    throw new TypeError(
      `CONNECT protocolVersion ${String(p.protocolVersion)} differs from the encoding version ${version}`,
    );
  }
  const isV5 = version === 5;
  requireInteger(p.keepAlive, 'keepAlive', 0xffff);
  clientIdLength = measureString(p.clientId, 'clientId', isV5);
  // Protocol Name (2 + 6 or 4), level, flags, Keep Alive, Client Identifier.
  let length = (version === 3 ? 8 : 6) + 1 + 1 + 2 + 2 + clientIdLength;
  if (isV5) {
    const props = p.properties;
    if (props?.authenticationData !== undefined && props.authenticationMethod === undefined) {
      protocolError('CONNECT has Authentication Data without an Authentication Method');
    }
    propertiesBytes = propertiesLength(props, PropertySet.Connect);
    length += varintSize(propertiesBytes) + propertiesBytes;
  }
  const will = p.will;
  if (will !== undefined) {
    requireQos(will.qos, 'will.qos');
    willTopicLength = measureString(will.topic, 'will.topic', isV5);
    checkWillTopic(will.topic);
    length += 2 + willTopicLength + 2 + measureBinary(will.payload, 'will.payload');
    if (isV5) {
      willPropertiesBytes = propertiesLength(will.properties, PropertySet.Will);
      length += varintSize(willPropertiesBytes) + willPropertiesBytes;
    }
  }
  if (p.username !== undefined) {
    usernameLength = measureString(p.username, 'username', isV5);
    length += 2 + usernameLength;
  }
  if (p.password !== undefined) {
    if (!isV5 && p.username === undefined)
      malformed('a password needs a user name before MQTT 5.0', 'MQTT-3.1.2-22');
    length += 2 + measureBinary(p.password, 'password');
  }
  return checkRemainingLength(length, 'CONNECT');
}

/** Encodes a CONNECT frame. */
export function encodeConnect(p: ConnectPacket, version: ProtocolVersion): Uint8Array {
  const remainingLength = measureConnect(p, version);
  const w = writer;
  const frame = w.start(1 + varintSize(remainingLength) + remainingLength);
  w.u8(FIRST_BYTE.connect);
  w.varint(remainingLength);
  if (version === 3) {
    w.u16(6);
    w.u8(0x4d); // M
    w.u8(0x51); // Q
    w.u8(0x49); // I
    w.u8(0x73); // s
    w.u8(0x64); // d
    w.u8(0x70); // p
  } else {
    w.u16(4);
    w.u8(0x4d); // M
    w.u8(0x51); // Q
    w.u8(0x54); // T
    w.u8(0x54); // T
  }
  w.u8(version);
  const will = p.will;
  let flags = p.clean ? CLEAN : 0;
  if (will !== undefined) flags |= WILL_FLAG | (will.qos << 3) | (will.retain ? WILL_RETAIN : 0);
  if (p.username !== undefined) flags |= USERNAME;
  if (p.password !== undefined) flags |= PASSWORD;
  w.u8(flags);
  w.u16(p.keepAlive);
  if (version === 5) writeProperties(w, p.properties, PropertySet.Connect, propertiesBytes);
  w.string(p.clientId, clientIdLength);
  if (will !== undefined) {
    if (version === 5) writeProperties(w, will.properties, PropertySet.Will, willPropertiesBytes);
    w.string(will.topic, willTopicLength);
    w.binary(will.payload);
  }
  if (p.username !== undefined) w.string(p.username, usernameLength);
  if (p.password !== undefined) w.binary(p.password);
  return frame;
}
