/**
 * The tiny interface between the client and a byte stream (style guide R7): TCP, TLS, WebSocket in
 * Node, WebSocket in browsers. A transport only moves bytes; MQTT framing happens above it.
 */

/** TLS settings for `mqtts://` and `wss://` (Node only; a browser uses its own trust store). */
export interface TlsOptions {
  /** Trusted CA certificates (PEM), replacing the system's. */
  ca?: string | Uint8Array | readonly (string | Uint8Array)[];
  /** Client certificate chain (PEM) for mutual TLS. */
  cert?: string | Uint8Array | readonly (string | Uint8Array)[];
  /** Client private key (PEM) for mutual TLS. */
  key?: string | Uint8Array | readonly (string | Uint8Array)[];
  /** Passphrase of `key`. */
  passphrase?: string;
  /** Verify the server's certificate (default true). Turn off only for tests. */
  rejectUnauthorized?: boolean;
  /**
   * Check that the certificate names the server (default true). `false` still verifies the chain
   * against `ca`, only not the name: what mosquitto_pub's `--insecure` does.
   */
  checkServerName?: boolean;
  /** Server name for SNI and certificate checks; defaults to the URL's host name (not for IP addresses). */
  servername?: string;
}

/** WebSocket settings for `ws://` and `wss://`. */
export interface WebSocketOptions {
  /** Request path when the URL has none; default `/mqtt`. */
  path?: string;
  /** Extra HTTP headers of the upgrade request (Node only: browsers do not allow them). */
  headers?: Readonly<Record<string, string>>;
}

/** Where to connect, parsed from the URL and options. */
export interface TransportTarget {
  /** The URL scheme, normalised: `mqtt`, `mqtts`, `ws` or `wss`. */
  readonly protocol: 'mqtt' | 'mqtts' | 'ws' | 'wss';
  readonly host: string;
  readonly port: number;
  /** The WebSocket request path (with query), e.g. `/mqtt`. */
  readonly path: string;
  /** The URL without credentials, for messages. */
  readonly url: string;
  readonly tls: TlsOptions | undefined;
  readonly ws: WebSocketOptions | undefined;
}

/** What a transport reports after it opened. */
export interface TransportEvents {
  /** Bytes arrived. */
  data(chunk: Uint8Array): void;
  /** The write buffer fell below its high-water mark after `write` returned false. */
  drain(): void;
  /** The connection closed; `error` tells why when it was not an orderly close. Called once. */
  close(error: Error | undefined): void;
}

/** An open byte stream. */
export interface Transport {
  /**
   * Writes `chunks` (in order; `totalBytes` is their summed length) as one write. Returns false when
   * the buffer is above its high-water mark: the caller should wait for `drain` before writing more.
   */
  write(chunks: readonly Uint8Array[], totalBytes: number): boolean;
  /** Closes after the pending writes are flushed. */
  end(): void;
  /** Closes now. */
  destroy(): void;
}

/**
 * Opens a transport to `target`; resolves once bytes can flow (TCP connected, TLS handshake done,
 * WebSocket open). Aborting `signal` abandons the attempt and rejects.
 */
export type TransportOpener = (
  target: TransportTarget,
  events: TransportEvents,
  signal: AbortSignal,
) => Promise<Transport>;

/** Joins chunks into one array (for transports that take a single buffer per write). */
export function concatChunks(chunks: readonly Uint8Array[], totalBytes: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const joined = new Uint8Array(totalBytes);
  let offset = 0;
  for (const chunk of chunks) {
    joined.set(chunk, offset);
    offset += chunk.length;
  }
  return joined;
}
