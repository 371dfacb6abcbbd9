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
