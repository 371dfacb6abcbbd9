/**
 * `mqttkit bench pub`: every connected client publishes at `--rate` (or `-I`) messages per second, or
 * as fast as the broker takes them with `-I 0`.
 *
 * Why it is fast: each client's PUBLISH is encoded once; per message the generator copies that frame
 * into the turn's batch buffer and patches the packet id and the payload timestamp in place
 * (`Publisher.build`), then each client writes its batch with one `socket.write` per event-loop turn.
 * Acknowledgements are read by fixed header and packet id only. Everything is bounded: unacknowledged
 * messages per client (`--inflight`, or the QoS 0 probe window), bytes waiting in each socket, bytes per
 * batch.
 */
import type { BenchArgs } from './bench-args.js';
import type { BenchClient } from './bench-client.js';
import type { BenchRole } from './bench-run.js';
import type { Connector } from './connector.js';
import { LatencyHistogram } from './histogram.js';
import { AckType, writeAck } from './packets.js';
import { wallClockMs } from './payload-stamp.js';
import { Publisher } from './publisher.js';
import { formatCount, formatPercentiles, latencyMs } from './report.js';

/** Bytes one client may produce per turn in `-I 0` mode: large writes, but bounded. */
const BATCH_BYTES = 64 * 1024;
/** Pacing tick with a rate. */
const RATE_TICK_MS = 5;
/** Retry delay when every client is blocked. */
const BLOCKED_RETRY_MS = 1;
/** How long `stop()` waits for outstanding acknowledgements. */
const DRAIN_TIMEOUT_MS = 5000;

/** The pub role. */
export class PubRole implements BenchRole {
  readonly #args: BenchArgs;
  readonly #publishers = new Map<BenchClient, Publisher>();
  readonly #ackLatency = new LatencyHistogram();
  readonly #intervalLatency = new LatencyHistogram();
  /**
   * Bound on bytes queued per socket in user space (the kernel's socket buffer holds more): enough to
   * keep the broker fed, small enough that 64 MiB covers every client.
   */
  readonly #highWater: number;
  #sent = 0;
  #acked = 0;
  #bytes = 0;
  #lastSent = 0;
  #peak = 0;
  #firstAt = 0;
  #lastAt = 0;
  #running = true;
  #tickScheduled = false;
  #markStarted: () => void = () => {};
  #markFinished: () => void = () => {};
  readonly durationStart: Promise<void>;
  readonly finished: Promise<void>;

