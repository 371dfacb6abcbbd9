import { KeepaliveMonitor } from './keepalive.js';
import type { Transport, TransportOpener, TransportTarget } from './transports/transport.js';

/** What a `Link` reports to the client. */
export interface LinkEvents {
  /** Bytes arrived. */
  data(chunk: Uint8Array): void;
  /** The transport can take more after a write returned false. */
  drain(): void;
  /** The transport closed (once; `error` when it was not an orderly close). */
  closed(error: Error | undefined): void;
  /** Keepalive: time to send a PINGREQ. */
  ping(): void;
  /** Keepalive: no packet came back after a PINGREQ; the connection is dead. */
  dead(timeoutMs: number): void;
}

/** Bytes batched before a write is forced, so a long synchronous burst does not hold everything back. */
const FLUSH_BYTES = 64 * 1024;

/** Runs `callback` after the current I/O phase: `setImmediate` in Node, a microtask elsewhere. */
const defer: (callback: () => void) => void =
  typeof (globalThis as { setImmediate?: unknown }).setImmediate === 'function'
    ? (callback) => {
        (globalThis as unknown as { setImmediate(cb: () => void): unknown }).setImmediate(callback);
      }
    : queueMicrotask;

/** Keeps a timer from holding a Node process open (the socket does that while it matters). */
function unref(timer: ReturnType<typeof setTimeout>): void {
  (timer as { unref?: () => void }).unref?.();
}

/**
 * One connection's I/O: the transport, the write batch and the keepalive timer. Packets written during
 * one event-loop turn go out as a single transport write (design decision 4: "corked per tick"), which
 * is most of the publish path's speed.
 */
export class Link {
  readonly #events: LinkEvents;
  #transport: Transport | undefined;
  #chunks: Uint8Array[] = [];
  #bytes = 0;
  #scheduled = false;
  #writable = true;
  #closed = false;
  #keepalive: KeepaliveMonitor | undefined;
  #keepaliveTimer: ReturnType<typeof setTimeout> | undefined;
  /** Set by `end` to learn when the transport has closed. */
  #onClosed: (() => void) | undefined;
  readonly #flushNow = (): void => {
    this.#scheduled = false;
    this.flush();
  };

  /** A link that reports to `events`; `open` connects it. */
  constructor(events: LinkEvents) {
    this.#events = events;
  }

  /** Opens the transport; rejects when it cannot be opened or `signal` aborts. */
  async open(opener: TransportOpener, target: TransportTarget, signal: AbortSignal): Promise<void> {
    this.#transport = await opener(
      target,
      {
        data: (chunk) => {
          this.#keepalive?.received(Date.now());
          this.#events.data(chunk);
        },
        drain: () => {
          this.#writable = true;
          this.#events.drain();
        },
        close: (error) => {
          this.#closed = true;
          this.#stopKeepalive();
          this.#events.closed(error);
          this.#onClosed?.();
        },
      },
      signal,
    );
  }

  /** False while the transport's buffer is above its high-water mark. */
  get writable(): boolean {
    return this.#writable;
  }

  /** True once the transport closed. */
  get isClosed(): boolean {
    return this.#closed;
  }

  /** Queues `frame` for the batched write of this turn. */
  write(frame: Uint8Array): void {
    this.#chunks.push(frame);
    this.#bytes += frame.length;
    if (this.#bytes >= FLUSH_BYTES) {
      this.flush();
    } else if (!this.#scheduled) {
      this.#scheduled = true;
      defer(this.#flushNow);
    }
  }

  /** Writes everything batched so far as one transport write. */
  flush(): void {
    const transport = this.#transport;
    if (this.#bytes === 0 || transport === undefined || this.#closed) return;
    const chunks = this.#chunks;
    const bytes = this.#bytes;
    this.#chunks = [];
    this.#bytes = 0;
    if (!transport.write(chunks, bytes)) this.#writable = false;
    this.#keepalive?.sent(Date.now());
  }

  /** Starts keepalive for `seconds` (0: off); `timeoutMs` bounds the wait for an answer to PINGREQ. */
  startKeepalive(seconds: number, timeoutMs: number): void {
    this.#stopKeepalive();
    if (seconds <= 0 || this.#closed) return;
    this.#keepalive = new KeepaliveMonitor(seconds * 1000, timeoutMs, Date.now());
    this.#armKeepalive();
  }

  /** Flushes and closes gracefully; resolves once closed, destroying the transport after `timeoutMs`. */
  end(timeoutMs: number): Promise<void> {
    this.flush();
    this.#stopKeepalive();
    const transport = this.#transport;
    if (transport === undefined || this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => transport.destroy(), timeoutMs);
      this.#onClosed = () => {
        clearTimeout(timer);
        resolve();
      };
      transport.end();
    });
  }

  /** Closes at once; what is batched and not yet written is dropped. */
  destroy(): void {
    this.#stopKeepalive();
    this.#chunks = [];
    this.#bytes = 0;
    if (!this.#closed) this.#transport?.destroy();
  }

  #armKeepalive(): void {
    const monitor = this.#keepalive;
    if (monitor === undefined) return;
    const delay = Math.max(0, monitor.nextCheckAt - Date.now());
    this.#keepaliveTimer = setTimeout(() => {
      this.#keepaliveTimer = undefined;
      if (this.#keepalive !== monitor || this.#closed) return;
      // Whatever is batched counts as sent: flush it first so the decision sees it.
      this.flush();
      const action = monitor.check(Date.now());
      if (action === 'dead') {
        this.#events.dead(monitor.timeoutMs);
        return;
      }
      if (action === 'ping') {
        this.#events.ping();
        this.flush();
      }
      this.#armKeepalive();
    }, delay);
    unref(this.#keepaliveTimer);
  }

  #stopKeepalive(): void {
    if (this.#keepaliveTimer !== undefined) clearTimeout(this.#keepaliveTimer);
    this.#keepaliveTimer = undefined;
    this.#keepalive = undefined;
  }
}
