/**
 * A server-side WebSocket seen as the byte stream the broker reads MQTT from. `ws` is imported as a
 * type only, so this file loads without the optional `ws` package (style guide R7).
 */
import { Duplex } from 'node:stream';
import type { RawData, WebSocket } from 'ws';

/** WebSocket close code 1003: the endpoint cannot accept this type of data (RFC 6455 section 7.4.1). */
const UNSUPPORTED_DATA = 1003;
/** WebSocket close code 1000: normal closure. */
const NORMAL_CLOSURE = 1000;
/** After the broker ends the stream, how long the peer gets to answer our close frame. */
const CLOSE_GRACE_MS = 1000;

/**
 * Bridges one open WebSocket to a `Duplex` (the broker's `handleConnection` input).
 *
 * - In: every binary message is pushed as it came; the broker's decoder frames MQTT packets itself,
 *   so packets split across messages, or several in one message, need nothing here [MQTT-6.0.0-2].
 *   A text (or any non-binary) message closes the connection [MQTT-6.0.0-1].
 * - Out: each `write` (the broker writes once per event-loop turn) is one binary message.
 * - Backpressure: when the readable buffer is full the socket is paused, and resumed on `_read`; the
 *   writable side completes a write when `ws` has handed it to the socket, so `writableLength`
 *   reflects what is still queued, which the broker checks before sending more.
 * - Close: `end()` sends a close frame (1000); `destroy()` terminates the TCP connection unless a close
 *   handshake is already under way, which is then bounded by `CLOSE_GRACE_MS`.
 *
 * Why not `ws`'s `createWebSocketStream`: it passes text messages through as bytes (the spec says to
 * close), and it keeps the stream half-open until the close handshake ends.
 */
export class WebSocketDuplex extends Duplex {
  readonly #ws: WebSocket;
  #closing = false;

  constructor(ws: WebSocket) {
    super({ allowHalfOpen: false, decodeStrings: false });
    this.#ws = ws;
    ws.on('message', this.#onMessage);
    ws.once('close', this.#onClose);
    ws.on('error', this.#onError);
  }

  /** The WebSocket behind this stream. */
  get webSocket(): WebSocket {
    return this.#ws;
  }

  readonly #onMessage = (data: RawData, isBinary: boolean): void => {
    if (this.#closing) return;
    if (!isBinary) {
      // MQTT Control Packets travel in binary frames only; anything else closes the connection [MQTT-6.0.0-1].
      this.#closeGracefully(UNSUPPORTED_DATA, 'MQTT uses binary frames only');
      this.destroy();
      return;
    }
    const chunk = Buffer.isBuffer(data)
      ? data
      : Array.isArray(data)
        ? Buffer.concat(data)
        : Buffer.from(data as ArrayBuffer);
    if (!this.push(chunk)) this.#ws.pause();
  };

  readonly #onClose = (): void => {
    // As with a TCP FIN: bytes already received are still read before 'end'; without allowHalfOpen
    // the writable side then ends too, and the stream is destroyed ('close') once both are done.
    this.#closing = true;
    if (!this.destroyed) this.push(null);
  };

  readonly #onError = (error: Error): void => {
    // `ws` reports protocol errors (oversized message, bad frame) and closes the socket itself, with
    // a close frame carrying the matching code; the stream just reports the error and goes away.
    this.#closing = true;
    this.destroy(error);
  };

  override _read(): void {
    if (this.#ws.isPaused) this.#ws.resume();
  }

  override _write(
    chunk: Uint8Array,
    _encoding: BufferEncoding,
    callback: (error?: Error | null) => void,
  ): void {
    if (this.#ws.readyState !== this.#ws.OPEN) {
      callback(new Error('WebSocket is not open'));
      return;
    }
    this.#ws.send(chunk, { binary: true }, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    // The close frame is queued behind every message already sent, so nothing written is lost.
    this.#closeGracefully(NORMAL_CLOSURE, '');
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const ws = this.#ws;
    ws.off('message', this.#onMessage);
    if (!this.#closing && ws.readyState !== ws.CLOSED) ws.terminate();
    callback(error);
  }

  /** Send a close frame, and drop the TCP connection if the peer does not answer it in time. */
  #closeGracefully(code: number, reason: string): void {
    if (this.#closing) return;
    this.#closing = true;
    const ws = this.#ws;
    if (ws.readyState === ws.OPEN) ws.close(code, reason);
    if (ws.readyState !== ws.CLOSED) {
      const reaper = setTimeout(() => ws.terminate(), CLOSE_GRACE_MS);
      reaper.unref();
      ws.once('close', () => clearTimeout(reaper));
    }
  }
}
