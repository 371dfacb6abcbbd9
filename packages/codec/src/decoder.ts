import { MqttError, type Packet, type ProtocolVersion } from '@mqttkit/types';
import { ByteReader } from './byte-reader.js';
import { type DecodeContext, decodeContext } from './decode-context.js';
import { fail, malformed } from './errors.js';
import { checkFirstByte, PACKET_NAME } from './frame.js';
import { decodeAuth } from './packets/auth.js';
import { decodeConnack } from './packets/connack.js';
import { decodeConnect } from './packets/connect.js';
import { decodeDisconnect } from './packets/disconnect.js';
import { decodePingreq, decodePingresp } from './packets/ping.js';
import { decodePubAck } from './packets/pub-ack.js';
import { decodePublish } from './packets/publish.js';
import { decodeSuback } from './packets/suback.js';
import { decodeSubscribe } from './packets/subscribe.js';
import { decodeUnsuback } from './packets/unsuback.js';
import { decodeUnsubscribe } from './packets/unsubscribe.js';
import { MAX_VARINT, readVarint, VARINT_INCOMPLETE, VARINT_TOO_LONG, varintLength } from './varint.js';

/** The default limit on one packet, fixed header included: 1 MiB. */
export const DEFAULT_MAXIMUM_PACKET_SIZE = 1_048_576;

/** The largest packet MQTT can express: a 5-byte fixed header and 268,435,455 bytes after it. */
const LARGEST_PACKET = 1 + 4 + MAX_VARINT;

/** Chunks consumed from the front of the list are spliced away in batches of this many. */
const COMPACT_AFTER = 32;

/** How a `Decoder` is set up. */
export interface DecoderOptions {
  /** The side that receives the bytes: a broker decodes with 'server', a client with 'client'. */
  side: 'server' | 'client';
  /**
   * The negotiated version. Required for a client; a server leaves it out for a new connection, so
   * the first packet must be a CONNECT, then calls `setProtocolVersion` with its `protocolVersion`.
   */
  protocolVersion?: ProtocolVersion;
  /** The largest packet accepted, fixed header included; defaults to 1 MiB. */
  maximumPacketSize?: number;
}

function checkVersion(version: unknown): asserts version is ProtocolVersion {
  if (version !== 3 && version !== 4 && version !== 5) {
    throw new TypeError(`protocolVersion must be 3, 4 or 5, got ${String(version)}`);
  }
}

function checkMaximumPacketSize(size: unknown): asserts size is number {
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 2 || size > LARGEST_PACKET) {
    throw new TypeError(
      `maximumPacketSize must be an integer from 2 to ${LARGEST_PACKET}, got ${String(size)}`,
    );
  }
}

/**
 * One reader and one header scratch for every decoder: decoding is synchronous and never re-entrant,
 * and a broker holds a decoder per connection, so per-decoder copies would cost memory per idle
 * client for nothing.
 */
const READER = new ByteReader();
/** The chunk list of every decoder with nothing buffered; never pushed to (idle clients own no list). */
const NO_CHUNKS: Uint8Array[] = [];
const HEADER_SCRATCH = new Uint8Array(4);

/**
 * A streaming MQTT decoder for one connection, free of I/O: `push` the bytes as they arrive, then call
 * `next` until it returns `undefined`. Errors are returned, never thrown.
 *
 * States (per frame):
 * - HEADER: waiting for byte 1 and a complete Remaining Length (`#frameLength < 0`). Byte 1 is checked
 *   (type, direction, flags) as soon as it is here, and the packet size as soon as the length is, so an
 *   oversized or impossible packet fails before any of its body is buffered.
 * - BODY: the frame's size is known; waiting until `bufferedBytes` covers it, then it is decoded
 *   straight from the pushed chunk (payloads are views into it) or, when it spans chunks, from one copy.
 * - FAILED: a decoding error was returned; buffers are released and every later `next()` returns the
 *   same error.
 */
export class Decoder {
  /** Pushed chunks not fully read; the shared empty list while nothing is buffered. */
  #chunks: Uint8Array[] = NO_CHUNKS;
  /** Index of the first chunk with unread bytes, and the read offset within it. */
  #chunkIndex = 0;
  #offset = 0;
  #buffered = 0;
  #maximumPacketSize: number;
  /** Byte 1, header length and total length of the frame being read; -1 until its header is complete. */
  #firstByte = 0;
  #headerLength = 0;
  #frameLength = -1;
  #error: MqttError | undefined = undefined;
  /** A server returned a CONNECT and waits for `setProtocolVersion` before reading other packets. */
  #awaitingVersion = false;
  #ctx: DecodeContext;
  /** The protocol level byte of the last CONNECT read (see `requestedProtocolLevel`). */
  #requestedLevel: number | undefined = undefined;

