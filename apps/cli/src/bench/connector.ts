/**
 * Opens the bench's clients at the configured connection rate (`-R`), with a bounded number of
 * connections in progress at once, and records how long each took to get its CONNACK.
 */
import { type BenchArgs, clientIdOf } from './bench-args.js';
import { BenchClient, type BenchClientHandler } from './bench-client.js';
import { LatencyHistogram } from './histogram.js';
import { connectFrame, PINGREQ } from './packets.js';

/** Connections in progress at once: bounds sockets and timers however large `-c` is. */
const MAX_PENDING = 256;
/** How long a client may take from TCP connect to CONNACK. */
const CONNECT_TIMEOUT_MS = 10_000;
/** Pacing tick when a rate is set. */
const TICK_MS = 5;

/** What the role (conn, pub, sub) does with its clients. */
export interface RoleHandler {
  /** The client got CONNACK 0. */
  connected(client: BenchClient): void;
  /** A frame after CONNACK (see `BenchClientHandler.frame`). */
  frame: BenchClientHandler['frame'];
  /** A connected client closed (not called for clients that never connected). */
  lost(client: BenchClient, error: Error | undefined): void;
}

/** Connection counts and connect latency. */
export class Connector {
  readonly #args: BenchArgs;
  readonly #role: RoleHandler;
  /** Every client opened, by position (index - startNumber). */
  readonly clients: BenchClient[] = [];
  /** TCP connect to CONNACK, in microseconds. */
  readonly connectLatency = new LatencyHistogram();
  /** Connect latency since the last live line. */
  readonly intervalLatency = new LatencyHistogram();
  connected = 0;
  failed = 0;
  /** Connected clients that closed later. */
  lost = 0;
  /** The first few distinct failure reasons. */
  readonly errors = new Map<string, number>();
  #pending = 0;
  #started = 0;
  #stopped = false;
  #timer: NodeJS.Timeout | undefined;
  #startAt = 0;
  #settle: () => void = () => {};
  /** Resolves once every client has connected or failed. */
  readonly allSettled: Promise<void>;

  /** A connector for `args.clients` clients playing `role`. */
  constructor(args: BenchArgs, role: RoleHandler) {
    this.#args = args;
    this.#role = role;
    this.allSettled = new Promise((resolve) => {
      this.#settle = resolve;
    });
  }

  /** Clients connected now. */
  get open(): number {
    return this.connected - this.lost;
  }

  /** Starts opening clients. */
  start(): void {
    this.#startAt = performance.now();
    this.#tick();
  }

  /** Stops opening new clients (those in progress finish). */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    if (this.#pending === 0) this.#settle();
  }

  #tick(): void {
    this.#timer = undefined;
    if (this.#stopped) return;
    const total = this.#args.clients;
    const rate = this.#args.connRate;
    const allowed =
      rate <= 0
        ? total
        : Math.min(total, Math.floor(((performance.now() - this.#startAt) / 1000) * rate) + 1);
    while (this.#started < allowed && this.#pending < MAX_PENDING) this.#open();
    if (this.#started < total) {
      // When the pending window is full, the next settle re-ticks; otherwise wait for the rate.
      if (this.#pending < MAX_PENDING) this.#timer = setTimeout(() => this.#tick(), TICK_MS);
    }
  }

  #open(): void {
    const index = this.#args.startNumber + this.#started++;
    this.#pending++;
    const args = this.#args;
    const clientId = clientIdOf(args, index);
    const frame = connectFrame({
      clientId,
      protocolVersion: args.protocolVersion,
      keepAlive: args.keepAlive,
      username: args.username,
      password: args.password,
    });
    const handler: BenchClientHandler = {
      connack: (client, code) => {
        if (code !== 0) return;
        const micros = (performance.now() - client.startedAt) * 1000;
        this.connectLatency.record(micros);
        this.intervalLatency.record(micros);
        this.connected++;
        this.#settled();
        this.#role.connected(client);
      },
      frame: (client, first, buffer, start, end) => this.#role.frame(client, first, buffer, start, end),
      closed: (client, error) => {
        if (client.hasConnected) {
          // Our own close at the end (error undefined) is not a loss.
          if (error !== undefined) this.lost++;
          this.#role.lost(client, error);
          return;
        }
        this.failed++;
        const reason = error?.message ?? 'closed';
        if (this.errors.size < 10 || this.errors.has(reason))
          this.errors.set(reason, (this.errors.get(reason) ?? 0) + 1);
        this.#settled();
      },
    };
    this.clients.push(
      new BenchClient(
        {
          host: args.host,
          port: args.port,
          index,
          clientId,
          connectFrame: frame,
          timeoutMs: CONNECT_TIMEOUT_MS,
        },
        handler,
      ),
    );
  }

  /** Sends PINGREQ on connected clients that wrote nothing for half their keepalive. */
  pingIdle(): void {
    if (this.#args.keepAlive === 0) return;
    const idleMs = this.#args.keepAlive * 500;
    const now = performance.now();
    for (const client of this.clients) {
      if (client.isConnected && now - client.lastWriteAt > idleMs) client.write(PINGREQ);
    }
  }

  #settled(): void {
    this.#pending--;
    const done = this.connected + this.failed;
    if (done >= this.#args.clients || (this.#stopped && this.#pending === 0)) this.#settle();
    else if (this.#timer === undefined && !this.#stopped) this.#tick();
  }
}
