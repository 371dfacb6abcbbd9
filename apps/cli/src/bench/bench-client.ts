/**
 * One bench connection on a raw TCP socket: it sends a pre-encoded CONNECT, splits what arrives into
 * frames by fixed header only, and batches everything written during an event-loop turn into one
 * `socket.write`. The full `@mqttkit/client` would decode every packet and allocate a promise per
 * message; a load generator cannot afford that.
 */
import { connect, type Socket } from 'node:net';
import { FrameError, FrameScanner } from './frame-scanner.js';
import { DISCONNECT } from './packets.js';

/** What a bench client reports to its owner. */
export interface BenchClientHandler {
  /** CONNACK arrived with `code` (0 accepted; 3.x return code or v5 reason code otherwise). */
  connack(client: BenchClient, code: number): void;
  /** A frame after CONNACK: first byte and body bounds in `buffer` (valid during the call only). */
  frame(client: BenchClient, first: number, buffer: Buffer, bodyStart: number, bodyEnd: number): void;
  /** The connection closed (once); `error` says why when it was not our own close. */
  closed(client: BenchClient, error: Error | undefined): void;
}

/** Clients with bytes queued this turn, written together in one `setImmediate`. */
const dirty = new Set<BenchClient>();
let flushScheduled = false;

function flushAll(): void {
  flushScheduled = false;
  for (const client of dirty) client.flush();
  dirty.clear();
}

/** A raw MQTT connection for the bench. */
export class BenchClient {
  /** The client's index (`%i`). */
  readonly index: number;
  readonly clientId: string;
  readonly #socket: Socket;
  readonly #handler: BenchClientHandler;
  readonly #scanner = new FrameScanner();
  #out: Buffer[] = [];
  #outBytes = 0;
  #state: 'connecting' | 'connected' | 'closed' = 'connecting';
  #closingByUs = false;
  #hasConnected = false;
  #connectTimer: NodeJS.Timeout | undefined;
  /** `performance.now()` when the TCP connect started. */
  readonly startedAt = performance.now();
  /** `performance.now()` of the last write, for keepalive pings. */
  lastWriteAt = this.startedAt;

  /** Opens the socket and sends `connectFrame`; the handler hears the CONNACK or the failure. */
  constructor(
    options: {
      host: string;
      port: number;
      index: number;
      clientId: string;
      connectFrame: Buffer;
      timeoutMs: number;
    },
    handler: BenchClientHandler,
  ) {
    this.index = options.index;
    this.clientId = options.clientId;
    this.#handler = handler;
    this.#socket = connect({ host: options.host, port: options.port });
    this.#socket.setNoDelay(true);
    this.#socket.once('connect', () => this.write(options.connectFrame));
    this.#socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    this.#socket.on('error', (error) => this.#close(error));
    this.#socket.on('close', () =>
      this.#close(this.#closingByUs ? undefined : new Error('connection closed by the server')),
    );
    this.#connectTimer = setTimeout(() => {
      this.#close(new Error(`no CONNACK within ${options.timeoutMs} ms`));
    }, options.timeoutMs);
  }

  /** True after CONNACK 0 and before the close. */
  get isConnected(): boolean {
    return this.#state === 'connected';
  }

  /** True once CONNACK 0 arrived (even if closed since). */
  get hasConnected(): boolean {
    return this.#hasConnected;
  }

  /** True once closed. */
  get isClosed(): boolean {
    return this.#state === 'closed';
  }

  /** Bytes handed to the socket and not yet written to the kernel. */
  get writableLength(): number {
    return this.#socket.writableLength + this.#outBytes;
  }

  /** Queues `bytes` for this turn's write (the buffer must not change afterwards). */
  write(bytes: Buffer): void {
    if (this.#state === 'closed') return;
    this.#out.push(bytes);
    this.#outBytes += bytes.length;
    dirty.add(this);
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flushAll);
    }
  }

  /** Writes what is queued as one buffer. */
  flush(): void {
    if (this.#outBytes === 0 || this.#state === 'closed') return;
    const data = this.#out.length === 1 ? this.#out[0]! : Buffer.concat(this.#out, this.#outBytes);
    this.#out = [];
    this.#outBytes = 0;
    this.lastWriteAt = performance.now();
    this.#socket.write(data);
  }

  /** Calls `listener` once when the socket's write buffer drains. */
  onceDrained(listener: () => void): void {
    this.#socket.once('drain', listener);
  }

  /** Sends DISCONNECT (when connected) and half-closes; resolves once the socket is closed (bounded). */
  end(timeoutMs = 2000): Promise<void> {
    if (this.#state === 'closed') return Promise.resolve();
    this.#closingByUs = true;
    if (this.#state === 'connected') this.write(DISCONNECT);
    this.flush();
    this.#socket.end();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#socket.destroy();
        resolve();
      }, timeoutMs);
      this.#socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  #onData(chunk: Buffer): void {
    try {
      this.#scanner.push(chunk, (first, buffer, start, end) => {
        if (this.#state === 'connecting') {
          // CONNACK: type 2; the code is the second body byte (3.x return code, v5 reason code).
          if (first >>> 4 !== 2 || end - start < 2) {
            this.#close(new Error(`expected CONNACK, got packet type ${first >>> 4}`));
            return;
          }
          clearTimeout(this.#connectTimer);
          const code = buffer[start + 1]!;
          if (code === 0) {
            this.#state = 'connected';
            this.#hasConnected = true;
          }
          this.#handler.connack(this, code);
          if (code !== 0) this.#close(new Error(`connection refused with code ${code}`));
          return;
        }
        if (this.#state === 'connected') this.#handler.frame(this, first, buffer, start, end);
      });
    } catch (error) {
      this.#close(error instanceof FrameError ? error : new Error(String(error)));
    }
  }

  #close(error: Error | undefined): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    clearTimeout(this.#connectTimer);
    this.#out = [];
    this.#outBytes = 0;
    dirty.delete(this);
    this.#socket.destroy();
    this.#handler.closed(this, this.#closingByUs ? undefined : error);
  }
}