  /** Creates a decoder for one side of one connection. */
  constructor(options: DecoderOptions) {
    const side = options?.side;
    if (side !== 'server' && side !== 'client') throw new TypeError(`side must be 'server' or 'client'`);
    this.#ctx = decodeContext(0, side === 'server');
    if (options.protocolVersion !== undefined) {
      checkVersion(options.protocolVersion);
      this.#ctx = decodeContext(options.protocolVersion, side === 'server');
    } else if (side === 'client') {
      throw new TypeError('a client decoder needs the protocolVersion it connected with');
    }
    const maximumPacketSize = options.maximumPacketSize ?? DEFAULT_MAXIMUM_PACKET_SIZE;
    checkMaximumPacketSize(maximumPacketSize);
    this.#maximumPacketSize = maximumPacketSize;
  }

  /** The version packets are decoded with; undefined while a server waits for CONNECT. */
  get protocolVersion(): ProtocolVersion | undefined {
    const version = this.#ctx.version;
    return version === 0 ? undefined : version;
  }

  /** The raw protocol level byte of the last CONNECT read, set even when that CONNECT then failed. */
  get requestedProtocolLevel(): number | undefined {
    return this.#requestedLevel;
  }

  /** Bytes pushed and not yet consumed by a returned packet. */
  get bufferedBytes(): number {
    return this.#buffered;
  }

  /** The current packet size limit, fixed header included. */
  get maximumPacketSize(): number {
    return this.#maximumPacketSize;
  }

  /** Sets the version for the packets after CONNECT; a server calls it with the CONNECT's version. */
  setProtocolVersion(version: ProtocolVersion): void {
    checkVersion(version);
    this.#ctx = decodeContext(version, this.#ctx.isServer);
    this.#awaitingVersion = false;
  }

  /** Changes the packet size limit; a frame already announced larger fails at the next `next()`. */
  setMaximumPacketSize(size: number): void {
    checkMaximumPacketSize(size);
    this.#maximumPacketSize = size;
  }