  /** A pub role for `args`. */
  constructor(args: BenchArgs) {
    this.#args = args;
    this.#highWater = Math.max(
      64 * 1024,
      Math.min(1024 * 1024, Math.floor((64 * 1024 * 1024) / args.clients)),
    );
    this.durationStart = new Promise((resolve) => {
      this.#markStarted = resolve;
    });
    this.finished = new Promise((resolve) => {
      this.#markFinished = resolve;
    });
  }

  attach(_connector: Connector): void {}

  connected(client: BenchClient): void {
    this.#publishers.set(client, new Publisher(client, this.#args));
    if (this.#firstAt === 0) {
      this.#firstAt = performance.now();
      this.#markStarted();
    }
    this.#schedule();
  }

  frame(client: BenchClient, first: number, buffer: Buffer, start: number, end: number): void {
    const type = first >>> 4;
    if (end - start < 2 || (type !== 4 && type !== 5 && type !== 7)) return;
    const publisher = this.#publishers.get(client);
    if (publisher === undefined) return;
    const packetId = buffer.readUInt16BE(start);
    if (type === 5) {
      // PUBREC: release it; the slot frees on PUBCOMP.
      const pubrel = Buffer.allocUnsafe(4);
      writeAck(pubrel, 0, AckType.pubrel, packetId);
      client.write(pubrel);
      return;
    }
    const sentAt = publisher.acknowledge(packetId);
    if (sentAt === undefined) return;
    if (this.#args.qos > 0) {
      this.#acked++;
      const micros = (performance.now() - sentAt) * 1000;
      this.#ackLatency.record(micros);
      this.#intervalLatency.record(micros);
    }
    this.#schedule();
  }

  lost(client: BenchClient): void {
    this.#publishers.delete(client);
  }

  liveLine(): string {
    const delta = this.#sent - this.#lastSent;
    this.#lastSent = this.#sent;
    if (delta > this.#peak) this.#peak = delta;
    const ack =
      this.#args.qos === 0
        ? ''
        : ` acked=${formatCount(this.#acked)} ack ${formatPercentiles(this.#intervalLatency)}`;
    this.#intervalLatency.reset();
    return `sent=${formatCount(this.#sent)} rate=${formatCount(delta)}/s${ack}`;
  }

  async stop(): Promise<void> {
    if (this.#running) this.#lastAt = performance.now();
    this.#running = false;
    // Outstanding QoS 1/2 messages (or QoS 0 probes) get their acknowledgements, bounded.
    const deadline = performance.now() + DRAIN_TIMEOUT_MS;
    while (this.#inflightTotal() > 0 && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  summary() {
    const args = this.#args;
    const end = this.#lastAt === 0 ? performance.now() : this.#lastAt;
    const seconds = this.#firstAt === 0 ? 0 : (end - this.#firstAt) / 1000;
    let skipped = 0;
    for (const publisher of this.#publishers.values()) skipped += publisher.skipped;
    return {
      durationSeconds: Math.round(seconds * 100) / 100,
      messages: {
        topic: args.topic,
        qos: args.qos,
        payloadBytes: args.size,
        count: this.#sent,
        bytes: this.#bytes,
        ratePerSecond: seconds > 0 ? Math.round(this.#sent / seconds) : 0,
        peakPerSecond: Math.max(this.#peak, seconds > 0 && seconds < 1 ? this.#sent : 0),
        ...(args.qos > 0 ? { acked: this.#acked } : {}),
        ...(args.ratePerClient > 0 ? { skipped } : {}),
      },
      latencyMs:
        args.qos > 0 ? { kind: 'ack' as const, ...latencyMs(this.#ackLatency.summary()) } : undefined,
    };
  }

  #inflightTotal(): number {
    let total = 0;
    for (const publisher of this.#publishers.values()) {
      if (publisher.client.isConnected) total += publisher.inflight;
    }
    return total;
  }

  /** Runs `#tick` soon: next turn when unpaced, on the pacing tick otherwise (or after `delayMs`). */
  #schedule(delayMs?: number): void {
    if (this.#tickScheduled || !this.#running) return;
    this.#tickScheduled = true;
    const delay = delayMs ?? (this.#args.ratePerClient > 0 ? RATE_TICK_MS : 0);
    if (delay > 0) setTimeout(() => this.#tick(), delay);
    else setImmediate(() => this.#tick());
  }

  #tick(): void {
    this.#tickScheduled = false;
    if (!this.#running) return;
    const now = performance.now();
    const wall = wallClockMs();
    let progressed = false;
    for (const publisher of this.#publishers.values()) {
      if (!publisher.client.isConnected) continue;
      if (this.#produce(publisher, now, wall) > 0) progressed = true;
      if (!this.#running) break;
    }
    // Unpaced and everyone blocked (window full or socket backed up): an acknowledgement or a drain
    // calls #schedule sooner; the short timer covers a socket that drains without a 'drain' event.
    this.#schedule(this.#args.ratePerClient > 0 || progressed ? undefined : BLOCKED_RETRY_MS);
  }

  /** Sends what `publisher` may send now as one batch; returns how many messages. */
  #produce(publisher: Publisher, now: number, wall: number): number {
    const args = this.#args;
    const { client } = publisher;
    if (client.writableLength > this.#highWater) {
      if (!publisher.waitingForDrain) {
        publisher.waitingForDrain = true;
        client.onceDrained(() => {
          publisher.waitingForDrain = false;
          this.#schedule();
        });
      }
      return 0;
    }
    let wanted: number;
    if (args.ratePerClient > 0) {
      const due = Math.floor(((now - publisher.startedAt) / 1000) * args.ratePerClient) + 1;
      wanted = due - publisher.sent - publisher.skipped;
      // More than a second behind: give up the backlog rather than burst (counted as skipped).
      const burst = Math.max(1, Math.ceil(args.ratePerClient));
      if (wanted > burst) {
        publisher.skipped += wanted - burst;
        wanted = burst;
      }
    } else wanted = Math.max(1, Math.floor(BATCH_BYTES / publisher.template.frame.length));
    if (args.limit > 0) wanted = Math.min(wanted, args.limit - this.#sent);
    const { count, probeAt } = publisher.plan(wanted, args.ratePerClient === 0);
    if (count <= 0) return 0;
    const batch = publisher.build(count, probeAt, now, wall);
    client.write(batch);
    this.#sent += count;
    this.#bytes += batch.length;
    if (args.limit > 0 && this.#sent >= args.limit) {
      this.#lastAt = performance.now();
      this.#running = false;
      this.#markFinished();
    }
    return count;
  }
}
