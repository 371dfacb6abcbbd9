/**
 * One `bench pub` client: its pre-encoded PUBLISH, its window of unacknowledged messages, and the batch
 * builder that turns "send n messages" into one buffer (a copy of the frame per message, packet id and
 * timestamp patched in place).
 *
 * QoS 0 has no acknowledgements, so nothing would stop a generator from filling kernel socket buffers
 * far ahead of the broker (on loopback that is megabytes per connection, gigabytes across hundreds), and
 * "sent" would then measure the generator, not the broker. So every `probeEvery` messages (about 64 KiB
 * of frames) one message goes out at QoS 1 as a probe, and at most `PROBE_WINDOW` probes may be
 * unacknowledged: a PUBACK means the broker has read everything before it on that connection (MQTT keeps
 * order per connection), so what the broker has not read yet stays bounded and the rate is the broker's.
 */
import type { BenchArgs } from './bench-args.js';
import { topicOf } from './bench-args.js';
import type { BenchClient } from './bench-client.js';
import { type PublishTemplate, publishTemplate } from './packets.js';
import { STAMP_BYTES, writeStamp } from './payload-stamp.js';

/** Bytes of frames between two QoS 0 probes. */
const PROBE_SPACING_BYTES = 64 * 1024;
/** Unacknowledged probes per QoS 0 client. */
const PROBE_WINDOW = 4;

/** A publishing client's state. */
export class Publisher {
  readonly client: BenchClient;
  readonly template: PublishTemplate;
  /** The QoS 1 probe frame (QoS 0 runs only). */
  readonly #probe: PublishTemplate | undefined;
  readonly #probeEvery: number;
  readonly #stamped: boolean;
  /** `performance.now()` when it started publishing (the rate schedule's origin). */
  readonly startedAt = performance.now();
  sent = 0;
  /** Messages the schedule asked for that were given up because the client fell behind. */
  skipped = 0;
  /** Ring of in-flight slots (messages, or probes at QoS 0): slot s uses packet id s + 1. */
  readonly #sentAt: Float64Array;
  readonly #busy: Uint8Array;
  #cursor = 0;
  inflight = 0;
  #sinceProbe = 0;
  /** True while a 'drain' listener is registered. */
  waitingForDrain = false;

  /** The publisher for `client`. */
  constructor(client: BenchClient, args: BenchArgs) {
    this.client = client;
    const topic = topicOf(args, client.index);
    this.template = publishTemplate(topic, args.size, args.qos, args.retain, args.protocolVersion);
    this.#probe =
      args.qos === 0 ? publishTemplate(topic, args.size, 1, args.retain, args.protocolVersion) : undefined;
    this.#probeEvery = Math.max(1, Math.floor(PROBE_SPACING_BYTES / this.template.frame.length));
    this.#stamped = args.size >= STAMP_BYTES;
    const window = args.qos === 0 ? PROBE_WINDOW : args.inflight;
    this.#sentAt = new Float64Array(window);
    this.#busy = new Uint8Array(window);
  }

  /** Frees the slot of `packetId`; returns when it was sent, or undefined for an unknown id. */
  acknowledge(packetId: number): number | undefined {
    const slot = packetId - 1;
    if (slot < 0 || slot >= this.#busy.length || this.#busy[slot] === 0) return undefined;
    this.#busy[slot] = 0;
    this.inflight--;
    return this.#sentAt[slot];
  }

  /**
   * How many of `wanted` messages may go now, and which one is the QoS 0 probe (-1 for none). With QoS
   * 1/2 unpaced, waits until an eighth of the window is free: small writes cost a system call each.
   */
  plan(wanted: number, unpaced: boolean): { count: number; probeAt: number } {
    if (wanted <= 0) return { count: 0, probeAt: -1 };
    if (this.#probe === undefined) {
      const free = this.#freeSlots();
      const worthIt = Math.min(wanted, Math.ceil(this.#busy.length / 8));
      if (unpaced && this.inflight > 0 && free < worthIt) return { count: 0, probeAt: -1 };
      return { count: Math.min(wanted, free), probeAt: -1 };
    }
    const room = this.#probeEvery - this.#sinceProbe;
    if (wanted < room) return { count: wanted, probeAt: -1 };
    if (this.#freeSlots() > 0) return { count: room, probeAt: room - 1 };
    return { count: room - 1, probeAt: -1 };
  }

  /** Builds `count` messages (the one at `probeAt` being the probe) as one buffer, taking their slots. */
  build(count: number, probeAt: number, now: number, wallMs: number): Buffer {
    const frame = this.template.frame;
    const probe = this.#probe;
    const probeBytes = probeAt >= 0 && probe !== undefined ? probe.frame.length - frame.length : 0;
    const batch = Buffer.allocUnsafe(count * frame.length + probeBytes);
    let offset = 0;
    for (let k = 0; k < count; k++) {
      const template = k === probeAt && probe !== undefined ? probe : this.template;
      template.frame.copy(batch, offset);
      if (this.#stamped) writeStamp(batch, offset + template.payloadOffset, wallMs);
      if (template.packetIdOffset >= 0)
        batch.writeUInt16BE(this.#take(now), offset + template.packetIdOffset);
      offset += template.frame.length;
    }
    this.sent += count;
    this.#sinceProbe = probeAt >= 0 ? 0 : this.#sinceProbe + count;
    return batch;
  }

  /** Takes the slot at the cursor; returns its packet id. */
  #take(now: number): number {
    const slot = this.#cursor;
    this.#busy[slot] = 1;
    this.#sentAt[slot] = now;
    this.inflight++;
    this.#cursor = slot + 1 === this.#busy.length ? 0 : slot + 1;
    return slot + 1;
  }

  /** Free slots in ring order from the cursor (acknowledgements normally come in order). */
  #freeSlots(): number {
    const size = this.#busy.length;
    let free = 0;
    for (
      let slot = this.#cursor;
      free < size && this.#busy[slot] === 0;
      slot = slot + 1 === size ? 0 : slot + 1
    ) {
      free++;
    }
    return free;
  }
}
