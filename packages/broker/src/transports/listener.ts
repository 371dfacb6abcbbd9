import type { AddressInfo, Server } from 'node:net';

/** A way clients reach the broker: TCP, TLS, WebSocket (style guide R7, after Mochi's `Listener`). */
export interface Listener {
  /** Unique among the broker's listeners; shown to hooks as `client.listenerId`. */
  readonly id: string;
  /** `tcp`, `tls`, `ws` or `wss`. */
  readonly protocol: string;
  /** Start accepting; resolves with the bound address (port 0 gets an ephemeral port). */
  listen(): Promise<{ host: string; port: number }>;
  /** Stop accepting new connections (existing ones are closed by the broker). */
  close(): Promise<void>;
}

/**
 * Bind `server` (TCP, TLS, HTTP or HTTPS) to `host:port`; resolves with the bound address, so port 0
 * reports the port it got. A bind error rejects; later server errors go to `onError`.
 */
export function bindServer(
  server: Server,
  port: number,
  host: string,
  onError: (error: Error) => void,
): Promise<{ host: string; port: number }> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      server.on('error', onError);
      const address = server.address() as AddressInfo;
      resolve({ host: address.address, port: address.port });
    });
  });
}

/** Stop `server` accepting; resolves once it has closed, at once when it is not listening. */
export function unbindServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => resolve());
  });
}
