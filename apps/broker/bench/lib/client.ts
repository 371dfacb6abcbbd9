import { connectPacket, DISCONNECT, PACKET, subscribePacket } from './packets.js';
import { type Endpoint, openTransport, type Transport } from './transport.js';

/**
 * A raw MQTT 3.1.1 connection for the load generator, over any transport of lib/transport.ts. The
 * receive side parses only fixed headers (and, where needed, the packet id or the trailing timestamp
 * of a PUBLISH); PUBACKs it owes are collected and written once per event-loop turn.
 */

/** Clients that owe PUBACKs this turn; one `setImmediate` flushes them all. */
let dirty: RawClient[] = [];
let flushScheduled = false;

function flushAll(): void {
  flushScheduled = false;
  const list = dirty;
  dirty = [];
  for (let i = 0; i < list.length; i++) list[i]!.flushAcks();
}

export interface ConnectOptions {
  endpoint: Endpoint;
  clientId: string;
  /** Seconds; long enough that no row needs PINGREQ. */
  keepAlive?: number;
  timeoutMs?: number;
}

export class RawClient {
  /** PUBLISH frames received. */
  published = 0;
  /** PUBACK frames received (this client's own QoS 1 publishes acknowledged). */
  pubacks = 0;
  /** Answer QoS 1 PUBLISHes with PUBACK (batched per turn). */
  ackQoS1 = false;
  /** When set, publish→receive latency (ns) of each PUBLISH, from the timestamp in its last 8 bytes. */
  latencies: number[] | undefined;
  /** Called once per received chunk, after it is parsed. */
  onActivity: (() => void) | undefined;
  /** Set when the socket closed or failed; the row reports it. */
  closedWith: string | undefined;

  private pending: Buffer | undefined;
  /** Allocated on the first QoS 1 PUBLISH, so idle clients stay small. */
  private acks: Buffer | undefined;
  private ackBytes = 0;
  private ackQueued = false;
  private waiter:
    | { type: number; resolve: (byte: number) => void; reject: (error: Error) => void }
    | undefined;

  private readonly transport: Transport;

  private constructor(endpoint: Endpoint) {
    this.transport = openTransport(endpoint, {
      onData: (buffer, length) => this.onData(buffer, length),
      onClose: (reason) => this.fail(reason),
    });
  }

  /**
   * Open a connection (TCP; TLS handshake; HTTP upgrade), send CONNECT and wait for a successful
   * CONNACK. The transport sends the CONNECT as soon as it is open.
   */
  static async connect(options: ConnectOptions): Promise<RawClient> {
    const client = new RawClient(options.endpoint);
    const connack = client.expect(PACKET.CONNACK, options.timeoutMs ?? 10_000);
    client.transport.write(connectPacket(options.clientId, options.keepAlive ?? 600));
    let code: number;
    try {
      code = await connack;
    } catch (error) {
      client.transport.destroy();
      throw error;
    }
    if (code !== 0) {
      client.transport.destroy();
      throw new Error(`CONNACK return code ${code} for ${options.clientId}`);
    }
    return client;
  }

  /** SUBSCRIBE and wait for the SUBACK; rejects if the broker refused the filter. */
  async subscribe(filter: string, qos: 0 | 1): Promise<void> {
    const suback = this.expect(PACKET.SUBACK, 10_000);
    this.transport.write(subscribePacket(1, filter, qos));
    const granted = await suback;
    if (granted !== qos) throw new Error(`SUBACK for ${filter} granted ${granted}, asked ${qos}`);
  }

  write(bytes: Buffer | Uint8Array): void {
    this.transport.write(bytes);
  }

  /** Bytes queued in user space (not yet handed to the kernel). */
  get queuedBytes(): number {
    return this.transport.queuedBytes;
  }

  /** Send DISCONNECT and close gracefully. */
  end(): void {
    this.closedWith ??= 'ended';
    if (!this.transport.destroyed) this.transport.end(DISCONNECT);
  }

  destroy(): void {
    this.closedWith ??= 'ended';
    this.transport.destroy();
  }

  flushAcks(): void {
    this.ackQueued = false;
    if (this.ackBytes === 0 || this.acks === undefined || this.transport.destroyed) return;
    // A copy: the ack buffer is reused while the transport may still hold the written chunk.
    this.transport.write(Buffer.from(this.acks.subarray(0, this.ackBytes)));
    this.ackBytes = 0;
  }

  private expect(type: number, timeoutMs: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error(`timed out waiting for packet type ${type}`));
      }, timeoutMs);
      this.waiter = {
        type,
        resolve: (byte) => {
          clearTimeout(timer);
          resolve(byte);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
    });
  }

  private fail(reason: string): void {
    this.closedWith ??= reason;
    const waiter = this.waiter;
    if (waiter !== undefined) {
      this.waiter = undefined;
      waiter.reject(new Error(`connection ${reason}`));
    }
  }

  /** Hot path: walk the frames of `chunk[0, bytes)` (valid only during this call) by their fixed headers. */
  private onData(chunk: Buffer, bytes: number): void {
    let buf = chunk;
    let end = bytes;
    if (this.pending !== undefined) {
      buf = Buffer.concat([this.pending, chunk.subarray(0, bytes)]);
      end = buf.length;
      this.pending = undefined;
    }
    const latencies = this.latencies;
    const now = latencies === undefined ? 0n : process.hrtime.bigint();
    let off = 0;
    frames: while (off + 2 <= end) {
      const first = buf[off]!;
      let length = 0;
      let multiplier = 1;
      let pos = off + 1;
      let byte: number;
      do {
        if (pos >= end) break frames;
        byte = buf[pos++]!;
        length += (byte & 0x7f) * multiplier;
        multiplier *= 128;
      } while (byte & 0x80);
      const frameEnd = pos + length;
      if (frameEnd > end) break;
      const type = first >> 4;
      if (type === PACKET.PUBLISH) {
        this.published++;
        if ((first & 0x06) === 0x02 && this.ackQoS1) {
          const idAt = pos + 2 + ((buf[pos]! << 8) | buf[pos + 1]!);
          this.queueAck(buf[idAt]!, buf[idAt + 1]!);
        }
        if (latencies !== undefined) latencies.push(Number(now - buf.readBigUInt64BE(frameEnd - 8)));
      } else if (type === PACKET.PUBACK) {
        this.pubacks++;
      } else {
        const waiter = this.waiter;
        if (waiter !== undefined && waiter.type === type) {
          this.waiter = undefined;
          // CONNACK: return code is the second byte; SUBACK: the granted QoS is the last byte.
          waiter.resolve(type === PACKET.CONNACK ? buf[pos + 1]! : buf[frameEnd - 1]!);
        }
      }
      off = frameEnd;
    }
    // Keep only the partial frame, copied out of the (possibly shared) read buffer.
    if (off < end) this.pending = Buffer.from(buf.subarray(off, end));
    this.onActivity?.();
  }

  private queueAck(high: number, low: number): void {
    let acks = this.acks;
    if (acks === undefined || this.ackBytes + 4 > acks.length) {
      const bigger = Buffer.allocUnsafe(acks === undefined ? 4096 : acks.length * 2);
      acks?.copy(bigger, 0, 0, this.ackBytes);
      this.acks = acks = bigger;
    }
    const at = this.ackBytes;
    acks[at] = 0x40;
    acks[at + 1] = 0x02;
    acks[at + 2] = high;
    acks[at + 3] = low;
    this.ackBytes = at + 4;
    if (!this.ackQueued) {
      this.ackQueued = true;
      dirty.push(this);
      if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(flushAll);
      }
    }
  }
}
