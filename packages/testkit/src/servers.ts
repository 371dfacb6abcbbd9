/**
 * Server fixtures on 127.0.0.1 and ephemeral ports, as async-disposable resources (style guide R14):
 * `listenOnEphemeralPort` for any server under test, `FakeBroker` as a scriptable peer for client tests.
 */
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { DEFAULT_TIMEOUT_MS, RawConnection } from './raw-connection.js';
import { type RawProperty, type RawVersion, rawConnack } from './raw-packets.js';
import { type ParsedConnect, parseConnect } from './raw-reader.js';

/** Anything that listens like `net.Server`: a callback or a returned promise signals readiness. */
export interface ListenableServer {
  listen(port: number, host: string, callback: () => void): unknown;
  close(callback?: (error?: Error) => void): unknown;
  address(): AddressInfo | string | null;
  once?(event: 'error', listener: (error: Error) => void): unknown;
  off?(event: 'error', listener: (error: Error) => void): unknown;
  on?(event: 'connection', listener: (socket: Socket) => void): unknown;
}

/** A server bound by `listenOnEphemeralPort`; `close` (or `await using`) stops it and drops its sockets. */
export interface EphemeralListener extends AsyncDisposable {
  readonly port: number;
  readonly host: string;
  close(): Promise<void>;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/** Binds `server` to `host` (default 127.0.0.1) on port 0 and resolves with the port the system chose. */
export async function listenOnEphemeralPort(
  server: ListenableServer,
  host = '127.0.0.1',
): Promise<EphemeralListener> {
  // `net.Server.close` waits for open connections; a fixture must not hang on a forgotten socket.
  const sockets = new Set<Socket>();
  server.on?.('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  let onError: ((error: Error) => void) | undefined;
  await new Promise<void>((resolve, reject) => {
    onError = reject;
    server.once?.('error', onError);
    const returned = server.listen(0, host, () => resolve());
    if (isThenable(returned)) returned.then(() => resolve(), reject);
  });
  if (onError) server.off?.('error', onError);
  const address = server.address();
  if (address === null || typeof address === 'string') {
    throw new Error(`listenOnEphemeralPort: the server reports no TCP address (${String(address)})`);
  }
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= new Promise<void>((resolve, reject) => {
      for (const socket of sockets) socket.destroy();
      const returned = server.close((error) => (error ? reject(error) : resolve()));
      if (isThenable(returned)) returned.then(() => resolve(), reject);
    });
    return closing;
  };
  return { port: address.port, host, close, [Symbol.asyncDispose]: close };
}

/** Options of `FakeBroker.acceptConnect`: what the CONNACK says. */
export interface AcceptConnectOptions {
  /** CONNACK return/reason code; default 0. */
  code?: number;
  sessionPresent?: boolean;
  /** CONNACK properties, sent only when the client spoke 5.0. */
  properties?: readonly RawProperty[];
  /** Bound on waiting for the connection and for its CONNECT; default `DEFAULT_TIMEOUT_MS`. */
  timeoutMs?: number;
}

/** What `FakeBroker.acceptConnect` returns: the connection, its parsed CONNECT and the version it spoke. */
export interface AcceptedConnection {
  connection: RawConnection;
  connect: ParsedConnect;
  version: RawVersion;
}

/**
 * A scriptable MQTT peer for client tests: it accepts TCP connections on an ephemeral port and does
 * nothing by itself. Tests read each connection's frames, write raw bytes back, or drop the socket.
 */
export class FakeBroker implements AsyncDisposable {
  /** The port the broker listens on, on `host`. */
  readonly port: number;
  /** The address the broker listens on (127.0.0.1 by default). */
  readonly host: string;
  readonly #listener: EphemeralListener;
  readonly #connections: RawConnection[];
  readonly #onConnection: Set<() => void>;
  #handedOut = 0;

  private constructor(
    listener: EphemeralListener,
    connections: RawConnection[],
    onConnection: Set<() => void>,
  ) {
    this.port = listener.port;
    this.host = listener.host;
    this.#listener = listener;
    this.#connections = connections;
    this.#onConnection = onConnection;
  }

  /** Starts listening on `host` (default 127.0.0.1), port 0. */
  static async start(host = '127.0.0.1'): Promise<FakeBroker> {
    const connections: RawConnection[] = [];
    const onConnection = new Set<() => void>();
    const server: Server = createServer((socket) => {
      const n = connections.length + 1;
      connections.push(
        new RawConnection(socket, `FakeBroker connection #${n} (from port ${socket.remotePort})`),
      );
      for (const notify of [...onConnection]) notify();
    });
    return new FakeBroker(await listenOnEphemeralPort(server, host), connections, onConnection);
  }

  /** Every connection accepted so far, in order. */
  get connections(): readonly RawConnection[] {
    return this.#connections;
  }

  /** The next accepted connection not yet returned by this method, waiting up to `timeoutMs` for it. */
  nextConnection(timeoutMs: number = DEFAULT_TIMEOUT_MS): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const poll = () => {
        const connection = this.#connections[this.#handedOut];
        if (connection === undefined) return;
        this.#handedOut++;
        clearTimeout(timer);
        this.#onConnection.delete(poll);
        resolve(connection);
      };
      const timer = setTimeout(() => {
        this.#onConnection.delete(poll);
        reject(
          new Error(
            `FakeBroker :${this.port}: expected a new connection within ${timeoutMs} ms, but none came ` +
              `(${this.#connections.length} accepted so far)`,
          ),
        );
      }, timeoutMs);
      this.#onConnection.add(poll);
      poll();
    });
  }

  /**
   * Takes the next connection, expects its CONNECT and answers with a CONNACK in the version the
   * client spoke; the usual first step of a client test.
   */
  async acceptConnect(options: AcceptConnectOptions = {}): Promise<AcceptedConnection> {
    const { timeoutMs = DEFAULT_TIMEOUT_MS } = options;
    const connection = await this.nextConnection(timeoutMs);
    const connect = parseConnect(await connection.expectFrame({ type: 1, timeoutMs }));
    const level = connect.protocolLevel;
    if (level !== 3 && level !== 4 && level !== 5) {
      throw new Error(
        `${connection.label}: CONNECT has protocol level ${level}; acceptConnect answers only 3, 4 and 5`,
      );
    }
    const { code = 0, sessionPresent = false, properties } = options;
    await connection.send(
      rawConnack({ code, sessionPresent, ...(level === 5 && properties ? { properties } : {}) }, level),
    );
    return { connection, connect, version: level };
  }

  /** Drops every connection and stops listening. */
  async close(): Promise<void> {
    for (const connection of this.#connections) connection.destroy();
    await Promise.all(this.#connections.map((c) => c.closed));
    await this.#listener.close();
  }

  /** Same as `close`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
