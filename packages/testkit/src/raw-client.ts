/** A raw TCP client for broker tests: sends hand-built bytes and asserts on the frames that come back. */
import { connect } from 'node:net';
import { DEFAULT_TIMEOUT_MS, RawConnection } from './raw-connection.js';

/** Options of `RawClient.connect`. */
export interface RawClientOptions {
  /** Default `127.0.0.1`: tests stay on loopback. */
  host?: string;
  /** How long to wait for the TCP handshake; default `DEFAULT_TIMEOUT_MS`. */
  timeoutMs?: number;
  /** Names the client in error messages; default `RawClient → host:port`. */
  label?: string;
}

/** A `RawConnection` opened to a server; use `await using client = await RawClient.connect(port)`. */
export class RawClient extends RawConnection {
  /** Opens a TCP connection to `host:port` and resolves once it is established. */
  static async connect(port: number, options: RawClientOptions = {}): Promise<RawClient> {
    const { host = '127.0.0.1', timeoutMs = DEFAULT_TIMEOUT_MS } = options;
    const socket = connect({ port, host });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`RawClient: no TCP connection to ${host}:${port} within ${timeoutMs} ms`));
      }, timeoutMs);
      const onError = (error: Error) => {
        clearTimeout(timer);
        reject(new Error(`RawClient: cannot connect to ${host}:${port}: ${error.message}`, { cause: error }));
      };
      socket.once('error', onError);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('error', onError);
        resolve();
      });
    });
    return new RawClient(socket, options.label ?? `RawClient → ${host}:${port}`);
  }
}
