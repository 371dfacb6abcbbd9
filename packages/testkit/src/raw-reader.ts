/**
 * A minimal frame reader and field parsers, written from the specifications independently of
 * `@mqttkit/codec`, for asserting on what a broker or client sent. Parsers are strict about length:
 * a body with bytes left over or missing is reported, since that is exactly the bug a test looks for.
 */
import { PROPERTY_TABLE, type RawPropertyType, type RawVersion } from './raw-packets.js';

/** One MQTT control packet as split from a byte stream: type (1..15), fixed-header flags and body. */
export interface RawFrame {
  type: number;
  flags: number;
  body: Buffer;
}

/** A property value as read: numbers, strings, bytes, or a `[name, value]` user property. */
export type ParsedPropertyValue = number | string | Buffer | readonly [string, string];

/** One property as read: `[id, value]`, in wire order, duplicates kept. */
export type ParsedProperty = readonly [id: number, value: ParsedPropertyValue];

/** Spec names of the control packet types, indexed by type number. */
const PACKET_NAMES = [
  'RESERVED(0)',
  'CONNECT',
  'CONNACK',
  'PUBLISH',
  'PUBACK',
  'PUBREC',
  'PUBREL',
  'PUBCOMP',
  'SUBSCRIBE',
  'SUBACK',
  'UNSUBSCRIBE',
  'UNSUBACK',
  'PINGREQ',
  'PINGRESP',
  'DISCONNECT',
  'AUTH',
] as const;

/** The spec name of a control packet type number, e.g. `packetName(2)` is `CONNACK`. */
export function packetName(type: number): string {
  return PACKET_NAMES[type] ?? `UNKNOWN(${type})`;
}

/** A one-line description of a frame for error messages: name, flags, length and the first body bytes. */
export function describeFrame(frame: RawFrame): string {
  const shown = frame.body
    .subarray(0, 24)
    .toString('hex')
    .replace(/(..)(?!$)/g, '$1 ');
  const more = frame.body.length > 24 ? ' …' : '';
  return `${packetName(frame.type)} (flags 0x${frame.flags.toString(16)}, ${frame.body.length} body bytes${
    frame.body.length > 0 ? `: ${shown}${more}` : ''
  })`;
}

/**
 * Splits a byte stream into frames, keeping an incomplete tail until more bytes arrive.
 * A Remaining Length longer than four bytes is malformed (section 2.2.3) and throws.
 */
export class FrameReader {
  #buffer: Buffer = Buffer.alloc(0);

  /** Bytes held that do not yet form a complete frame. */
  get buffered(): number {
    return this.#buffer.length;
  }