  /**
   * Appends received bytes. The decoder keeps a reference to `chunk` until its bytes are consumed, so
   * the caller must not modify it meanwhile. Ignored once the decoder has failed.
   */
  push(chunk: Uint8Array): void {
    if (!(chunk instanceof Uint8Array)) throw new TypeError('push() takes a Uint8Array');
    if (this.#error !== undefined || chunk.length === 0) return;
    if (this.#chunks === NO_CHUNKS) this.#chunks = [chunk];
    else this.#chunks.push(chunk);
    this.#buffered += chunk.length;
  }

  /**
   * Returns the next packet, an `MqttError` (with the v5 `reasonCode` and, where the spec has one, the
   * `specRef` that was broken), or `undefined` when more bytes are needed.
   */
  next(): Packet | MqttError | undefined {
    if (this.#error !== undefined) return this.#error;
    try {
      return this.#next();
    } catch (error) {
      // Packet decoders throw MqttError to unwind; anything else is a bug and stays a throw.
      if (!MqttError.isInstance(error)) throw error;
      return this.#fail(error);
    }
  }

  #next(): Packet | undefined {
    let frameLength = this.#frameLength;
    if (frameLength < 0) {
      if (this.#buffered === 0) return undefined;
      frameLength = this.#readHeader();
      if (frameLength < 0) return undefined;
    }
    if (frameLength > this.#maximumPacketSize) this.#tooLarge(frameLength);
    if (this.#buffered < frameLength) return undefined;
    const chunk = this.#chunks[this.#chunkIndex]!;
    const start = this.#offset;
    let buf: Uint8Array;
    let from: number;
    if (chunk.length - start >= frameLength) {
      buf = chunk;
      from = start;
      this.#offset = start + frameLength;
      if (this.#offset === chunk.length) this.#nextChunk();
    } else {
      buf = this.#copyFrame(frameLength);
      from = 0;
    }
    this.#buffered -= frameLength;
    this.#frameLength = -1;
    const packet = this.#decodeFrame(buf, from + this.#headerLength, from + frameLength);
    // An idle connection must not keep its last chunk alive through the shared reader.
    READER.release();
    return packet;
  }

  /** Parses the fixed header at the read position; returns the frame length, or -1 if incomplete. */
  #readHeader(): number {
    const ctx = this.#ctx;
    const chunk = this.#chunks[this.#chunkIndex]!;
    const offset = this.#offset;
    const first = chunk[offset]!;
    if (this.#awaitingVersion && first >>> 4 !== 1) {
      throw new Error(
        'Decoder: call setProtocolVersion() with the CONNECT version before reading further packets',
      );
    }
    checkFirstByte(first, ctx.isServer, ctx.version);
    let remainingLength = readVarint(chunk, offset + 1, Math.min(chunk.length, offset + 5));
    let lengthBytes = varintLength;
    if (remainingLength === VARINT_INCOMPLETE && this.#chunkIndex + 1 < this.#chunks.length) {
      // The Remaining Length straddles chunks: gather its (at most 4) bytes.
      const gathered = this.#gatherHeader();
      remainingLength = readVarint(HEADER_SCRATCH, 0, gathered);
      lengthBytes = varintLength;
    }
    if (remainingLength === VARINT_INCOMPLETE) return -1;
    if (remainingLength < 0) {
      if (remainingLength === VARINT_TOO_LONG) malformed('Remaining Length is longer than 4 bytes');
      malformed(
        'Remaining Length uses more bytes than needed',
        ctx.version === 5 ? 'MQTT-1.5.5-1' : undefined,
      );
    }
    const frameLength = 1 + lengthBytes + remainingLength;
    if (frameLength > this.#maximumPacketSize) this.#tooLarge(frameLength);
    this.#firstByte = first;
    this.#headerLength = 1 + lengthBytes;
    this.#frameLength = frameLength;
    return frameLength;
  }

  /** Copies up to 4 bytes after byte 1 into the header scratch, across chunks; returns how many. */
  #gatherHeader(): number {
    const chunks = this.#chunks;
    let index = this.#chunkIndex;
    let pos = this.#offset + 1;
    let gathered = 0;
    while (gathered < 4 && index < chunks.length) {
      const chunk = chunks[index]!;
      if (pos >= chunk.length) {
        index++;
        pos = 0;
        continue;
      }
      HEADER_SCRATCH[gathered++] = chunk[pos++]!;
    }
    return gathered;
  }

  #tooLarge(frameLength: number): never {
    const ctx = this.#ctx;
    // 5.0 defines the limit on the whole packet; the statements are [MQTT-3.2.2-15] for what a client
    // sends and [MQTT-3.1.2-24] for what a server sends. Before 5.0 it is this implementation's limit.
    const ref = ctx.version !== 5 ? undefined : ctx.isServer ? 'MQTT-3.2.2-15' : 'MQTT-3.1.2-24';
    return fail(
      'PACKET_TOO_LARGE',
      `packet of ${frameLength} bytes exceeds the maximum packet size of ${this.#maximumPacketSize}`,
      ref,
    );
  }

  /** Moves the read position to the start of the next chunk, dropping consumed ones. */
  #nextChunk(): void {
    this.#offset = 0;
    const index = ++this.#chunkIndex;
    if (index === this.#chunks.length) {
      this.#chunks = NO_CHUNKS;
      this.#chunkIndex = 0;
    } else if (index >= COMPACT_AFTER) {
      this.#chunks.splice(0, index);
      this.#chunkIndex = 0;
    }
  }

  /** Copies a frame that spans chunks into one array and consumes it. */
  #copyFrame(frameLength: number): Uint8Array {
    const frame = new Uint8Array(frameLength);
    let filled = 0;
    while (filled < frameLength) {
      const chunk = this.#chunks[this.#chunkIndex]!;
      const offset = this.#offset;
      const take = Math.min(chunk.length - offset, frameLength - filled);
      frame.set(chunk.subarray(offset, offset + take), filled);
      filled += take;
      this.#offset = offset + take;
      if (this.#offset === chunk.length) this.#nextChunk();
    }
    return frame;
  }

  #decodeFrame(buf: Uint8Array, start: number, end: number): Packet {
    const first = this.#firstByte;
    const type = first >>> 4;
    const ctx = this.#ctx;
    const r = READER;
    r.reset(buf, start, end, ctx.version === 5);
    switch (type) {
      case 3:
        return decodePublish(r, first, ctx);
      case 4:
      case 5:
      case 6:
      case 7:
        return decodePubAck(r, type, ctx);
      case 1: {
        // Recorded before decoding, so a server can answer even a broken 5.0 CONNECT in 5.0.
        this.#requestedLevel = connectLevel(buf, start, end);
        const packet = decodeConnect(r, first);
        if (ctx.version === 0) this.#awaitingVersion = true;
        return packet;
      }
      case 2:
        return decodeConnack(r, ctx);
      case 8:
        return decodeSubscribe(r, ctx);
      case 9:
        return decodeSuback(r, ctx);
      case 10:
        return decodeUnsubscribe(r, ctx);
      case 11:
        return decodeUnsuback(r, ctx);
      case 12:
        return decodePingreq(r);
      case 13:
        return decodePingresp(r);
      case 14:
        return decodeDisconnect(r, ctx);
      case 15:
        return decodeAuth(r);
      default:
        return malformed(`${PACKET_NAME[type]} cannot be decoded`);
    }
  }

  #fail(error: MqttError): MqttError {
    this.#error = error;
    // Nothing after a failure will ever be read: release the buffered chunks.
    this.#chunks = NO_CHUNKS;
    this.#chunkIndex = 0;
    this.#offset = 0;
    this.#buffered = 0;
    this.#frameLength = -1;
    return error;
  }
}

/** The protocol level byte of a CONNECT body (after the length-prefixed Protocol Name), if present. */
function connectLevel(buf: Uint8Array, start: number, end: number): number | undefined {
  if (end - start < 2) return undefined;
  const at = start + 2 + ((buf[start]! << 8) | buf[start + 1]!);
  return at < end ? buf[at] : undefined;
}
