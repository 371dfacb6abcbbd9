/**
 * `mqttkit bench sub`: every client subscribes to its topic (the pattern with `%i`/`%c` filled in) and
 * counts what arrives. PUBLISH frames are counted by fixed header; a timestamp is decoded for latency
 * only from sampled messages (every message below ~20,000 msg/s, one in 2^k above, so the cost stays
 * flat at any rate). QoS 1/2 acknowledgements are written per turn with the client's other bytes.
 */
import type { BenchArgs } from './bench-args.js';
import { topicOf } from './bench-args.js';
import type { BenchClient } from './bench-client.js';
import type { BenchRole } from './bench-run.js';
import type { Connector } from './connector.js';
import { LatencyHistogram } from './histogram.js';
import { AckType, subscribeFrame, writeAck } from './packets.js';
import { readStamp, wallClockMs } from './payload-stamp.js';
import { formatCount, formatPercentiles, latencyMs } from './report.js';

/** Latency samples wanted per second at most. */
const SAMPLES_PER_SECOND = 20_000;

/** The sub role. */
export class SubRole implements BenchRole {
  readonly #args: BenchArgs;
  readonly #latency = new LatencyHistogram();
  readonly #intervalLatency = new LatencyHistogram();
  /** Clients that have their SUBACK. */
  readonly #subscribed = new Set<BenchClient>();
  #received = 0;
  #bytes = 0;
  #lastReceived = 0;
  #peak = 0;
  #firstAt = 0;
  #lastAt = 0;
  #refused = 0;
  /** Sample a timestamp when (received & mask) === 0; mask = 2^k - 1 adapted each second. */
  #sampleMask = 0;
  #done = false;
  #markFinished: () => void = () => {};
  readonly durationStart = Promise.resolve();
  readonly finished: Promise<void>;

  /** A sub role for `args`. */
  constructor(args: BenchArgs) {
    this.#args = args;
    this.finished = new Promise((resolve) => {
      this.#markFinished = resolve;
    });
  }

  attach(_connector: Connector): void {}

  connected(client: BenchClient): void {
    client.write(
      subscribeFrame(topicOf(this.#args, client.index), this.#args.qos, this.#args.protocolVersion),
    );
  }

  frame(client: BenchClient, first: number, buffer: Buffer, start: number, end: number): void {
    const type = first >>> 4;
    if (type === 3) {
      this.#onPublish(client, first, buffer, start, end);
      return;
    }
    if (type === 6 && end - start >= 2) {
      // PUBREL of an incoming QoS 2 message: complete it.
      const pubcomp = Buffer.allocUnsafe(4);
      writeAck(pubcomp, 0, AckType.pubcomp, buffer.readUInt16BE(start));
      client.write(pubcomp);
      return;
    }
    if (type === 9) {
      // SUBACK: packet id (2), v5 properties, then one code per filter; a code >= 0x80 is a refusal.
      const code = buffer[end - 1]!;
      if (code >= 0x80) this.#refused++;
      else this.#subscribed.add(client);
    }
  }

  #onPublish(client: BenchClient, first: number, buffer: Buffer, start: number, end: number): void {
    if (this.#done) return;
    const received = ++this.#received;
    const remaining = end - start;
    // Whole frames, as bench pub counts them: 1 type byte + the Remaining Length's own bytes + body.
    this.#bytes +=
      1 + (remaining < 128 ? 1 : remaining < 16_384 ? 2 : remaining < 2_097_152 ? 3 : 4) + remaining;
    const now = performance.now();
    if (this.#firstAt === 0) this.#firstAt = now;
    this.#lastAt = now;
    const qos = (first >>> 1) & 3;
    const sample = (received & this.#sampleMask) === 0;
    if (qos > 0 || sample) {
      let at = start + 2 + buffer.readUInt16BE(start);
      if (qos > 0) {
        const ack = Buffer.allocUnsafe(4);
        writeAck(ack, 0, qos === 1 ? AckType.puback : AckType.pubrec, buffer.readUInt16BE(at));
        client.write(ack);
        at += 2;
      }
      if (sample) {
        if (this.#args.protocolVersion === 5) at = skipProperties(buffer, at, end);
        const sentAt = readStamp(buffer, at, end);
        if (sentAt !== undefined) {
          const micros = (wallClockMs() - sentAt) * 1000;
          this.#latency.record(micros);
          this.#intervalLatency.record(micros);
        }
      }
    }
    if (this.#args.limit > 0 && received >= this.#args.limit) {
      this.#done = true;
      this.#markFinished();
    }
  }

  lost(client: BenchClient): void {
    this.#subscribed.delete(client);
  }

  liveLine(): string {
    const delta = this.#received - this.#lastReceived;
    this.#lastReceived = this.#received;
    if (delta > this.#peak) this.#peak = delta;
    // Aim at SAMPLES_PER_SECOND samples: mask = next power of two of delta / target, minus one.
    const ratio = Math.max(1, Math.floor(delta / SAMPLES_PER_SECOND));
    this.#sampleMask = 2 ** Math.floor(Math.log2(ratio)) - 1;
    const latency = formatPercentiles(this.#intervalLatency);
    this.#intervalLatency.reset();
    const refused = this.#refused > 0 ? ` refused=${this.#refused}` : '';
    return `subscribed=${this.#subscribed.size}${refused} recv=${formatCount(this.#received)} rate=${formatCount(delta)}/s ${latency === '' ? '' : `latency ${latency}`}`;
  }

  async stop(): Promise<void> {
    this.#done = true;
  }

  summary() {
    const args = this.#args;
    const seconds = this.#firstAt === 0 ? 0 : (this.#lastAt - this.#firstAt) / 1000;
    return {
      durationSeconds: Math.round(seconds * 100) / 100,
      messages: {
        topic: args.topic,
        qos: args.qos,
        count: this.#received,
        bytes: this.#bytes,
        ratePerSecond: seconds > 0 ? Math.round(this.#received / seconds) : this.#received,
        peakPerSecond: Math.max(this.#peak, seconds < 1 ? this.#received : 0),
      },
      latencyMs: { kind: 'end-to-end' as const, ...latencyMs(this.#latency.summary()) },
    };
  }
}

/** Skips a v5 property block (Variable Byte Integer length, then the properties) starting at `at`. */
function skipProperties(buffer: Buffer, at: number, end: number): number {
  let length = 0;
  let multiplier = 1;
  let position = at;
  while (position < end) {
    const byte = buffer[position++]!;
    length += (byte & 0x7f) * multiplier;
    if ((byte & 0x80) === 0) break;
    multiplier *= 128;
  }
  return position + length;
}