  /** Appends bytes and returns every frame they complete, in order. */
  push(chunk: Uint8Array): RawFrame[] {
    this.#buffer = this.#buffer.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.#buffer, chunk]);
    const frames: RawFrame[] = [];
    for (;;) {
      const header = readRemainingLength(this.#buffer);
      if (header === undefined) break;
      const end = header.bodyStart + header.length;
      if (this.#buffer.length < end) break;
      const first = this.#buffer[0]!;
      frames.push({
        type: first >> 4,
        flags: first & 0x0f,
        body: this.#buffer.subarray(header.bodyStart, end),
      });
      this.#buffer = this.#buffer.subarray(end);
    }
    return frames;
  }
}

/** Reads the Remaining Length after the first byte; undefined when more bytes are needed. */
function readRemainingLength(buffer: Buffer): { length: number; bodyStart: number } | undefined {
  let length = 0;
  let multiplier = 1;
  for (let i = 1; i <= 4; i++) {
    const byte = buffer[i];
    if (byte === undefined) return undefined;
    length += (byte & 0x7f) * multiplier;
    if ((byte & 0x80) === 0) return { length, bodyStart: i + 1 };
    multiplier *= 128;
  }
  throw new Error('malformed Remaining Length: a fifth continuation byte (section 2.2.3)');
}

/** Splits bytes holding whole frames; throws when bytes of an incomplete frame are left over. */
export function splitFrames(bytes: Uint8Array): RawFrame[] {
  const reader = new FrameReader();
  const frames = reader.push(bytes);
  if (reader.buffered > 0) throw new Error(`${reader.buffered} bytes of an incomplete frame left over`);
  return frames;
}

/** A read position over one frame body; every read names the packet and field when it runs short. */
class Cursor {
  #pos = 0;
  readonly #body: Buffer;
  readonly #packet: string;

  constructor(frame: RawFrame, expectedType: number) {
    if (frame.type !== expectedType) {
      throw new Error(`expected a ${packetName(expectedType)} frame, got ${describeFrame(frame)}`);
    }
    this.#body = frame.body;
    this.#packet = packetName(expectedType);
  }

  get remaining(): number {
    return this.#body.length - this.#pos;
  }

  #take(n: number, field: string): Buffer {
    if (this.#pos + n > this.#body.length) {
      throw new Error(
        `${this.#packet}: body ends at byte ${this.#body.length}, reading ${field} needs ${n} bytes at ${this.#pos}`,
      );
    }
    const bytes = this.#body.subarray(this.#pos, this.#pos + n);
    this.#pos += n;
    return bytes;
  }

  u8(field: string): number {
    return this.#take(1, field)[0]!;
  }

  u16(field: string): number {
    return this.#take(2, field).readUInt16BE(0);
  }

  u32(field: string): number {
    return this.#take(4, field).readUInt32BE(0);
  }

  varint(field: string): number {
    let value = 0;
    let multiplier = 1;
    for (let i = 0; i < 4; i++) {
      const byte = this.u8(field);
      value += (byte & 0x7f) * multiplier;
      if ((byte & 0x80) === 0) return value;
      multiplier *= 128;
    }
    throw new Error(`${this.#packet}: ${field} is a Variable Byte Integer longer than four bytes`);
  }

  binary(field: string): Buffer {
    return this.#take(this.u16(field), field);
  }

  utf8(field: string): string {
    const bytes = this.binary(field);
    try {
      return strictUtf8.decode(bytes);
    } catch {
      throw new Error(`${this.#packet}: ${field} is not well-formed UTF-8 (${bytes.toString('hex')})`);
    }
  }

  rest(): Buffer {
    return this.#take(this.remaining, 'the rest');
  }

  properties(): ParsedProperty[] {
    const length = this.varint('Property Length');
    const end = this.#pos + length;
    if (end > this.#body.length) {
      throw new Error(`${this.#packet}: Property Length ${length} runs past the end of the body`);
    }
    const properties: ParsedProperty[] = [];
    while (this.#pos < end) {
      const id = this.varint('a property identifier');
      const entry = PROPERTY_TABLE.get(id);
      if (entry === undefined)
        throw new Error(`${this.#packet}: unknown property identifier 0x${id.toString(16)}`);
      const [name, type] = entry;
      properties.push([id, this.#propertyValue(type, name)]);
      if (this.#pos > end) throw new Error(`${this.#packet}: property ${name} runs past the Property Length`);
    }
    return properties;
  }

  #propertyValue(type: RawPropertyType, name: string): ParsedPropertyValue {
    switch (type) {
      case 'byte':
        return this.u8(name);
      case 'twoByte':
        return this.u16(name);
      case 'fourByte':
        return this.u32(name);
      case 'varint':
        return this.varint(name);
      case 'utf8':
        return this.utf8(name);
      case 'binary':
        return Buffer.from(this.binary(name));
      case 'pair':
        return [this.utf8(`${name} name`), this.utf8(`${name} value`)];
    }
  }

  end(): void {
    if (this.remaining !== 0) {
      throw new Error(`${this.#packet}: ${this.remaining} unexpected bytes at the end of the body`);
    }
  }
}

/** Rejects ill-formed UTF-8 (including surrogates) instead of replacing it, as the spec requires of peers. */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Every value of one property id, in wire order (e.g. all Subscription Identifiers or User Properties). */
export function propertyValues(properties: readonly ParsedProperty[], id: number): ParsedPropertyValue[] {
  return properties.filter(([pid]) => pid === id).map(([, value]) => value);
}

/** A parsed CONNACK. */
export interface ParsedConnack {
  sessionPresent: boolean;
  /** The whole Connect Acknowledge Flags byte, to check the reserved bits. */
  flags: number;
  /** 3.1.1 return code or 5.0 reason code. */
  code: number;
  properties: ParsedProperty[];
}

/** Parses a CONNACK (section 3.2). */
export function parseConnack(frame: RawFrame, version: RawVersion): ParsedConnack {
  const c = new Cursor(frame, 2);
  const flags = c.u8('Connect Acknowledge Flags');
  const code = c.u8('the reason code');
  const properties = version === 5 ? c.properties() : [];
  c.end();
  return { sessionPresent: (flags & 1) === 1, flags, code, properties };
}

/** A parsed PUBLISH. */
export interface ParsedPublish {
  topic: string;
  packetId?: number;
  payload: Buffer;
  qos: number;
  retain: boolean;
  dup: boolean;
  properties: ParsedProperty[];
}

/** Parses a PUBLISH (section 3.3); the packet id is read only for QoS 1 and 2. */
export function parsePublish(frame: RawFrame, version: RawVersion): ParsedPublish {
  const c = new Cursor(frame, 3);
  const qos = (frame.flags >> 1) & 3;
  const topic = c.utf8('the Topic Name');
  const packetId = qos > 0 ? c.u16('the Packet Identifier') : undefined;
  const properties = version === 5 ? c.properties() : [];
  const payload = Buffer.from(c.rest());
  return {
    topic,
    ...(packetId === undefined ? {} : { packetId }),
    payload,
    qos,
    retain: (frame.flags & 1) === 1,
    dup: (frame.flags & 8) === 8,
    properties,
  };
}

/** A parsed PUBACK, PUBREC, PUBREL or PUBCOMP. */
export interface ParsedAck {
  packetId: number;
  /** 0 (Success) when the shortened form omits it. */
  reasonCode: number;
  properties: ParsedProperty[];
}

/** Parses a PUBACK, PUBREC, PUBREL or PUBCOMP (sections 3.4-3.7), including the 5.0 shortened forms. */
export function parseAck(frame: RawFrame, version: RawVersion): ParsedAck {
  if (frame.type < 4 || frame.type > 7)
    throw new Error(`expected a PUBACK-family frame, got ${describeFrame(frame)}`);
  const c = new Cursor(frame, frame.type);
  const packetId = c.u16('the Packet Identifier');
  let reasonCode = 0;
  let properties: ParsedProperty[] = [];
  if (version === 5 && c.remaining > 0) {
    reasonCode = c.u8('the reason code');
    if (c.remaining > 0) properties = c.properties();
  }
  c.end();
  return { packetId, reasonCode, properties };
}

/** A parsed SUBACK or UNSUBACK. */
export interface ParsedSuback {
  packetId: number;
  /** One return/reason code per filter (empty for a 3.1.1 UNSUBACK). */
  codes: number[];
  properties: ParsedProperty[];
}

/** Parses a SUBACK (section 3.9). */
export function parseSuback(frame: RawFrame, version: RawVersion): ParsedSuback {
  const c = new Cursor(frame, 9);
  const packetId = c.u16('the Packet Identifier');
  const properties = version === 5 ? c.properties() : [];
  return { packetId, codes: [...c.rest()], properties };
}

/** Parses an UNSUBACK (section 3.11); a 3.1.1 UNSUBACK has no codes. */
export function parseUnsuback(frame: RawFrame, version: RawVersion): ParsedSuback {
  const c = new Cursor(frame, 11);
  const packetId = c.u16('the Packet Identifier');
  if (version !== 5) {
    c.end();
    return { packetId, codes: [], properties: [] };
  }
  const properties = c.properties();
  return { packetId, codes: [...c.rest()], properties };
}

/** A parsed DISCONNECT or AUTH. */
export interface ParsedDisconnect {
  /** 0 when the body is empty (Normal disconnection / Success). */
  reasonCode: number;
  properties: ParsedProperty[];
}

/** Parses a DISCONNECT (section 3.14); before 5.0 the body must be empty. */
export function parseDisconnect(frame: RawFrame, version: RawVersion): ParsedDisconnect {
  const c = new Cursor(frame, 14);
  if (version === 5) return reasonAndProperties(c);
  c.end();
  return { reasonCode: 0, properties: [] };
}

/** Parses an AUTH (5.0 section 3.15). */
export function parseAuth(frame: RawFrame): ParsedDisconnect {
  return reasonAndProperties(new Cursor(frame, 15));
}

/** The optional reason code and property block of DISCONNECT and AUTH. */
function reasonAndProperties(c: Cursor): ParsedDisconnect {
  if (c.remaining === 0) return { reasonCode: 0, properties: [] };
  const reasonCode = c.u8('the reason code');
  const properties = c.remaining > 0 ? c.properties() : [];
  c.end();
  return { reasonCode, properties };
}

/** A parsed CONNECT, for fake brokers checking what a client sent. */
export interface ParsedConnect {
  protocolName: string;
  protocolLevel: number;
  /** The whole Connect Flags byte, to check the reserved bit. */
  flags: number;
  clean: boolean;
  keepAlive: number;
  properties: ParsedProperty[];
  clientId: string;
  will?: { topic: string; payload: Buffer; qos: number; retain: boolean; properties: ParsedProperty[] };
  username?: string;
  password?: Buffer;
}

/** Parses a CONNECT (section 3.1); the protocol level byte decides whether properties are read. */
export function parseConnect(frame: RawFrame): ParsedConnect {
  const c = new Cursor(frame, 1);
  const protocolName = c.utf8('the Protocol Name');
  const protocolLevel = c.u8('the Protocol Level');
  const flags = c.u8('the Connect Flags');
  const keepAlive = c.u16('Keep Alive');
  const v5 = protocolLevel === 5;
  const properties = v5 ? c.properties() : [];
  const clientId = c.utf8('the Client Identifier');
  let will: ParsedConnect['will'];
  if ((flags & 0x04) !== 0) {
    const willProperties = v5 ? c.properties() : [];
    const topic = c.utf8('the Will Topic');
    const payload = Buffer.from(c.binary('the Will Payload'));
    will = {
      topic,
      payload,
      qos: (flags >> 3) & 3,
      retain: (flags & 0x20) !== 0,
      properties: willProperties,
    };
  }
  const username = (flags & 0x80) !== 0 ? c.utf8('the User Name') : undefined;
  const password = (flags & 0x40) !== 0 ? Buffer.from(c.binary('the Password')) : undefined;
  c.end();
  return {
    protocolName,
    protocolLevel,
    flags,
    clean: (flags & 0x02) !== 0,
    keepAlive,
    properties,
    clientId,
    ...(will === undefined ? {} : { will }),
    ...(username === undefined ? {} : { username }),
    ...(password === undefined ? {} : { password }),
  };
}

/** One parsed SUBSCRIBE entry. */
export interface ParsedSubscription {
  filter: string;
  /** The whole Subscription Options byte, to check the reserved bits. */
  options: number;
  qos: number;
  noLocal: boolean;
  retainAsPublished: boolean;
  retainHandling: number;
}

/** A parsed SUBSCRIBE. */
export interface ParsedSubscribe {
  packetId: number;
  subscriptions: ParsedSubscription[];
  properties: ParsedProperty[];
}

/** Parses a SUBSCRIBE (section 3.8). */
export function parseSubscribe(frame: RawFrame, version: RawVersion): ParsedSubscribe {
  const c = new Cursor(frame, 8);
  const packetId = c.u16('the Packet Identifier');
  const properties = version === 5 ? c.properties() : [];
  const subscriptions: ParsedSubscription[] = [];
  while (c.remaining > 0) {
    const filter = c.utf8('a Topic Filter');
    const options = c.u8('the Subscription Options');
    subscriptions.push({
      filter,
      options,
      qos: options & 3,
      noLocal: (options & 0x04) !== 0,
      retainAsPublished: (options & 0x08) !== 0,
      retainHandling: (options >> 4) & 3,
    });
  }
  return { packetId, subscriptions, properties };
}

/** A parsed UNSUBSCRIBE. */
export interface ParsedUnsubscribe {
  packetId: number;
  filters: string[];
  properties: ParsedProperty[];
}

/** Parses an UNSUBSCRIBE (section 3.10). */
export function parseUnsubscribe(frame: RawFrame, version: RawVersion): ParsedUnsubscribe {
  const c = new Cursor(frame, 10);
  const packetId = c.u16('the Packet Identifier');
  const properties = version === 5 ? c.properties() : [];
  const filters: string[] = [];
  while (c.remaining > 0) filters.push(c.utf8('a Topic Filter'));
  return { packetId, filters, properties };
}
